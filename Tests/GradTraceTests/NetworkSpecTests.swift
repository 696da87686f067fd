import Testing
@testable import GradTrace

/// NetworkSpec's source text, BoundaryGrid and WeightGradientExplanation (the library side of
/// the network page).
@Suite struct NetworkSpecTests {
    @Test func microgradsNetworkIsExamplesMoons() throws {
        let spec = NetworkSpec(hidden: [16, 16])
        #expect(spec.layerSizes == [2, 16, 16, 1])
        let lines = spec.source.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let moons = """
            input x[2]
            param W1[16,2] = uniform(-1, 1)
            param b1[16] = 0
            param W2[16,16] = uniform(-1, 1)
            param b2[16] = 0
            param w3[16] = uniform(-1, 1)
            param b3 = 0
            h1 = relu(W1 @ x + b1)
            h2 = relu(W2 @ h1 + b2)
            score = w3 @ h2 + b3
            L = relu(1 - (2*y - 1) * score)
            """
        #expect(lines.joined(separator: "\n") == moons, "the same lines as examples/moons.gt")
    }

    @Test(arguments: NetworkSpec.Activation.allCases, NetworkSpec.Loss.allCases)
    func everyChoiceParsesAndTrains(_ activation: NetworkSpec.Activation, _ loss: NetworkSpec.Loss) throws {
        for hidden in [[], [3], [4, 3, 2, 2]] {
            let spec = NetworkSpec(hidden: hidden, activation: activation, loss: loss)
            var graph = try Explanation.graph(source: SourceText(spec.source))
            graph.initializeParameters(seed: 3)
            let data = try Dataset.load("xor(n=40, noise=0.1, seed=2)")
            let model = try Model(graph: graph, data: data)
            let sizes = spec.layerSizes
            let expected = zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
            #expect(model.parameterNames.count == expected)
            var trainer = Trainer(parameters: nil, learningRate: 0.05, steps: 5)
            trainer.batchSize = 8  // the explanation's rows must be the step's batch
            trainer.seed = 5
            trainer.penalty = .l2(0.01)
            trainer.classifier = try Classifier.parse("score")
            let run = try trainer.train(model, data: data)
            #expect(run.stepsTaken == 5 && run.divergence == nil)

            // The grid covers the points; a weight's rows add up to the engine's gradient.
            var grid = try #require(BoundaryGrid(model: model, data: data, points: [data], classifier: try Classifier.parse("score"), resolution: 8))
            #expect(grid.cells(parameters: run.finalParameters).count == 64)
            let step = try #require(run.entry(step: 3))
            let batch = trainer.rows(ofStep: 3, examples: data.count)
            let e = try WeightGradientExplanation(model: model, trainer: trainer, step: step, batch: batch, data: data, index: 0)
            #expect(abs(e.batchMean + e.penalty - e.gradient) <= 1e-12 * max(1, abs(e.gradient)))
            #expect(e.examples.map(\.row) == batch && batch.count == 8)
        }
    }
}
