import Foundation
import GradTraceGraphviz
import GradTraceViews

/// How a figure goes on paper so that no text in it prints smaller than `minimumPoints` on A4
/// or Letter. A figure the page would shrink too far is, in this order of preference, put on a
/// landscape page (the lecture's left-to-right reading kept), laid out top to bottom, or split
/// into slices stacked down the page, each a window onto the same drawing.
package enum PrintLayout {
    /// The smallest text a printed figure may have.
    package static let minimumPoints = 8.0
    /// The smaller printable area of A4 and Letter inside the handouts' page margins (14 mm at
    /// the sides, 12 mm on a landscape page, 14 and 16 mm at top and bottom), in points.
    package static let portrait = (width: 516.0, height: 707.0)
    package static let landscape = (width: 724.0, height: 510.0)
    /// Slices overlap by this much, so a wire cut by the edge shows on both.
    package static let sliceOverlap = 36.0

    package struct Size: Equatable {
        package var width: Double
        package var height: Double
        /// The smallest font size used in it, in points.
        package var smallestFont: Double
    }

    /// The size an SVG asks for (Graphviz writes points) and its smallest font.
    package static func size(of svg: String) -> Size? {
        guard let open = svg.range(of: "<svg"), let close = svg.range(of: ">", range: open.upperBound..<svg.endIndex) else { return nil }
        let head = String(svg[open.lowerBound..<close.upperBound])
        func attribute(_ name: String, in text: String) -> Double? {
            guard let r = text.range(of: " \(name)=\"") else { return nil }
            let rest = text[r.upperBound...]
            return Double(rest.prefix { $0.isNumber || $0 == "." })
        }
        guard let width = attribute("width", in: head), let height = attribute("height", in: head) else { return nil }
        var smallest = Double.infinity
        var search = svg.startIndex..<svg.endIndex
        while let r = svg.range(of: "font-size=\"", range: search) {
            if let v = Double(svg[r.upperBound...].prefix { $0.isNumber || $0 == "." }) { smallest = min(smallest, v) }
            search = r.upperBound..<svg.endIndex
        }
        return Size(width: width, height: height, smallestFont: smallest.isFinite ? smallest : 14)
    }

    /// The printed size of the smallest text of a figure of `size` on a page of `page`.
    package static func printedFont(_ size: Size, page: (width: Double, height: Double)) -> Double {
        size.smallestFont * min(1, page.width / size.width, page.height / size.height)
    }

    package static func fits(_ size: Size, _ page: (width: Double, height: Double)) -> Bool {
        printedFont(size, page: page) >= minimumPoints && size.height * min(1, page.width / size.width) <= page.height
    }

    /// The figure as HTML for a printed page. `topToBottom` lays the same figure out top to
    /// bottom, when that is possible; `mayTurn` allows a landscape page. A worksheet keeps its
    /// figure in the flow of its page, beside its table (`keepOnPage`): top to bottom, else slices.
    /// `alt` is the figure's title and description for a screen reader (`HTML.inlineSVG`);
    /// `table`, the same figure as a table (FigureText.wireTable), follows the caption.
    package static func figure(_ svg: [UInt8], idPrefix: String, caption: String?, alt: (title: String, description: String),
                       table: String? = nil, mayTurn: Bool = true, keepOnPage: Bool = false,
                       sameAsTopToBottom: Bool = false, topToBottom: (() -> [UInt8]?)? = nil) -> String {
        let drawn = drawnFigure(svg, idPrefix: idPrefix, caption: caption, alt: alt, mayTurn: mayTurn, keepOnPage: keepOnPage,
                           sameAsTopToBottom: sameAsTopToBottom, topToBottom: topToBottom)
        return table.map { drawn + "\n" + $0 } ?? drawn
    }

    private static func drawnFigure(_ svg: [UInt8], idPrefix: String, caption: String?, alt: (title: String, description: String),
                               mayTurn: Bool, keepOnPage: Bool, sameAsTopToBottom: Bool, topToBottom: (() -> [UInt8]?)?) -> String {
        let text = String(decoding: svg, as: UTF8.self)
        let captionHTML = caption.map { "\n" + HTML.text("figcaption", [], $0) } ?? ""
        // The figure drawn whole, with its caption; `kind` is the class the layout tests read.
        func whole(_ svg: [UInt8], _ kind: String?) -> String {
            "<figure\(kind.map { " class=\"\($0)\"" } ?? "")>\n" + HTML.inlineSVG(svg, idPrefix: idPrefix, title: alt.title, description: alt.description) + captionHTML + "\n</figure>"
        }
        // An answer key is drawn the way its worksheet was, so one can be laid over the other.
        if sameAsTopToBottom, let tb = topToBottom?() {
            return whole(tb, "top-to-bottom")
        }
        guard let size = size(of: text), !fits(size, portrait) else {
            return whole(svg, nil)
        }
        let tb = topToBottom?().flatMap { tb in self.size(of: String(decoding: tb, as: UTF8.self)).map { fits($0, portrait) } == true ? tb : nil }
        if keepOnPage, let tb {
            return whole(tb, "top-to-bottom")
        }
        if mayTurn, !keepOnPage, fits(size, landscape) {
            return whole(svg, "print-landscape")
        }
        if let tb {
            return whole(tb, "top-to-bottom")
        }
        // Slices: windows onto the same drawing, each narrow enough to print at full size.
        let widest = portrait.width * size.smallestFont / minimumPoints
        let count = max(2, Int(((size.width - sliceOverlap) / (widest - sliceOverlap)).rounded(.up)))
        let sliceWidth = ((size.width + Double(count - 1) * sliceOverlap) / Double(count)).rounded(.up)
        // A figure taller than a page at that width is also cut across, each strip into parts
        // of at most a page, overlapping as the strips do.
        let tallest = portrait.height / min(1, portrait.width / sliceWidth)
        let rows = size.height <= tallest ? 1 : max(2, Int(((size.height - sliceOverlap) / (tallest - sliceOverlap)).rounded(.up)))
        let sliceHeight = rows == 1 ? size.height : ((size.height + Double(rows - 1) * sliceOverlap) / Double(rows)).rounded(.up)
        var out = "<figure class=\"sliced\">\n"
        for k in 0..<count {
            let x = min(size.width - sliceWidth, Double(k) * (sliceWidth - sliceOverlap))
            for r in 0..<rows {
                let y = min(size.height - sliceHeight, Double(r) * (sliceHeight - sliceOverlap))
                let part = rows == 1 ? "part \(k + 1) of \(count)" : "part \(k * rows + r + 1) of \(count * rows)"
                var slice = HTML.inlineSVG(svg, idPrefix: "\(idPrefix)s\(k)" + (rows == 1 ? "" : "r\(r)"),
                                           title: "\(alt.title) (\(part))", description: alt.description)
                slice = resize(slice, x: x, width: sliceWidth, height: sliceHeight, y: rows == 1 ? nil : y)
                out += slice + "\n"
                if k + 1 < count || r + 1 < rows { out += "<div class=\"slice-note\">continued below ↓</div>\n" }
            }
        }
        return out + captionHTML.dropFirst() + "\n</figure>"
    }

    /// The root `<svg>` shown as the window from `x` of the given width.
    package static func resize(_ svg: String, x: Double, width: Double, height: Double, y: Double? = nil) -> String {
        guard let open = svg.range(of: "<svg"), let close = svg.range(of: ">", range: open.upperBound..<svg.endIndex) else { return svg }
        var head = String(svg[open.lowerBound..<close.upperBound])
        func replace(_ name: String, _ value: String) {
            guard let r = head.range(of: " \(name)=\""), let end = head.range(of: "\"", range: r.upperBound..<head.endIndex) else { return }
            head.replaceSubrange(r.upperBound..<end.lowerBound, with: value)
        }
        let w = String(format: "%.2f", width), h = String(format: "%.2f", height)
        replace("width", "\(w)pt")
        if let y {
            // Graphviz draws in a group translated to the figure's height: the window's y
            // counts from the top of the drawing as the viewBox does.
            replace("height", "\(h)pt")
            replace("viewBox", "\(String(format: "%.2f", x)) \(String(format: "%.2f", y)) \(w) \(h)")
        } else {
            replace("viewBox", "\(String(format: "%.2f", x)) 0.00 \(w) \(h)")
        }
        return head + svg[close.upperBound...]
    }
}
