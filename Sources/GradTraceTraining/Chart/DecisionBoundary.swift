import Foundation
import GradTraceCore
import GradTraceGraphviz
import GradTraceViews

/// A 2-D classifier's decision regions with the data drawn on top: each cell of a grid is
/// shaded by the class the model gives its centre, each point marked by its true class (colour
/// and shape, so it reads in greyscale too). Drawn through Graphviz with fixed positions, like
/// `Chart`, so SVG, PNG and PDF come out the same every run. Of more than `maxPoints` points a
/// fixed sample spread evenly through the rows is drawn, and the plot says so under its x axis:
/// every point is a node Graphviz lays out, and 10⁶ of them made a 200 MB SVG and took 1.7 GB.
package struct DecisionBoundary: Sendable {
    /// A data point and its true class.
    package struct Point: Sendable {
        package var x: Double, y: Double, label: Int
        /// A point at (x, y) of class `label`.
        package init(x: Double, y: Double, label: Int) { self.x = x; self.y = y; self.label = label }
    }

    /// The caption above the plot.
    package var title: String
    /// The data's points; those of `shownRows` are drawn.
    package var points: [Point]
    /// The most points drawn.
    package var maxPoints = DecisionBoundary.maxPoints
    /// The x and y ranges drawn.
    package var xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    /// Cells per side.
    package var resolution: Int
    /// The class of each cell, row by row from the bottom.
    package var cells: [Int]

    /// The regions `cells` (row by row from the bottom, as `BoundaryGrid.cells` gives them) over
    /// `xRange` × `yRange`, with `points` drawn on top.
    package init(title: String, points: [Point], xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, resolution: Int, cells: [UInt8]) {
        self.title = title
        self.points = points
        self.xRange = xRange
        self.yRange = yRange
        self.resolution = resolution
        self.cells = cells.map(Int.init)
    }

    package static let regionColors = ["#cfe2f8", "#f8d4d4", "#d3efd6", "#e6dcf7", "#f9e3c8"]
    package static let pointColors = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00"]
    package static let shapes = ["circle", "box", "triangle", "diamond", "pentagon"]
    package static let left = 60.0, bottom = 50.0, size = 360.0
    /// The most points a plot draws by default (a scatter of more is a blot, and a large file).
    package static let maxPoints = 2_000

    /// The indices of the points drawn, in order: every one of at most `maxPoints`; of more,
    /// `DecisionBoundary.sample(_:limit:)` of them.
    package var shownRows: [Int] { DecisionBoundary.sample(points.count, limit: maxPoints) }

    /// `limit` indices of `0..<count`, in order, or all of them when there are no more: the rows
    /// are cut into `limit` runs of equal length (±1) and one row of each run is picked by a
    /// generator of fixed seed. So the sample is spread evenly through the rows, is the same every
    /// run, and does not alias with a pattern in the rows' order (an even stride through rows of
    /// alternating classes lands on one class only).
    package static func sample(_ count: Int, limit: Int) -> [Int] {
        guard count > limit else { return Array(0..<count) }
        let limit = max(1, limit)
        var random = SeededRandom(seed: 0, stream: "decision boundary sample")
        return (0..<limit).map { k in
            let start = k * count / limit, end = (k + 1) * count / limit
            return start + random.below(end - start)
        }
    }

    /// What the plot says of a sample, `2,000 of 1,000,000 points shown (a fixed sample, spread
    /// evenly through the rows)`; nil when every point is drawn.
    package var sampleNote: String? {
        let shown = shownRows.count
        guard shown < points.count else { return nil }
        return "\(DecisionBoundary.grouped(shown)) of \(DecisionBoundary.grouped(points.count)) points shown (a fixed sample, spread evenly through the rows)"
    }

    /// `1234567` as `1,234,567`.
    package static func grouped(_ n: Int) -> String {
        var digits = String(n.magnitude), out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return (n < 0 ? "-" : "") + digits + out
    }

    /// The plot as DOT for Graphviz's "nop2" layout.
    package func dot() -> String {
        var out = "graph boundary {\n  graph [bgcolor=\"white\", pad=0.15, outputorder=edgesfirst]\n"
        out += "  node [shape=none, label=\"\", width=0, height=0, fixedsize=true, fontname=\"DejaVu Sans\", fontsize=11]\n"
        out += "  edge [penwidth=1, color=\"#444444\"]\n"
        var count = 0
        func c(_ v: Double) -> String { String(format: "%.2f", v) }
        func node(_ x: Double, _ y: Double, _ attrs: String) -> String {
            count += 1
            out += "  p\(count) [pos=\"\(c(x)),\(c(y))!\"\(attrs.isEmpty ? "" : ", " + attrs)]\n"
            return "p\(count)"
        }
        let s = DecisionBoundary.size, l = DecisionBoundary.left, b = DecisionBoundary.bottom
        func px(_ x: Double) -> Double { l + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * s }
        func py(_ y: Double) -> Double { b + (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * s }
        // Regions: one box per run of equal cells in a row, so the picture stays small.
        let cell = s / Double(resolution)
        for r in 0..<resolution {
            var start = 0
            while start < resolution {
                let k = cells[r * resolution + start]
                var end = start
                while end + 1 < resolution && cells[r * resolution + end + 1] == k { end += 1 }
                let width = Double(end - start + 1) * cell
                let color = DecisionBoundary.regionColors[((k % 5) + 5) % 5]
                _ = node(l + Double(start) * cell + width / 2, b + (Double(r) + 0.5) * cell,
                         "shape=box, width=\(c(width / 72)), height=\(c(cell / 72 + 0.02)), style=filled, color=\"\(color)\", fillcolor=\"\(color)\", penwidth=0")
                start = end + 1
            }
        }
        // Frame and ticks.
        let corners = [(l, b), (l + s, b), (l + s, b + s), (l, b + s)].map { node($0.0, $0.1, "") }
        for k in 0..<4 { out += "  \(corners[k]) -- \(corners[(k + 1) % 4])\n" }
        for t in Chart.niceTicks(xRange.lowerBound, xRange.upperBound) where xRange.contains(t) {
            let a = node(px(t), b, ""), z = node(px(t), b - 5, "")
            out += "  \(a) -- \(z)\n"
            _ = node(px(t), b - 16, "label=<\(Chart.tickLabel(t, ticks: Chart.niceTicks(xRange.lowerBound, xRange.upperBound)))>, fixedsize=false")
        }
        for t in Chart.niceTicks(yRange.lowerBound, yRange.upperBound) where yRange.contains(t) {
            let a = node(l, py(t), ""), z = node(l - 5, py(t), "")
            out += "  \(a) -- \(z)\n"
            _ = node(l - 22, py(t), "label=<\(Chart.tickLabel(t, ticks: Chart.niceTicks(yRange.lowerBound, yRange.upperBound)))>, fixedsize=false")
        }
        _ = node(l + s / 2, b - 36, "label=<x1>, fixedsize=false, fontsize=12")
        _ = node(l - 46, b + s / 2, "label=<x2>, fixedsize=false, fontsize=12")
        _ = node(l + s / 2, b + s + 22, "label=<<b>\(DotRenderer.html(title))</b>>, fixedsize=false, fontsize=13")
        if let note = sampleNote { _ = node(l + s / 2, b - 54, "label=<\(DotRenderer.html(note))>, fixedsize=false, fontsize=11") }
        // Points: all of them, or the sample the note counts.
        for r in shownRows {
            let p = points[r]
            let k = ((p.label % 5) + 5) % 5
            _ = node(px(p.x), py(p.y), "shape=\(DecisionBoundary.shapes[k]), width=0.11, height=0.11, style=filled, fillcolor=\"\(DecisionBoundary.pointColors[k])\", color=\"#111111\", penwidth=0.8")
        }
        return out + "}\n"
    }

    /// The plot drawn by Graphviz in `format`.
    package func render(_ format: Graphviz.Format) throws(Graphviz.Failure) -> [UInt8] {
        try Graphviz.render(dot: dot(), format: format, engine: "nop2")
    }
}
