import Foundation

/// The explain page's markup and script, compiled into the binary (no files on disk, no build
/// step, no network). The script shows what the server computed; it does no arithmetic and
/// puts user text into the page only as text (`textContent`), server HTML only from the
/// library's escaped renderers.
enum ExplainAssets {
    static let scriptReply = Reply(status: 200, contentType: "text/javascript; charset=utf-8", body: Data(script.utf8),
                                   headers: [("Cache-Control", "no-cache")])

    static let body = resourceText(PackageResources.explain_page_html)

    static let script = resourceText(PackageResources.explain_js)
}
