import Foundation
import Testing
@testable import GradTrace

/// Printed on A4 or Letter, no text in a figure of a handout, worksheet or answer key is
/// smaller than 8 pt, no figure is taller than its page, and the blanks of a worksheet are
/// wide enough to write a signed four-digit number by hand (0.6 inch).
@Suite struct PrintedSizeTests {
    static let printedPages = ["handout.html", "worksheet.html", "answer-key.html"]

    /// (figure class, [svg]) for every figure of a page.
    static func figures(_ html: String) -> [(String, [String])] {
        var out: [(String, [String])] = []
        var rest = html[...]
        while let open = rest.range(of: "<figure"), let close = rest.range(of: "</figure>", range: open.upperBound..<rest.endIndex) {
            let figure = String(rest[open.lowerBound..<close.upperBound])
            let head = figure.prefix { $0 != ">" }
            let kind = head.contains("print-landscape") ? "landscape" : head.contains("sliced") ? "sliced" : "portrait"
            var svgs: [String] = []
            var inner = figure[...]
            while let s = inner.range(of: "<svg"), let e = inner.range(of: "</svg>", range: s.upperBound..<inner.endIndex) {
                svgs.append(String(inner[s.lowerBound..<e.upperBound]))
                inner = inner[e.upperBound...]
            }
            out.append((kind, svgs))
            rest = rest[close.upperBound...]
        }
        return out
    }

    @Test func noPrintedFigureTextIsBelowEightPoints() throws {
        let root = packageRoot.appendingPathComponent("output")
        var smallest = Double.infinity, checked = 0
        for lesson in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            for page in Self.printedPages {
                let url = root.appendingPathComponent(lesson).appendingPathComponent(page)
                guard let html = try? String(contentsOf: url, encoding: .utf8) else { continue }
                for (kind, svgs) in Self.figures(html) {
                    let sheet = kind == "landscape" ? PrintLayout.landscape : PrintLayout.portrait
                    for svg in svgs {
                        let size = try #require(PrintLayout.size(of: svg))
                        let scale = min(1, sheet.width / size.width)
                        let printed = size.smallestFont * scale
                        smallest = min(smallest, printed)
                        checked += 1
                        #expect(printed >= 8, "\(lesson)/\(page): text prints at \(printed) pt")
                        #expect(size.height * scale <= sheet.height, "\(lesson)/\(page): a figure taller than its page")
                        if page == "worksheet.html" {
                            // The diagram's blanks: 11 underscores of DejaVu Sans, 0.5 em each.
                            if svg.contains("___________") {
                                let blank = 11 * 0.5 * size.smallestFont * scale
                                #expect(blank >= 0.6 * 72, "\(lesson): a blank prints \(blank / 72) inch wide")
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 20)
        print("smallest printed figure text: \(smallest) pt over \(checked) figures")
    }

    @Test func worksheetTableBlanksAreWideEnough() {
        // .blank { min-width: 5.5rem } at 16 px a rem and 96 px an inch.
        #expect(Styles.base.contains(".blank { display: inline-block; min-width: 5.5rem;"))
        #expect(5.5 * 16 / 96 >= 0.6)
    }

    @Test func aWideCircuitGoesOnALandscapePageOrIntoSlices() throws {
        let svg = try Graphviz.render(dot: DotRenderer.render(trace((1...30).map { "sigmoid(a\($0))" }.joined(separator: " * "),
            Dictionary(uniqueKeysWithValues: (1...30).map { ("a\($0)", 0.1) }))), format: .svg)
        let html = PrintLayout.figure(svg, idPrefix: "x", caption: nil, alt: ("a figure", "a wide figure, cut into slices"))
        let figures = Self.figures(html)
        #expect(figures.count == 1)
        let (kind, svgs) = figures[0]
        #expect(kind != "portrait")
        for piece in svgs {
            let size = try #require(PrintLayout.size(of: piece))
            let sheet = kind == "landscape" ? PrintLayout.landscape : PrintLayout.portrait
            #expect(size.smallestFont * min(1, sheet.width / size.width) >= 8)
        }
    }
}
