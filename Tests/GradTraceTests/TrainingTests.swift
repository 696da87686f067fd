import Foundation
import Testing
@testable import GradTrace

/// Reference section 5: Matt Mazur's 2-2-2 network, and the optimisers' update rules.
@Suite struct TrainingTests {
    static let weights = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"]

    func mazur() throws -> Graph {
        try Parser.parse(try SourceReader.read(path: packageRoot.appendingPathComponent("examples/mazur.gt").path))
    }

    @Test func forwardPassAsPublished() throws {
        let t = try Tracer().trace(try mazur())
        let nine = NumberFormat(precision: 9)
        #expect(t.value(of: "net_h1") == 0.3775)
        #expect(nine(try #require(t.value(of: "out_h1"))) == "0.593269992")
        #expect(nine(try #require(t.value(of: "out_h2"))) == "0.596884378")
        #expect(nine(try #require(t.value(of: "net_o1"))) == "1.105905967")
        #expect(NumberFormat(precision: 8)(try #require(t.value(of: "out_o1"))) == "0.75136507")
        #expect(nine(try #require(t.value(of: "out_o2"))) == "0.772928465")
        #expect(nine(try #require(t.value(of: "E_o1"))) == "0.274811083")
        #expect(nine(try #require(t.value(of: "E_o2"))) == "0.023560026")
        #expect(nine(t.output) == "0.298371109")
        #expect(nine(try #require(t.gradient(of: "w5"))) == "0.082167041")
        #expect(nine(try #require(t.gradient(of: "w1"))) == "0.000438568")
    }

    @Test func oneStepUpdatesAsPublished() throws {
        let run = try Trainer(parameters: Self.weights, learningRate: 0.5, steps: 1).train(try mazur())
        let published = ["0.149780716", "0.19956143", "0.24975114", "0.29950229", "0.35891648", "0.408666186", "0.511301270", "0.561370121"]
        for (k, text) in published.enumerated() {
            let decimals = text.split(separator: ".")[1].count
            #expect(NumberFormat(precision: decimals)(run.finalParameters[k]) == text, "\(Self.weights[k])")
        }
        // The loss after one step, with every gradient taken at the old weights (the errata).
        #expect(relativeDifference(run.finalLoss, 0.29102777369359933) < 1e-14)
    }

    @Test func tenThousandStepsAsComputed() throws {
        let run = try Trainer(parameters: Self.weights, learningRate: 0.5, steps: 10_000).train(try mazur())
        #expect(run.history.count == 10_000)
        #expect(relativeDifference(run.finalLoss, 3.510187782978859e-05) < 1e-9)
        let out = try Tracer(bindings: Dictionary(uniqueKeysWithValues: zip(Self.weights, run.finalParameters))).trace(try mazur())
        #expect(relativeDifference(try #require(out.value(of: "out_o1")), 0.01591362044355068) < 1e-9)
        #expect(relativeDifference(try #require(out.value(of: "out_o2")), 0.9840642735146238) < 1e-9)
        #expect(run.divergence == nil)
    }

    @Test func momentumByHand() throws {
        // L = w², g = 2w. From w = 1 with η = 0.1, μ = 0.9:
        // step 1: v = -0.2, w = 0.8; step 2: g = 1.6, v = 0.9·(-0.2) - 0.16 = -0.34, w = 0.46;
        // step 3: g = 0.92, v = 0.9·(-0.34) - 0.092 = -0.398, w = 0.062.
        let graph = try Parser.parse("w = 1; L = w^2")
        let run = try Trainer(parameters: ["w"], learningRate: 0.1, steps: 3, optimizer: .momentum(0.9)).train(graph)
        let ws = run.history.map { $0.parameters[0] } + [run.finalParameters[0]]
        for (got, want) in zip(ws, [1, 0.8, 0.46, 0.062]) { #expect(abs(got - want) < 1e-12, "\(ws)") }
        #expect(run.history.map { $0.gradients[0] }.enumerated().allSatisfy { abs($0.element - 2 * ws[$0.offset]) < 1e-12 })
        // Nesterov takes the gradient at w + μv: step 2 looks ahead to 0.8 - 0.18 = 0.62, g = 1.24,
        // v = -0.18 - 0.124 = -0.304, w = 0.496.
        let nesterov = try Trainer(parameters: ["w"], learningRate: 0.1, steps: 2, optimizer: .nesterov(0.9)).train(graph)
        #expect(abs(nesterov.finalParameters[0] - 0.496) < 1e-12)
        #expect(abs(nesterov.history[1].gradients[0] - 1.24) < 1e-12)
        // Plain gradient descent for comparison: 1 → 0.8 → 0.64.
        let plain = try Trainer(parameters: ["w"], learningRate: 0.1, steps: 2).train(graph)
        #expect(abs(plain.finalParameters[0] - 0.64) < 1e-12)
    }

    @Test func divergenceNamesTheStepAndParameter() throws {
        let graph = try Parser.parse("w = 1; L = w^4")
        let run = try Trainer(parameters: ["w"], learningRate: 10, steps: 50).train(graph)
        let divergence = try #require(run.divergence)
        #expect(divergence.step < 10)
        #expect(divergence.description.hasPrefix(divergence.parameter != nil ? "training diverged in update \(divergence.step): "
                                                  : "training diverged: after \(divergence.step - 1) updates"))
        #expect(divergence.description.contains("w"))
        #expect(divergence.description.contains("learning rate"))
        // The table keeps every step before the divergence (and the step whose update ran away).
        #expect(run.history.count == (divergence.parameter == nil ? divergence.step - 1 : divergence.step))
        #expect(run.history.allSatisfy { $0.loss.isFinite })
    }

    @Test func stopsBelowAThreshold() throws {
        let run = try Trainer(parameters: ["w"], learningRate: 0.1, steps: 1000, stopBelow: 1e-6).train(try Parser.parse("w = 1; L = w^2"))
        #expect(run.stoppedEarly)
        #expect(run.history.last!.loss < 1e-6)
        #expect(run.history.dropLast().allSatisfy { $0.loss >= 1e-6 })
    }

    @Test func unknownParameterIsAnError() throws {
        let d = catching { _ = try Trainer(parameters: ["w9"], learningRate: 0.1, steps: 1).train(try mazur()) }
        #expect(d?.message == "'w9' is not an input of the loss, so it cannot be trained")
    }

    @Test func trainCommandWritesTheReportAndFailsClearlyOnDivergence() throws {
        let dir = try temporaryDirectory()
        let ok = try CLI.run(["train", packageRoot.appendingPathComponent("examples/mazur.gt").path, "--params", Self.weights.joined(separator: ","),
                              "--lr", "0.5", "--steps", "10", "--precision", "9", "-o", dir.path])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("w5 ← 0.400000000 − 0.5 × 0.082167041 = 0.358916480"))
        #expect(try String(contentsOf: dir.appendingPathComponent("history.csv"), encoding: .utf8).split(separator: "\n").count == 12)  // header, then after 0 to 10 updates
        let png = try Data(contentsOf: dir.appendingPathComponent("loss.png"))
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        let bad = try CLI.run(["train", "w = 1; L = w^4", "--params", "w", "--lr", "10", "--steps", "50"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("training diverged"))
        #expect(bad.stdout.contains("Training"), "the table up to the divergence is still printed")
    }

    @Test func thinnedRows() {
        #expect(Trainer.thinned(3) == [1, 2, 3])
        #expect(Trainer.thinned(10_000) == [1, 2, 3, 4, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000])
        #expect(Trainer.thinned(137) == [1, 2, 3, 4, 5, 10, 20, 50, 100, 137])
    }
}

/// Long runs keep only what the report shows, so memory does not grow with the steps; a lesson
/// block's work is capped.
@Suite struct BoundedTrainingTests {
    @Test func aLongRunKeepsTheTableRowsTheChartAndTheLastStep() throws {
        let graph = try Parser.parse("w = 3; (w - 1)^2")
        var trainer = Trainer(parameters: ["w"], learningRate: 0.0001, steps: 50_000)
        let full = try trainer.train(graph)
        trainer.historyLimit = 1_000
        let bounded = try trainer.train(graph)
        #expect(full.complete && full.history.count == 50_000)
        #expect(!bounded.complete && bounded.history.count < 2_200 && bounded.stepsTaken == 50_000)
        #expect(bounded.finalLoss == full.finalLoss && bounded.finalParameters == full.finalParameters)
        // Every row of the report's table is still there, with the same numbers.
        for updates in Trainer.thinnedUpdates(50_000) {
            #expect(bounded.loss(afterUpdates: updates) == full.loss(afterUpdates: updates), "after \(updates) updates")
        }
        let a = TrainingReport(trainer: trainer, run: full, firstStep: try Tracer().trace(graph), format: .standard)
        let b = TrainingReport(trainer: trainer, run: bounded, firstStep: try Tracer().trace(graph), format: .standard)
        #expect(a.tableRows == b.tableRows)
        #expect(b.resultLine == a.resultLine)
    }

    @Test func aLessonBlockCannotTrainWithoutBound() throws {
        let text = "```gradtrace-train params=w lr=0.1,0.2,0.3 steps=400000\nw = 3\nL = (w - 1)^2\n```\n"
        let lesson = try LessonParser.parse(SourceText(text, name: "big.md"), fileName: "big.md")
        do {
            _ = try LessonBuilder().build(lesson)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("1200000 steps in all"))
            #expect(error.line == 1)
        }
    }
}
