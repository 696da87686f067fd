import GradTraceCore
import GradTraceViews
/// What a live page shows of a training run that the run itself does not keep: the class of
/// every cell of a grid over the plane (the decision regions), and one parameter's gradient
/// taken apart example by example. Both go through the same graph and kernels as training.

/// The decision regions of a two-input classifier on a fixed grid: the grid's range is set once
/// (from the points) so that frames of a run line up; `cells(parameters:)` re-runs the forward
/// pass of the one tape per cell centre.
package struct BoundaryGrid {
    /// The x and y ranges.
    package let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    /// Cells per side.
    package let resolution: Int
    private var evaluator: Evaluator
    private let parameterNodes: [Int]
    private let x1: Int, x2: Int
    private let resolved: Classifier.Resolved

    /// A grid over `points` (columns x1 and x2, with the margin of `DecisionBoundary`) for
    /// `model`, whose inputs bound to x1 and x2 of `data` are varied. Nil when the model does not
    /// read x1 and x2 from the data or the classifier does not apply.
    package init?(model: Model, data: Dataset, points: [Dataset], classifier: Classifier, resolution: Int) {
        guard let resolved = try? classifier.resolve(model, data: data),
              let c1 = data.columns.firstIndex(of: "x1"), let c2 = data.columns.firstIndex(of: "x2"),
              let n1 = model.dataInputs.first(where: { $0.column == c1 })?.node,
              let n2 = model.dataInputs.first(where: { $0.column == c2 })?.node else { return nil }
        var xs: [Double] = [], ys: [Double] = []
        for set in points {
            guard let a = set.columns.firstIndex(of: "x1"), let b = set.columns.firstIndex(of: "x2") else { continue }
            for r in 0..<set.count { xs.append(set[r, a]); ys.append(set[r, b]) }
        }
        let xm = ((xs.max() ?? 1) - (xs.min() ?? -1)) * 0.1 + 0.1, ym = ((ys.max() ?? 1) - (ys.min() ?? -1)) * 0.1 + 0.1
        xRange = ((xs.min() ?? -1) - xm)...((xs.max() ?? 1) + xm)
        yRange = ((ys.min() ?? -1) - ym)...((ys.max() ?? 1) + ym)
        self.resolution = max(2, resolution)
        evaluator = Evaluator(graph: model.graph, inputs: model.inputs)
        parameterNodes = model.parameterNodes
        x1 = n1
        x2 = n2
        self.resolved = resolved
    }

    /// The class of each cell at parameters `w` (0 or 1; for a vector output, its largest
    /// element's index), row by row from the bottom.
    package mutating func cells(parameters w: [Double]) -> [UInt8] {
        for (k, id) in parameterNodes.enumerated() { evaluator.setInput(id, w[k]) }
        var out = [UInt8](repeating: 0, count: resolution * resolution)
        let dx = (xRange.upperBound - xRange.lowerBound) / Double(resolution), dy = (yRange.upperBound - yRange.lowerBound) / Double(resolution)
        for r in 0..<resolution {
            evaluator.setInput(x2, yRange.lowerBound + (Double(r) + 0.5) * dy)
            for c in 0..<resolution {
                evaluator.setInput(x1, xRange.lowerBound + (Double(c) + 0.5) * dx)
                evaluator.forwardOnly()
                out[r * resolution + c] = UInt8(resolved.predict(evaluator.values))
            }
        }
        return out
    }
}

/// One parameter's gradient at one step, taken apart: for each example of the batch, the gates
/// the parameter feeds, each with its local gradient and the upstream gradient it received
/// (local × upstream), their sum for that example, the batch mean, the penalty's share, and the
/// update. Every number comes from the tracer, the same kernels as training.
package struct WeightGradientExplanation: Sendable {
    /// One use of the parameter by a gate, in one example.
    package struct Use: Sendable {
        /// The gate's label (`W1[3,1] * x[1]` is written by its walkthrough name).
        package var gate: String
        /// ∂gate/∂parameter.
        package var local: Double
        /// ∂L/∂gate.
        package var upstream: Double
        /// local × upstream.
        package var product: Double
    }
    /// One example of the batch.
    package struct Example: Sendable {
        /// The row, from 0.
        package var row: Int
        package var uses: [Use]
        /// ∂L/∂parameter for this example: the sum over its uses.
        package var gradient: Double
    }
    /// The parameter's name.
    package var parameter: String
    /// Its index in the model's parameter list.
    package var index: Int
    /// Its value before the step.
    package var value: Double
    /// The batch's examples, in row order.
    package var examples: [Example]
    /// The mean of the examples' gradients.
    package var batchMean: Double
    /// The penalty's share (2λw for L2).
    package var penalty: Double
    /// The gradient the step used: the engine's (batch mean + penalty).
    package var gradient: Double
    /// The step's learning rate.
    package var learningRate: Double
    /// The value after the step.
    package var updated: Double
    /// The update rule.
    package var rule: String

    /// Explains parameter `index` at `step` (taken by a run of `trainer` on `data` with
    /// `model`), whose batch was `batch`.
    package init(model: Model, trainer: Trainer, step: Trainer.Step, batch: [Int], data: Dataset, index: Int) throws(Diagnostic) {
        let graph = model.graph
        let node = model.parameterNodes[index]
        var consumers: [(gate: Int, slot: Int)] = []
        for i in 0..<graph.count {
            let ins = graph.inputs(of: i)
            for (s, input) in ins.enumerated() where input == node && s < 2 { consumers.append((i, s)) }
        }
        let labels = Labels(graph)
        var examples: [Example] = []
        var sum = 0.0
        for row in batch {
            let trace = try Tracer(bindings: model.bindings(row: row, of: data, parameters: step.parameters)).trace(graph)
            var uses: [Use] = []
            var g = 0.0
            for (gate, slot) in consumers where trace.reachesOutput[gate] {
                let local = trace.locals[2 * gate + slot], upstream = trace.gradients[gate]
                uses.append(Use(gate: labels[gate], local: local, upstream: upstream, product: trace.contributions[2 * gate + slot]))
                g += trace.contributions[2 * gate + slot]
            }
            examples.append(Example(row: row, uses: uses, gradient: g))
            sum += g
        }
        parameter = model.parameterNames[index]
        self.index = index
        value = step.parameters[index]
        self.examples = examples
        batchMean = batch.isEmpty ? 0 : sum / Double(batch.count)
        penalty = trainer.penalty.gradient(step.parameters[index])
        gradient = step.gradients[index]
        learningRate = step.learningRate
        updated = step.updated[index]
        rule = trainer.optimizer.rule
    }
}
