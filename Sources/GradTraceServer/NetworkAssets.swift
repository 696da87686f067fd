import Foundation

/// The network page's markup, script and stylesheet, compiled into the binary. The script
/// draws the numbers the server sends (the boundary's cells, the weights, the losses) and sends
/// the reader's commands; it computes nothing about the network itself. Server HTML (the
/// explanations) comes from the library's escaping renderers; everything else goes in as text.
enum NetworkAssets {
    static let body = resourceText(PackageResources.network_page_html)

    static let css = resourceText(PackageResources.network_css)

    static let script = resourceText(PackageResources.network_js)
}
