import Foundation
import Testing
@testable import GradTrace

/// Training on data: a batch's gradient is the mean of its examples' gradients, seeded runs
/// repeat exactly, a saved step explains again to the same numbers, and micrograd's demo
/// reaches 100% training accuracy.
@Suite struct DataTrainingTests {
    static let model = """
    input x[2]
    param W[3,2] = uniform(-1, 1)
    param b[3] = 0
    param v[3] = uniform(-1, 1)
    h = tanh(W @ x + b)
    score = v @ h
    L = relu(1 - (2*y - 1) * score)
    """

    func setup(batch: Int? = nil) throws -> (Model, Trainer, Dataset) {
        let data = try Dataset.load("moons(n=40, noise=0.1, seed=3)")
        let model = try Model(graph: try Parser.parse(DataTrainingTests.model), data: data)
        var trainer = Trainer(parameters: nil, learningRate: 0.3, steps: 12, optimizer: .momentum(0.9))
        trainer.batchSize = batch
        trainer.seed = 5
        trainer.penalty = .l2(1e-3)
        trainer.classifier = try Classifier.parse("score")
        return (model, trainer, data)
    }

    /// ∂L/∂parameters of one example at parameters `w`, through an ordinary trace.
    func exampleGradients(_ model: Model, _ data: Dataset, row: Int, at w: [Double]) throws -> (Double, [Double]) {
        let t = try Tracer(bindings: model.bindings(row: row, of: data, parameters: w)).trace(model.graph)
        return (t.output, model.parameterNodes.map { t.gradients[$0] })
    }

    @Test func batchGradientIsTheMeanOfExampleGradientsPlusPenalty() throws {
        let (model, trainer, data) = try setup(batch: 8)
        let run = try trainer.train(model, data: data)
        for stepNumber in [1, 6, 12] {
            let step = run.entry(step: stepNumber)!
            let rows = trainer.rows(ofStep: stepNumber, examples: data.count)
            #expect(rows.count == 8 || stepNumber == 5 || stepNumber == 10)
            // Momentum: the gradient is taken at the weights themselves.
            var mean = [Double](repeating: 0, count: step.parameters.count), loss = 0.0
            for r in rows {
                let (l, g) = try exampleGradients(model, data, row: r, at: step.parameters)
                loss += l / Double(rows.count)
                for k in g.indices { mean[k] += g[k] / Double(rows.count) }
            }
            for k in mean.indices {
                #expect(abs(step.gradients[k] - (mean[k] + 2e-3 * step.parameters[k])) < 1e-14)
            }
            #expect(abs(step.loss - (loss + 1e-3 * step.parameters.reduce(0) { $0 + $1 * $1 })) < 1e-14)
        }
    }

    @Test func miniBatchesCoverEveryRowOncePerEpoch() throws {
        let (_, trainer, data) = try setup(batch: 8)
        var seen: [Int] = []
        for step in 1...5 { seen += trainer.rows(ofStep: step, examples: data.count) }
        #expect(seen.sorted() == Array(0..<40))
        var second: [Int] = []
        for step in 6...10 { second += trainer.rows(ofStep: step, examples: data.count) }
        #expect(second.sorted() == Array(0..<40) && second != seen, "reshuffled each epoch")
    }

    @Test func seededRunsAreByteIdentical() throws {
        let (model, trainer, data) = try setup(batch: 8)
        var t = trainer
        t.validation = try Dataset.load("moons(n=20, noise=0.1, seed=4)")
        let a = try t.train(model, data: data), b = try t.train(model, data: data)
        let ra = NetworkReport(model: model, trainer: t, run: a, data: data, format: .standard)
        let rb = NetworkReport(model: model, trainer: t, run: b, data: data, format: .standard)
        let fa = try ra.files(classifier: t.classifier), fb = try rb.files(classifier: t.classifier)
        #expect(fa.map(\.path) == fb.map(\.path))
        for (x, y) in zip(fa, fb) { #expect(x.bytes == y.bytes, "\(x.path)") }
        #expect(fa.contains { $0.path == "boundary.png" } && fa.contains { $0.path == "network.svg" })
        t.seed = 6
        #expect(try t.train(model, data: data).finalParameters != a.finalParameters)
    }

    @Test func aSavedStepExplainsAgainToTheSameNumbers() throws {
        var (model, trainer, data) = try setup(batch: 8)
        trainer.snapshotSteps = [7]
        let run = try trainer.train(model, data: data)
        let saved = ParameterFile.json(names: run.parameters, values: run.snapshots[7]!, step: 7, about: "test")
        let loaded = try ParameterFile.read(saved, file: "params-step-7.json")
        let w = run.parameters.map { loaded[$0]! }
        #expect(w == run.entry(step: 7)!.parameters)
        // Explain the batch's first example through the CLI's path: bindings from the data row and the file.
        let explanation = try StepExplanation(model: model, trainer: trainer, step: run.entry(step: 7)!, parameters: w,
                                              batch: trainer.rows(ofStep: 7, examples: data.count), row: trainer.rows(ofStep: 7, examples: data.count)[0],
                                              data: data, format: .standard)
        let (_, g) = try exampleGradients(model, data, row: explanation.row, at: run.entry(step: 7)!.parameters)
        #expect(model.parameterNodes.enumerated().allSatisfy { explanation.trace.gradients[$0.element] == g[$0.offset] })
        // The update rows say the history's numbers.
        let rows = explanation.updateRows
        #expect(rows.count == run.parameters.count + 1)
    }

    @Test func microgradMoonsDemoReachesFullAccuracy() throws {
        let source = try SourceReader.read(path: packageRoot.appendingPathComponent("examples/moons.gt").path)
        let data = try Dataset.load(packageRoot.appendingPathComponent("examples/moons.csv").path)
        let model = try Model(graph: try Parser.parse(source), data: data)
        #expect(model.parameterNames.count == 337)
        var trainer = Trainer(parameters: nil, schedule: try Schedule.parse("1 - 0.9*k/100"), steps: 100)
        trainer.penalty = .l2(1e-4)
        trainer.classifier = try Classifier.parse("score")
        let run = try trainer.train(model, data: data)
        #expect(run.finalAccuracy == 1)
        #expect(run.finalLoss < 0.05)
    }

    @Test func theSeedsLossesTrain() throws {
        // Softmax cross-entropy on three classes (argmax of a vector) and binary cross-entropy (p > 0.5).
        for (file, data, optimizer, lr, steps, batch, classify, least) in [
            ("spiral.gt", "spiral(n=300, classes=3, seed=1)", Optimizer.adamDefault, 0.01, 200, Int?.none, "z", 0.9),
            ("circles.gt", "circles(n=200, noise=0.05, seed=1)", Optimizer.adamDefault, 0.05, 400, Int?(20), "p > 0.5", 0.97),
        ] {
            let source = try SourceReader.read(path: packageRoot.appendingPathComponent("examples/\(file)").path)
            let rows = try Dataset.load(data)
            var trainer = Trainer(parameters: nil, learningRate: lr, steps: steps, optimizer: optimizer)
            trainer.batchSize = batch
            trainer.classifier = try Classifier.parse(classify)
            let run = try trainer.train(try Model(graph: try Parser.parse(source), data: rows), data: rows)
            #expect((run.finalAccuracy ?? 0) >= least, "\(file): \(run.finalAccuracy ?? -1)")
            #expect(run.epochs.first!.trainingLoss > 2 * run.epochs.last!.trainingLoss, "\(file): the loss fell")
        }
    }

    @Test func fixedInputTrainingIsUnchangedByTheDataPath() throws {
        // Without data the trainer is the single-example case of the same loop: Mazur's first step.
        let graph = try Parser.parse(try SourceReader.read(path: packageRoot.appendingPathComponent("examples/mazur.gt").path))
        let run = try Trainer(parameters: ["w5"], learningRate: 0.5, steps: 1).train(graph)
        #expect(abs(run.history[0].updated[0] - 0.35891648) < 1e-8)
    }
}
