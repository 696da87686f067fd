import Foundation
import GradTrace

/// The explain page: type an expression, get its circuit, walkthrough and backward pass, live.
/// Its routes: the page, its script, and the API it calls (explain, frame, export). All the
/// arithmetic happens in `ExplainService`, through the library; the script only shows results.
struct ExplainPage: Page {
    let title = "Explain"
    let path = "/"

    func routes(_ context: ServerContext) -> [Route] {
        let limits = context.limits
        let page = PageShell.html(title: "Explain an expression", current: path, navigation: context.navigation,
                                  body: ExplainAssets.body, script: "/assets/explain.js")
        return [
            Route("GET", path) { _ in Reply(status: 200, contentType: "text/html; charset=utf-8", body: page) },
            Route("GET", "/assets/explain.js") { _ in ExplainAssets.scriptReply },
            Route("POST", "/api/explain") { request in
                switch ExplainQuery.decode(json: request.body, limits: limits) {
                case .failure(let e): return e.reply
                case .success(let q): return await context.computed(key: q.key("explain")) { ExplainService.explain(q, limits: limits, graphviz: context.graphviz) }
                }
            },
            Route("POST", "/api/frame") { request in
                switch ExplainQuery.decode(json: request.body, limits: limits) {
                case .failure(let e): return e.reply
                case .success(let q): return await context.computed(key: q.key("frame")) { ExplainService.frame(q, limits: limits, graphviz: context.graphviz) }
                }
            },
            Route("GET", "/api/export") { request in
                let format = request.query["format"] ?? ""
                switch ExplainQuery.decode(query: request.query, limits: limits) {
                case .failure(let e): return e.reply
                case .success(let q):
                    return await context.computed(key: q.key("export-" + format)) { ExplainService.export(q, format: format, limits: limits, graphviz: context.graphviz) }
                }
            },
        ]
    }
}

/// The HTML around every page: head, stylesheet, navigation bar (from `Pages.all`), one script
/// file. No inline script or style, so the policy can be `script-src 'self'; style-src 'self'`.
enum PageShell {
    static func html(title: String, current: String, navigation: [(title: String, path: String)], body: String, script: String) -> Data {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>GradTrace: \(HTML.escape(title))</title>\n<link rel=\"stylesheet\" href=\"/assets/app.css\">\n<link rel=\"icon\" href=\"data:,\">\n</head>\n<body>\n"
        out += "<nav class=\"top\"><span class=\"brand\">GradTrace</span>"
        for item in navigation {
            out += item.path == current ? " <a href=\"\(HTML.escape(item.path))\" aria-current=\"page\">\(HTML.escape(item.title))</a>"
                                        : " <a href=\"\(HTML.escape(item.path))\">\(HTML.escape(item.title))</a>"
        }
        out += "</nav>\n\(body)\n<script src=\"\(HTML.escape(script))\"></script>\n</body>\n</html>\n"
        return Data(out.utf8)
    }
}

/// Files every page shares.
enum SharedAssets {
    static let routes = [
        Route("GET", "/assets/app.css") { _ in
            Reply(status: 200, contentType: "text/css; charset=utf-8", body: Data(css.utf8), headers: [("Cache-Control", "no-cache")])
        },
    ]

    static let css = resourceText(PackageResources.app_css)
}

/// A web asset from `Resources/`, compiled into the binary by SwiftPM's `embedInCode` (no
/// files beside the binary, nothing read at run time), without the file's final newline.
func resourceText(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes, as: UTF8.self)
    return text.hasSuffix("\n") ? String(text.dropLast()) : text
}
