import GradTraceCore
/// One training run, a step at a time: the loop `Trainer.train` runs to the end, and a live
/// page runs a few steps per frame. Holds the weights, the optimiser's state, the batch order
/// and the epoch's running scores; every step goes through the one `BatchEvaluator`.
package struct TrainingSession {
    /// The settings.
    package let trainer: Trainer
    /// The model trained.
    package let model: Model
    /// The training rows (nil: the model's fixed inputs, one example).
    package let data: Dataset?
    private var evaluator: BatchEvaluator
    /// The current weights, in `model.parameterNodes` order.
    package private(set) var weights: [Double]
    private var state: Optimizer.State
    private var point: [Double], grads: [Double], updated: [Double]
    private var batches: Batches
    /// Parameter groups (a declared tensor's name, or the parameter's) and each parameter's group.
    package let groups: [String]
    private let groupOf: [Int], groupSizes: [Int]
    private var epochLoss = 0.0, epochCorrect = 0, epochSeen = 0, epochSteps = 0
    private var epochSquares: [Double]
    /// Updates made.
    package private(set) var stepsTaken = 0
    /// The epochs finished.
    package private(set) var epochs: [Trainer.Epoch] = []
    /// Why the run stopped with a non-finite number, if it did.
    package private(set) var divergence: Trainer.Divergence?
    /// Whether a batch's loss fell below `stopBelow`.
    package private(set) var stoppedEarly = false
    /// The parameters of the snapshot steps, by step.
    package private(set) var snapshots: [Int: [Double]] = [:]
    /// The last step taken.
    package private(set) var lastStep: Trainer.Step?

    /// A session at the model's starting weights.
    package init(trainer: Trainer, model: Model, data: Dataset?) throws(Diagnostic) {
        self.trainer = trainer
        self.model = model
        self.data = data
        evaluator = BatchEvaluator(model: model, data: data, classifier: try trainer.classifier?.resolve(model, data: data))
        weights = model.initialParameters
        let p = weights.count
        state = Optimizer.State(count: p)
        point = weights
        grads = [Double](repeating: 0, count: p)
        updated = weights
        batches = Batches(count: evaluator.examples, size: trainer.batchSize, seed: trainer.seed)
        var groups: [String] = [], groupOf: [Int] = []
        let graph = model.graph
        for id in model.parameterNodes {
            let group = graph.parameters.first { $0.elements.contains(id) }?.name ?? graph.nodes[id].name ?? "?"
            if let g = groups.firstIndex(of: group) { groupOf.append(g) } else { groups.append(group); groupOf.append(groups.count - 1) }
        }
        self.groups = groups
        self.groupOf = groupOf
        groupSizes = (0..<groups.count).map { g in groupOf.filter { $0 == g }.count }
        epochSquares = [Double](repeating: 0, count: groups.count)
    }

    /// Whether no more steps will be taken.
    package var isFinished: Bool { stepsTaken >= trainer.steps || divergence != nil || stoppedEarly }

    /// Takes the next step and returns it; nil when the run is over.
    package mutating func step() -> Trainer.Step? {
        guard !isFinished else { return nil }
        let stepNumber = stepsTaken + 1
        let (rows, epoch, endsEpoch) = batches.next()
        let eta = trainer.schedule.rate(afterUpdates: stepNumber - 1)
        let p = weights.count
        trainer.optimizer.gradientPoint(weights, state, into: &point)
        evaluator.setParameters(point)
        let batch = evaluator.run(rows, gradients: &grads)
        var loss = batch.loss
        if trainer.optimizer.lookahead != 0 {
            // Report the loss at the weights themselves, not at the look-ahead point.
            evaluator.setParameters(weights)
            loss = evaluator.loss(rows)
        }
        epochLoss += loss * Double(rows.count)
        epochCorrect += batch.correct
        epochSeen += rows.count
        epochSteps += 1
        let penalty = trainer.penalty
        if penalty != .none {
            loss += penalty.value(weights)
            for k in 0..<p { grads[k] += penalty.gradient(point[k]) }
        }
        for k in 0..<p { epochSquares[groupOf[k]] += grads[k] * grads[k] }
        if trainer.snapshotSteps.contains(stepNumber) { snapshots[stepNumber] = weights }
        if !loss.isFinite {
            // Name the parameter that ran away: the one of largest magnitude.
            let worst = weights.indices.max { abs(weights[$0]) < abs(weights[$1]) || (weights[$1].isNaN && !weights[$0].isNaN) }
            divergence = Trainer.Divergence(step: stepNumber, parameter: nil, value: loss, largest: worst.map { (model.parameterNames[$0], weights[$0]) })
            return nil
        }
        if let stopBelow = trainer.stopBelow, loss < stopBelow {
            stoppedEarly = true
            stepsTaken = stepNumber
            let s = Trainer.Step(step: stepNumber, loss: loss, parameters: weights, gradients: grads, updated: weights, learningRate: eta, epoch: epoch)
            lastStep = s
            return s
        }
        trainer.optimizer.update(weights, grads, eta: eta, state: &state, into: &updated)
        let s = Trainer.Step(step: stepNumber, loss: loss, parameters: weights, gradients: grads, updated: updated, learningRate: eta, epoch: epoch)
        lastStep = s
        stepsTaken = stepNumber
        if let bad = updated.firstIndex(where: { !$0.isFinite }) {
            divergence = Trainer.Divergence(step: stepNumber, parameter: model.parameterNames[bad], value: updated[bad])
            return s
        }
        swap(&weights, &updated)
        if endsEpoch && data != nil {
            var record = Trainer.Epoch(epoch: epoch, updates: stepNumber, trainingLoss: epochLoss / Double(epochSeen),
                                       trainingAccuracy: evaluator.scores ? Double(epochCorrect) / Double(epochSeen) : nil,
                                       validationLoss: nil, validationAccuracy: nil,
                                       gradientRMS: epochSquares.indices.map { (epochSquares[$0] / Double(groupSizes[$0] * epochSteps)).squareRoot() })
            if let validation = trainer.validation {
                let score = evaluator.score(validation, parameters: weights)
                record.validationLoss = score.loss
                record.validationAccuracy = score.accuracy
            }
            epochs.append(record)
            epochLoss = 0; epochCorrect = 0; epochSeen = 0; epochSteps = 0
            for g in epochSquares.indices { epochSquares[g] = 0 }
        }
        return s
    }

    /// Mean loss (with the penalty) and accuracy over every training row at the current weights.
    package mutating func score() -> (loss: Double, accuracy: Double?) {
        evaluator.setParameters(weights)
        let loss = evaluator.loss(batches.all) + trainer.penalty.value(weights)
        let accuracy = evaluator.scores && data != nil ? evaluator.score(data!, parameters: weights).accuracy : nil
        return (loss, accuracy)
    }

    /// Mean loss and accuracy over `rows` (same columns as the training data) at the current weights.
    package mutating func score(_ rows: Dataset) -> (loss: Double, accuracy: Double?) {
        evaluator.score(rows, parameters: weights)
    }

    /// Dead ReLUs at the current weights (with data).
    package mutating func deadUnits() -> [Trainer.DeadUnits] { data == nil ? [] : evaluator.deadUnits(parameters: weights) }

    /// Ends the run: the final loss, accuracy and dead units, with no history (`Trainer.train` adds it).
    package mutating func finish() -> Trainer.Run {
        let (finalLoss, accuracy) = score()
        if divergence == nil, !finalLoss.isFinite {
            divergence = Trainer.Divergence(step: stepsTaken + 1, parameter: nil, value: finalLoss, largest: nil)
        }
        var run = Trainer.Run(parameters: model.parameterNames, history: [], complete: true, stepsTaken: stepsTaken, finalLoss: finalLoss,
                              finalParameters: weights, divergence: divergence, stoppedEarly: stoppedEarly)
        run.epochs = epochs
        run.groups = groups
        run.snapshots = snapshots
        if data != nil {
            run.deadUnits = deadUnits()
            run.finalAccuracy = accuracy
        }
        return run
    }
}
