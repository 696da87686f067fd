import Foundation
import Testing
@testable import GradTrace

/// The `gradtrace-network` lesson block: a model trained on data, shown as NetworkReport shows it.
@Suite struct NetworkBlockTests {
    static let program = """
    input x[2]
    param W1[4,2] = uniform(-1, 1)
    param b1[4] = 0
    param w2[4] = uniform(-1, 1)
    param b2 = 0
    h1 = tanh(W1 @ x + b1)
    score = w2 @ h1 + b2
    L = relu(1 - (2*y - 1) * score)
    """

    static func text(_ options: String) -> String {
        "---\ntitle: Networks\n---\nSome prose.\n\n```gradtrace-network \(options)\n\(program)\n```\n\nMore prose.\n"
    }

    func lesson(_ options: String, path: String = "lessons/20-net.md") throws -> Lesson {
        try LessonParser.parse(SourceText(Self.text(options), name: path), fileName: "20-net.md")
    }

    func files(_ options: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for f in try LessonBuilder().build(try lesson(options)) { out[f.path] = f.bytes }
        return out
    }

    @Test func figuresAreNetworkReportsForTheSameOptions() throws {
        let options = "data=\"moons(n=40, noise=0.1, seed=2)\" lr=0.2 epochs=6 batch=10 optimizer=momentum momentum=0.8 l2=1e-3 seed=3 classify=score validate=0.25 show=epochs,loss,accuracy,layers,gradients,boundary,network,dead"
        let made = try files(options)
        // The same run through the library's own API.
        var graph = try Explanation.graph(source: SourceText(Self.program, name: "p.gt"))
        graph.initializeParameters(seed: 3)
        let parts = try Dataset.load("moons(n=40, noise=0.1, seed=2)").split(validation: 0.25, seed: 3)
        var trainer = Trainer(parameters: nil, schedule: .constant(0.2), steps: 6 * 3, optimizer: .momentum(0.8))
        trainer.penalty = .l2(1e-3)
        trainer.seed = 3
        trainer.batchSize = 10
        trainer.classifier = try Classifier.parse("score")
        trainer.validation = parts.validation
        let model = try Model(graph: graph, data: parts.training)
        let run = try trainer.train(model, data: parts.training)
        let report = NetworkReport(model: model, trainer: trainer, run: run, data: parts.training, format: NumberFormat(.significant(6), trimsZeros: true))
        #expect(run.epochs.count == 6)
        #expect(made["network-1-loss.svg"] == (try report.lossChart.render(.svg)))
        #expect(made["network-1-loss.png"] == (try report.lossChart.render(.png)))
        #expect(made["network-1-accuracy.svg"] == (try report.accuracyChart!.render(.svg)))
        #expect(made["network-1-gradients.svg"] == (try report.gradientChart.render(.svg)))
        #expect(made["network-1-boundary.svg"] == (try report.boundary(classifier: trainer.classifier)!.render(.svg)))
        let dot = NetworkDiagram(model.graph, parameters: run.finalParameters, of: model).dot()
        #expect(made["network-1-network.svg"] == (try Graphviz.render(dot: dot, format: .svg)))
        // The page shows the report's own words and numbers.
        let readme = String(decoding: made["README.md"]!, as: UTF8.self)
        #expect(readme.contains(escapeMarkdown(report.headline)))
        for line in report.resultLines { #expect(readme.contains(escapeMarkdown(line))) }
        for row in report.epochRows.dropFirst() { #expect(readme.contains("| " + row.map(escapeMarkdown).joined(separator: " | ") + " |")) }
        for row in report.gradientRows.dropFirst() { #expect(readme.contains("| " + row.map(escapeMarkdown).joined(separator: " | ") + " |")) }
        let handout = String(decoding: made["handout.html"]!, as: UTF8.self)
        #expect(handout.contains(HTML.escape(report.resultLines[0])))
        // Deterministic: a second build makes the same bytes.
        #expect(try files(options) == made)
    }

    @Test func showPicksTheFiguresAndDropsEmptyColumns() throws {
        let made = try files("data=\"moons(n=30, seed=1)\" lr=0.1 steps=5 show=loss")
        #expect(Set(made.keys) == ["README.md", "handout.html", "network-1-loss.svg", "network-1-loss.png"])
        // Without classify= or validate=, no accuracy or validation columns full of dashes.
        let defaults = try files("data=\"moons(n=30, seed=1)\" lr=0.1 steps=5")
        let readme = String(decoding: defaults["README.md"]!, as: UTF8.self)
        #expect(readme.contains("| epoch | updates | training loss |\n"))
        #expect(!readme.contains("validation accuracy"))
        #expect(defaults["network-1-boundary.svg"] == nil)  // a default figure the run cannot make is left out
    }

    @Test func badOptionsNameTheLessonLineAndColumn() throws {
        func error(_ options: String) throws -> Diagnostic {
            try #require(catching { _ = try lesson(options) })
        }
        let unknown = try error("data=moons lr=0.1 stpes=10")
        #expect(unknown.location == "lessons/20-net.md:6:40")
        #expect(unknown.message == "unknown option 'stpes'")
        #expect(unknown.help == "did you mean 'steps'?")
        let optimizer = try error("data=moons lr=0.1 optimizer=adma")
        #expect(optimizer.location == "lessons/20-net.md:6:40")
        #expect(optimizer.help == "did you mean 'adam'?")
        #expect(try error("data=moons lr=0.1 steps=10 epochs=2").message == "use either steps or epochs, not both")
        #expect(try error("lr=0.1").message.contains("needs data="))
        #expect(try error("data=moons").message.contains("needs lr="))
        #expect(try error("data=moons lr=\"1 - 0.9*j\"").message.contains("only k"))
        #expect(try error("data=\"moons(n=ten)\" lr=0.1").line == 6)
        #expect(try error("data=moons lr=0.1 show=loss,boundry").help == "did you mean 'boundary'?")
        #expect(try error("data=moons lr=0.1 validate=1.5").message == "validate must be a number above 0 and below 1, got 1.5")
        #expect(try error("data=moons lr=0.1 optimizer=adam momentum=0.9").message.contains("momentum goes with"))
        // A figure asked for that the run cannot make.
        let boundary = try #require(catching { _ = try LessonBuilder().build(try lesson("data=moons lr=0.1 steps=2 show=boundary")) })
        #expect(boundary.location == "lessons/20-net.md:6:1")
        #expect(boundary.message.contains("classify="))
        // The model's own errors point into the lesson.
        let model = try #require(catching { _ = try LessonBuilder().build(try lesson("data=\"circles(n=20)\" lr=0.1 params=W9")) })
        #expect(model.file == "lessons/20-net.md")
    }

    @Test func workPerBlockIsBounded() throws {
        let e = try #require(catching { _ = try LessonBuilder().build(try lesson("data=\"moons(n=10000)\" lr=0.1 steps=100000")) })
        #expect(e.location == "lessons/20-net.md:6:1")
        #expect(e.message.contains("node evaluations"))
        #expect(e.message.contains("at most \(LessonBuilder.maxNetworkWorkPerBlock)"))
        let rows = try #require(catching { _ = try LessonBuilder().build(try lesson("data=\"moons(n=200000)\" lr=0.1 steps=1")) })
        #expect(rows.message.contains("at most \(LessonBuilder.maxNetworkRows)"))
    }

    @Test func dataFilesStayInTheLessonsFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gradtrace-network-\(UUID().uuidString)")
        let lessons = root.appendingPathComponent("lessons")
        try FileManager.default.createDirectory(at: lessons.appendingPathComponent("data"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        var csv = "x1,x2,y\n"
        for k in 0..<20 { csv += "\(Double(k) / 10),\(k % 2 == 0 ? 1 : -1),\(k % 2)\n" }
        try csv.write(to: lessons.appendingPathComponent("data/points.csv"), atomically: true, encoding: .utf8)
        try csv.write(to: root.appendingPathComponent("outside.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: lessons.appendingPathComponent("link.csv"), withDestinationURL: root.appendingPathComponent("outside.csv"))
        let path = lessons.appendingPathComponent("20-net.md").path
        func build(_ data: String) throws -> [OutputFile] {
            try LessonBuilder().build(try lesson("data=\(data) lr=0.1 steps=3 classify=score show=epochs,boundary", path: path))
        }
        let made = try build("data/points.csv")
        let readme = String(decoding: made.first { $0.path == "README.md" }!.bytes, as: UTF8.self)
        #expect(readme.contains("on data/points.csv, 20 rows"))  // named as written, not by this machine's path
        #expect(!readme.contains(root.path))
        for bad in ["../outside.csv", "/etc/passwd", "data/../../outside.csv", "link.csv"] {
            let e = try #require(catching { _ = try build(bad) }, "\(bad)")
            #expect(e.file == path)
            #expect(e.message.contains("lessons folder"), "\(bad): \(e.message)")
        }
        // A file whose name starts like a generator is still a file.
        try csv.write(to: lessons.appendingPathComponent("moons.csv"), atomically: true, encoding: .utf8)
        #expect(try build("moons.csv").count == made.count)
        let missing = try #require(catching { _ = try build("nope.csv") })
        #expect(missing.message.contains("no data file"))
    }
}
