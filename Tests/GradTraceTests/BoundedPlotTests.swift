import Foundation
import Testing
@testable import GradTrace

/// Plots of large runs stay small: `gradtrace train -o` on 10⁶ rows wrote a 200 MB boundary.svg
/// (every row a node Graphviz laid out, 1.7 GB). A scatter of many points draws a fixed sample
/// spread evenly through the rows and says so on the plot; small plots draw every point, as
/// before. Loss curves were already thinned to a few hundred points; tests here keep them so.
@Suite struct BoundedPlotTests {
    /// `n` points on two interleaved bands: class 0 in the first half of the rows and class 1 in
    /// the second (a sample that took only the first rows would show one class), or, `alternating`,
    /// rows of class 0 and 1 in turn (a sample of every k-th row, k even, would show one class).
    static func boundary(points n: Int, alternating: Bool = false) -> DecisionBoundary {
        let points = (0..<n).map { r in
            let t = Double(r % 997) / 997, label = alternating ? r % 2 : r < n / 2 ? 0 : 1
            return DecisionBoundary.Point(x: 4 * t - 2, y: Double(label) - 0.5 + 0.3 * sin(7 * t), label: label)
        }
        let cells = (0..<16).map { UInt8($0 % 4 < 2 ? 0 : 1) }
        return DecisionBoundary(title: "Decision boundary", points: points, xRange: -2.5...2.5, yRange: -1.5...1.5, resolution: 4, cells: cells)
    }

    /// The points a boundary's DOT draws, by fill colour (class 0 blue, class 1 red).
    static func marks(_ dot: String) -> (total: Int, byClass: [Int]) {
        let lines = dot.split(separator: "\n").filter { $0.contains("penwidth=0.8") }
        let byClass = ["#0969da", "#cf222e"].map { c in lines.filter { $0.contains("fillcolor=\"\(c)\"") }.count }
        return (lines.count, byClass)
    }

    @Test func aBoundaryOfAMillionPointsDrawsABoundedSampleOfBothClassesAndSaysSo() {
        let plot = BoundedPlotTests.boundary(points: 1_000_000)
        let dot = plot.dot()
        let marks = BoundedPlotTests.marks(dot)
        #expect(marks.total > 0 && marks.total <= 5_000, "\(marks.total) points drawn")
        #expect(dot.utf8.count < 1_000_000, "\(dot.utf8.count) bytes of DOT")
        // Spread evenly through the rows: each class keeps its half, within a point.
        #expect(abs(marks.byClass[0] - marks.byClass[1]) <= 1, "\(marks.byClass)")
        #expect(marks.byClass[0] + marks.byClass[1] == marks.total)
        // The plot says how many of how many points it shows.
        let shown = String(marks.total).reversed().enumerated().map { String($0.element) + ($0.offset > 0 && $0.offset % 3 == 0 ? "," : "") }.reversed().joined()
        // (Bools, so that a failure does not print megabytes of DOT.)
        let noted = dot.contains("\(shown) of 1,000,000 points shown")
        #expect(noted, "the note counts the points shown")
        let same = dot == BoundedPlotTests.boundary(points: 1_000_000).dot()
        #expect(same, "the same data draw the same plot")
    }

    @Test func theSampleDoesNotAliasWithAPatternInTheRowsOrder() {
        // Rows of alternating classes (as a CSV written class by class in turn is): both
        // classes are drawn, each about half the points.
        let marks = BoundedPlotTests.marks(BoundedPlotTests.boundary(points: 1_000_000, alternating: true).dot())
        #expect(marks.total > 0 && marks.total <= 5_000)
        #expect(marks.byClass.allSatisfy { abs(Double($0) / Double(marks.total) - 0.5) < 0.1 }, "\(marks.byClass)")
    }

    @Test func aSampledBoundaryRendersSmallDeterministicallyWithItsNoteVisible() throws {
        let plot = BoundedPlotTests.boundary(points: 100_000)
        let svg = try plot.render(.svg)
        #expect(svg.count < 1_000_000, "\(svg.count) bytes of SVG")
        let text = String(decoding: svg, as: UTF8.self)
        let noted = text.contains("of 100,000 points shown")
        #expect(noted, "the note is text in the SVG")
        let same = try BoundedPlotTests.boundary(points: 100_000).render(.svg) == svg
        #expect(same, "byte-identical across renders")
        let png = try plot.render(.png)
        #expect(png.count < 1_000_000, "\(png.count) bytes of PNG")
    }

    @Test func aSmallBoundaryDrawsEveryPointWithoutANote() {
        for n in [1, 100, 2_000] {
            let dot = BoundedPlotTests.boundary(points: n).dot()
            #expect(BoundedPlotTests.marks(dot).total == n)
            let noted = dot.contains("points shown")
            #expect(!noted, "n = \(n)")
        }
    }

    @Test func theReportOfALargeRunHasASmallBoundaryThatSaysItIsASample() throws {
        let data = try Dataset.load("moons(n=20000, noise=0.1, seed=3)")
        let model = try Model(graph: try Parser.parse(DataTrainingTests.model), data: data)
        var trainer = Trainer(parameters: nil, learningRate: 0.3, steps: 1)
        trainer.classifier = try Classifier.parse("score")
        let run = try trainer.train(model, data: data)
        let report = NetworkReport(model: model, trainer: trainer, run: run, data: data, format: .standard)
        let files = try report.files(classifier: trainer.classifier)
        let svg = try #require(files.first { $0.path == "boundary.svg" })
        #expect(svg.bytes.count < 1_000_000, "\(svg.bytes.count) bytes")
        let noted = String(decoding: svg.bytes, as: UTF8.self).contains("of 20,000 points shown")
        #expect(noted, "the report's boundary says it shows a sample")
    }

    /// The (x, y) control points of a chart's first series, as drawn (points of the plot).
    static func drawn(_ chart: Chart) -> [(x: Double, y: Double)] {
        guard let line = chart.dot().split(separator: "\n").first(where: { $0.contains("penwidth=2, pos=\"") }),
              let open = line.range(of: "pos=\"") else { return [] }
        let body = line[open.upperBound...].prefix { $0 != "\"" }
        return body.split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double($0)! }
            return (xy[0], xy[1])
        }
    }

    @Test func aLongNoisyCurveIsBoundedAndDeterministic() {
        var random = SeededRandom(seed: 1, stream: "noise")
        let points = (0..<1_000_000).map { k in (x: Double(k), y: 1 / (1 + Double(k) / 1000) + 0.05 * random.unit()) }
        let chart = Chart(title: "Loss", xLabel: "step", yLabel: "loss (log scale)", logY: true, series: [.init(name: "loss", points: points)])
        let drawn = BoundedPlotTests.drawn(chart)
        #expect(drawn.count > 2 && drawn.count <= 4_000, "\(drawn.count) control points")
        let same = chart.dot() == chart.dot()
        #expect(same)
    }

    @Test func aShortOrMonotoneCurveIsDrawnAsBefore() {
        // Under 400 points every one is drawn; of a longer falling curve, the first 40, about
        // 200 evenly spaced, and the last.
        for n in [2, 100, 399] {
            var random = SeededRandom(seed: 2, stream: "noise")
            let points = (0..<n).map { (x: Double($0), y: random.unit()) }
            let drawn = BoundedPlotTests.drawn(Chart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "s", points: points)]))
            #expect(drawn.count == 1 + 3 * (n - 1), "n = \(n)")
        }
        let n = 100_000, stride = n / 200
        let falling = (0..<n).map { (x: Double($0), y: 1 / (1 + Double($0))) }
        let expected = (0..<n).filter { $0 < 40 || $0 % stride == 0 }.count + 1
        let drawn = BoundedPlotTests.drawn(Chart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "s", points: falling)]))
        #expect(drawn.count == 1 + 3 * (expected - 1))
    }
}
