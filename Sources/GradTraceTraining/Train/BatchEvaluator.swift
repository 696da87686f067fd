import GradTraceCore
/// The order of examples, batch by batch: the whole set in order every step (full batch), or
/// seeded shuffled mini-batches, reshuffled every epoch, the last batch of an epoch smaller.
package struct Batches {
    package let count: Int
    package let size: Int
    private var order: [Int]
    private var position = 0
    package private(set) var epoch = 0
    private var random: SeededRandom

    package init(count: Int, size: Int?, seed: UInt64) {
        self.count = count
        self.size = min(max(1, size ?? count), count)
        order = Array(0..<count)
        random = SeededRandom(seed: seed, stream: "batches")
    }

    /// Every row, in order.
    package var all: ArraySlice<Int> { Array(0..<count)[...] }

    package mutating func next() -> (rows: ArraySlice<Int>, epoch: Int, endsEpoch: Bool) {
        if position == 0 {
            epoch += 1
            if size < count { random.shuffle(&order) }
        }
        let end = min(position + size, count)
        let rows = order[position..<end]
        position = end == count ? 0 : end
        return (rows, epoch, position == 0)
    }
}

/// Runs one example or a batch of them through the model's tape: sets the data inputs row by
/// row, runs the one forward and backward kernel, and averages loss and gradients.
package struct BatchEvaluator {
    package private(set) var evaluator: Evaluator
    package let model: Model
    package let data: Dataset?
    package let classifier: Classifier.Resolved?

    package init(model: Model, data: Dataset?, classifier: Classifier.Resolved?) {
        self.model = model
        self.data = data
        self.classifier = classifier
        evaluator = Evaluator(graph: model.graph, inputs: model.inputs)
    }

    package var examples: Int { data?.count ?? 1 }
    package var scores: Bool { classifier != nil }

    package mutating func setParameters(_ w: [Double]) {
        for (k, id) in model.parameterNodes.enumerated() { evaluator.setInput(id, w[k]) }
    }

    private mutating func setExample(_ row: Int, of dataset: Dataset?) {
        guard let dataset else { return }
        for (node, column) in model.dataInputs { evaluator.setInput(node, dataset[row, column]) }
    }

    private func correct(_ row: Int, of dataset: Dataset?) -> Bool {
        guard let classifier, let dataset else { return false }
        return classifier.correct(evaluator.values, target: dataset[row, classifier.targetColumn])
    }

    /// Mean loss and mean gradients (into `gradients`, by parameter) over `rows`; and how many
    /// of them were classified right.
    package mutating func run(_ rows: ArraySlice<Int>, gradients: inout [Double]) -> (loss: Double, correct: Int) {
        for k in gradients.indices { gradients[k] = 0 }
        var loss = 0.0, right = 0
        let ids = model.parameterNodes
        for row in rows {
            setExample(row, of: data)
            loss += evaluator.run()
            if classifier != nil, correct(row, of: data) { right += 1 }
            evaluator.gradients.withUnsafeBufferPointer { g in
                for k in 0..<ids.count { gradients[k] += g[ids[k]] }
            }
        }
        let scale = 1 / Double(rows.count)
        for k in gradients.indices { gradients[k] *= scale }
        return (loss * scale, right)
    }

    /// Mean loss over `rows` of the training data (forward passes only).
    package mutating func loss(_ rows: ArraySlice<Int>) -> Double {
        var loss = 0.0
        for row in rows {
            setExample(row, of: data)
            evaluator.forwardOnly()
            loss += evaluator.output
        }
        return loss / Double(rows.count)
    }

    /// Mean loss and accuracy over every row of `dataset` (same columns as the training data)
    /// at parameters `w`.
    package mutating func score(_ dataset: Dataset, parameters w: [Double]) -> (loss: Double, accuracy: Double?) {
        setParameters(w)
        var loss = 0.0, right = 0
        for row in 0..<dataset.count {
            setExample(row, of: dataset)
            evaluator.forwardOnly()
            loss += evaluator.output
            if correct(row, of: dataset) { right += 1 }
        }
        let n = Double(max(1, dataset.count))
        return (loss / n, classifier == nil ? nil : Double(right) / n)
    }

    /// Units of a gate that can die (`GateKind.dies`: relu) whose output is 0 for every training
    /// example at `w`, by layer.
    package mutating func deadUnits(parameters w: [Double]) -> [Trainer.DeadUnits] {
        let graph = model.graph
        // Units: such gates that are elements of a named vector (a layer), not a loss's relu.
        let inLayers = Set(graph.tensors.flatMap(\.elements))
        let relus = (0..<graph.count).filter { graph.kind($0).dies && inLayers.contains($0) }
        guard !relus.isEmpty, let data else { return [] }
        setParameters(w)
        var alive = [Bool](repeating: false, count: relus.count)
        for row in 0..<data.count {
            setExample(row, of: data)
            evaluator.forwardOnly()
            let values = evaluator.values
            for (k, id) in relus.enumerated() where values[id] > 0 { alive[k] = true }
        }
        var layers: [String] = [], dead: [String: Int] = [:], total: [String: Int] = [:]
        for (k, id) in relus.enumerated() {
            let name = graph.nodes[id].name
            var layer = "relu"
            if let name, let i = name.firstIndex(of: "[") { layer = String(name[..<i]) }
            if total[layer] == nil { layers.append(layer) }
            total[layer, default: 0] += 1
            if !alive[k] { dead[layer, default: 0] += 1 }
        }
        return layers.map { Trainer.DeadUnits(layer: $0, dead: dead[$0] ?? 0, total: total[$0]!) }
    }
}
