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

    static let css = #"""
    :root { --value: #1a7f37; --gradient: #cf222e; --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --bg: #f6f8fa; --accent: #0969da; }
    * { box-sizing: border-box; }
    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--ink); margin: 0; line-height: 1.45; }
    nav.top { background: var(--ink); color: #fff; padding: 0.5rem 1.2rem; display: flex; gap: 1.2rem; align-items: baseline; }
    nav.top .brand { font-weight: bold; }
    nav.top a { color: #d0d7de; text-decoration: none; }
    nav.top a[aria-current="page"] { color: #fff; border-bottom: 2px solid #fff; }
    main { max-width: 90rem; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
    h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
    .columns { display: grid; grid-template-columns: minmax(20rem, 30rem) 1fr; gap: 1.5rem; align-items: start; }
    @media (max-width: 60rem) { .columns { grid-template-columns: 1fr; } }
    section { margin-bottom: 1.2rem; }
    label.block { display: block; font-weight: bold; margin-bottom: 0.3rem; }
    textarea { width: 100%; font-family: "DejaVu Sans Mono", monospace; font-size: 0.95rem; padding: 0.5rem; border: 1px solid var(--rule); border-radius: 4px; resize: vertical; }
    textarea:focus, input:focus, select:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
    .options { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; margin: 0.6rem 0; font-size: 0.92rem; align-items: center; }
    .options input[type=number] { width: 4rem; }
    .status { color: var(--muted); font-size: 0.85rem; min-height: 1.2em; }
    pre.diagnostic { background: #ffebe9; border: 1px solid #ff818266; color: #82071e; padding: 0.6rem 0.8rem; border-radius: 4px; white-space: pre; overflow-x: auto; font-family: "DejaVu Sans Mono", monospace; font-size: 0.88rem; margin: 0.4rem 0; }
    .inputs { display: grid; grid-template-columns: auto 6.5rem 1fr auto; gap: 0.3rem 0.6rem; align-items: center; font-size: 0.92rem; margin: 0.6rem 0; }
    .inputs .name { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
    .inputs input[type=number] { width: 100%; }
    .inputs input[type=range] { width: 100%; min-width: 6rem; }
    .inputs .grad { font-family: "DejaVu Sans Mono", monospace; color: var(--gradient); white-space: nowrap; }
    .inputs .tag { color: var(--muted); font-size: 0.8rem; grid-column: 2 / span 3; margin-top: -0.3rem; }
    .result { font-size: 1.05rem; font-family: "DejaVu Sans Mono", monospace; }
    .result .value { color: var(--value); }
    .share { font-size: 0.9rem; display: flex; flex-wrap: wrap; gap: 0.4rem 0.8rem; align-items: center; border-top: 1px solid var(--rule); padding-top: 0.6rem; }
    .share input { flex: 1 1 12rem; font-size: 0.8rem; font-family: "DejaVu Sans Mono", monospace; }
    .share a { color: var(--accent); }
    .diagram-box { border: 1px solid var(--rule); border-radius: 4px; padding: 0.5rem; background: #fff; overflow-x: auto; }
    .diagram-box svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
    .stale { opacity: 0.45; }
    .note { color: var(--muted); font-size: 0.9em; }
    .controls { display: flex; gap: 0.4rem; align-items: center; margin-bottom: 0.5rem; }
    .controls span { min-width: 7rem; text-align: center; font-variant-numeric: tabular-nums; }
    button { font: inherit; padding: 0.2rem 0.7rem; border: 1px solid var(--rule); background: var(--bg); border-radius: 4px; cursor: pointer; }
    button:disabled { opacity: 0.4; cursor: default; }
    #step-text { background: var(--bg); padding: 0.6rem 0.8rem; border-radius: 4px; font-size: 0.95rem; min-height: 3rem; }
    .value { color: var(--value); }
    .gradient { color: var(--gradient); font-style: italic; }
    .gate { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
    table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
    th, td { border-bottom: 1px solid var(--rule); padding: 0.2rem 0.6rem; text-align: left; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    ol.steps li { margin-bottom: 0.5rem; }
    .walkthrough { border-left: 3px solid var(--rule); padding-left: 0.9rem; }
    ul.warnings { color: #9a6700; }
    """#
}
