import Foundation
import GradTraceGraphviz
import GradTraceViews

/// A line chart (loss per step, gradient magnitude per depth), drawn through Graphviz with
/// fixed positions, so the same chart comes out as SVG, PNG or PDF, byte-identical each run.
package struct Chart: Sendable {
    /// One line of the chart.
    package struct Series: Sendable {
        /// Its name in the legend.
        package var name: String
        /// Its points, in data coordinates; non-finite ones are left out when drawn.
        package var points: [(x: Double, y: Double)]
        /// Whether each point is also drawn as a dot.
        package var markers: Bool

        /// A series; without `markers` it is a bare line.
        package init(name: String, points: [(x: Double, y: Double)], markers: Bool = false) {
            self.name = name
            self.points = points
            self.markers = markers
        }
    }

    /// The caption above the plot.
    package var title: String
    /// The x axis's caption.
    package var xLabel: String
    /// The y axis's caption.
    package var yLabel: String
    /// A logarithmic y axis (decades); points with y ≤ 0 cannot be drawn on it and are left out.
    package var logY: Bool
    /// The lines, coloured from a fixed palette in order.
    package var series: [Series]

    /// A chart; `logY` gives a logarithmic y axis.
    package init(title: String, xLabel: String, yLabel: String, logY: Bool = false, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
        self.series = series
    }

    package static let colors = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#1b7c83", "#6e7781"]

    // Plot area, in points.
    package static let left = 78.0, bottom = 58.0, width = 500.0, height = 280.0

    /// The chart as DOT for Graphviz's "nop" layout.
    package func dot() -> String {
        var out = "graph chart {\n  graph [splines=line, bgcolor=\"white\", pad=0.15, outputorder=edgesfirst]\n"
        out += "  node [shape=none, label=\"\", width=0, height=0, fixedsize=true, fontname=\"DejaVu Sans\", fontsize=11]\n"
        out += "  edge [penwidth=1, color=\"#444444\"]\n"
        var nodeCount = 0
        func point(_ x: Double, _ y: Double) -> String {
            nodeCount += 1
            out += "  p\(nodeCount) [pos=\"\(coordinate(x)),\(coordinate(y))!\"]\n"
            return "p\(nodeCount)"
        }
        func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ attrs: String = "") {
            let a = point(x0, y0), b = point(x1, y1)
            out += "  \(a) -- \(b)\(attrs.isEmpty ? "" : " [\(attrs)]")\n"
        }
        func text(_ s: String, _ x: Double, _ y: Double, size: Int = 11, bold: Bool = false, angle: Bool = false) {
            nodeCount += 1
            let label = bold ? "<<b>\(DotRenderer.html(s))</b>>" : "<\(DotRenderer.html(s))>"
            out += "  p\(nodeCount) [pos=\"\(coordinate(x)),\(coordinate(y))!\", label=\(label), fixedsize=false, fontsize=\(size)\(angle ? ", orientation=90" : "")]\n"
        }

        let drawable = series.map { s in s.points.filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) } }
        let all = drawable.flatMap { $0 }
        let xs = all.map(\.x), ys = all.map { logY ? log10($0.y) : $0.y }
        var xTicks = Chart.niceTicks(xs.min() ?? 0, xs.max() ?? 1)
        var yTicks: [Double]
        if logY {
            let lo = floor(ys.min() ?? -1), hi = ceil(ys.max() ?? 0)
            let step = max(1, ((hi - lo) / 6).rounded(.up))
            yTicks = Array(stride(from: lo, through: max(hi, lo + 1), by: step))
        } else {
            yTicks = Chart.niceTicks(ys.min() ?? 0, ys.max() ?? 1)
        }
        if xTicks.count < 2 { xTicks = [xTicks.first ?? 0, (xTicks.first ?? 0) + 1] }
        if yTicks.count < 2 { yTicks = [yTicks.first ?? 0, (yTicks.first ?? 0) + 1] }
        let x0 = xTicks.first!, x1 = xTicks.last!, y0 = yTicks.first!, y1 = yTicks.last!
        func px(_ x: Double) -> Double { Chart.left + (x - x0) / (x1 - x0) * Chart.width }
        func py(_ y: Double) -> Double { Chart.bottom + ((logY ? log10(y) : y) - y0) / (y1 - y0) * Chart.height }

        // Frame, grid and ticks.
        for t in yTicks {
            let y = Chart.bottom + (t - y0) / (y1 - y0) * Chart.height
            line(Chart.left, y, Chart.left + Chart.width, y, "color=\"#e1e4e8\"")
            text(logY ? Chart.decade(t) : Chart.tickLabel(t, ticks: yTicks), Chart.left - 8 - 3.2 * Double((logY ? Chart.decade(t) : Chart.tickLabel(t, ticks: yTicks)).count), y)
        }
        for t in xTicks {
            let x = Chart.left + (t - x0) / (x1 - x0) * Chart.width
            line(x, Chart.bottom, x, Chart.bottom - 5)
            text(Chart.tickLabel(t, ticks: xTicks), x, Chart.bottom - 16)
        }
        line(Chart.left, Chart.bottom, Chart.left + Chart.width, Chart.bottom)
        line(Chart.left, Chart.bottom, Chart.left, Chart.bottom + Chart.height)
        text(xLabel, Chart.left + Chart.width / 2, Chart.bottom - 36, size: 12)
        text(yLabel, Chart.left + 3.3 * Double(yLabel.count) - 20, Chart.bottom + Chart.height + 14, size: 12)
        text(title, Chart.left + Chart.width / 2, Chart.bottom + Chart.height + 36, size: 13, bold: true)

        // Series, thinned to at most 600 points each, and the legend.
        for (k, points) in drawable.enumerated() {
            let color = Chart.colors[k % Chart.colors.count]
            // Every point at the start (where curves fall fastest), then about 200 evenly spaced.
            let stride = max(1, points.count / 200)
            var kept = points.indices.filter { $0 < 40 || $0 % stride == 0 }.map { points[$0] }
            if let last = points.last, kept.last.map({ $0 != last }) ?? true { kept.append(last) }
            // One edge a series, its path given as a B-spline whose control points repeat each
            // point, so every piece is straight and the line has no joins or gaps.
            if kept.count >= 2 {
                let a = point(px(kept[0].x), py(kept[0].y)), b = point(px(kept.last!.x), py(kept.last!.y))
                var controls = ["\(coordinate(px(kept[0].x))),\(coordinate(py(kept[0].y)))"]
                for p in kept.dropFirst() {
                    let previous = controls.last!
                    let here = "\(coordinate(px(p.x))),\(coordinate(py(p.y)))"
                    controls += [previous, here, here]
                }
                out += "  \(a) -- \(b) [color=\"\(color)\", penwidth=2, pos=\"\(controls.joined(separator: " "))\"]\n"
            }
            if series[k].markers {
                for p in kept {
                    nodeCount += 1
                    out += "  p\(nodeCount) [pos=\"\(coordinate(px(p.x))),\(coordinate(py(p.y)))!\", shape=circle, width=0.09, height=0.09, style=filled, color=\"\(color)\", fillcolor=\"\(color)\"]\n"
                }
            }
            // The legend sits right of the plot, where no curve can run under it.
            let ly = Chart.bottom + Chart.height - 10 - 18 * Double(k)
            let lx = Chart.left + Chart.width + 16
            line(lx, ly, lx + 24, ly, "color=\"\(color)\", penwidth=2")
            nodeCount += 1
            out += "  p\(nodeCount) [pos=\"\(coordinate(lx + 30 + 3.3 * Double(series[k].name.count))),\(coordinate(ly))!\", label=<\(DotRenderer.html(series[k].name))>, fixedsize=false, fontsize=11]\n"
        }
        return out + "}\n"
    }

    /// The chart drawn by Graphviz in `format`; the same chart gives the same bytes every run.
    package func render(_ format: Graphviz.Format) throws(Graphviz.Failure) -> [UInt8] {
        try Graphviz.render(dot: dot(), format: format, engine: "nop2")
    }

    private func coordinate(_ v: Double) -> String { String(format: "%.2f", v) }

    /// 1, 2 or 5 times a power of ten, about five ticks from lo to hi.
    package static func niceTicks(_ lo: Double, _ hi: Double) -> [Double] {
        var lo = lo, hi = hi
        if lo == hi { lo -= 1; hi += 1 }
        let raw = (hi - lo) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let start = floor(lo / step) * step, end = ceil(hi / step) * step
        return Swift.stride(from: start, through: end + step / 2, by: step).map { ($0 / step).rounded() * step }
    }

    package static func tickLabel(_ v: Double, ticks: [Double]) -> String {
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : 1
        let decimals = max(0, Int(-floor(log10(step))))
        if abs(v) >= 1e5 { return String(format: "%.0e", v) }
        return NumberFormat(precision: decimals)(v)
    }

    package static func decade(_ exponent: Double) -> String {
        let e = Int(exponent)
        return e == 0 ? "1" : e == 1 ? "10" : "1e\(e)"
    }
}
