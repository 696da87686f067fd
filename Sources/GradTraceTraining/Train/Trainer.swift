import GradTraceCore
import GradTraceViews
/// The update rules, by a second name `Trainer.Optimizer` can refer to without naming the module
/// (the fuzz targets compile these files into a module of another name).
package typealias UpdateRule = Optimizer

/// Gradient descent on a traced graph: the parameters are inputs chosen by name (or declared
/// with `param`), the loss is the output. With data, the loss is one example's: each step
/// averages it and its gradients over a batch of rows and adds the penalty once. The graph is
/// built once; each example re-runs the same tape through the one forward and backward kernel.
package struct Trainer: Sendable {
    /// The update rules (Optimizer.swift).
    package typealias Optimizer = UpdateRule

    /// A penalty on the parameters, added once per batch.
    package enum Penalty: Sendable, Equatable {
        /// None.
        case none
        /// λ·Σw², gradient 2λw.
        case l2(Double)
        /// λ·Σ|w|, gradient λ·sign(w) (0 at 0).
        case l1(Double)

        /// The penalty's value at `w`: λ·Σw² or λ·Σ|w|.
        package func value(_ w: [Double]) -> Double {
            switch self {
            case .none: return 0
            case .l2(let lambda): return lambda * w.reduce(0) { $0 + $1 * $1 }
            case .l1(let lambda): return lambda * w.reduce(0) { $0 + abs($1) }
            }
        }

        /// Its gradient with respect to one weight w: 2λw, or λ·sign(w) (0 at 0).
        @inline(__always) package func gradient(_ w: Double) -> Double {
            switch self {
            case .none: return 0
            case .l2(let lambda): return 2 * lambda * w
            case .l1(let lambda): return w > 0 ? lambda : w < 0 ? -lambda : 0
            }
        }

        /// How reports write it.
        package var description: String {
            switch self {
            case .none: return "none"
            case .l2(let l): return "L2, λ = \(formatShortest(l)): λ·Σw² (gradient 2λw)"
            case .l1(let l): return "L1, λ = \(formatShortest(l)): λ·Σ|w| (gradient λ·sign(w))"
            }
        }
    }

    /// Names of the inputs to train, in the order every parameter list follows; nil: every
    /// `param` the source declares.
    package var parameters: [String]?
    /// The learning rate at each step.
    package var schedule: Schedule
    /// The most updates to make.
    package var steps: Int
    /// The update rule.
    package var optimizer: Optimizer
    /// Stop once the loss falls below this.
    package var stopBelow: Double?
    /// The penalty on the parameters.
    package var penalty: Penalty = .none
    /// Rows per batch; nil: the whole data set every step (full batch).
    package var batchSize: Int?
    /// The seed of the mini-batches' shuffling.
    package var seed: UInt64 = 0
    /// How to score accuracy, when the model classifies.
    package var classifier: Classifier?
    /// Rows to measure after every epoch (loss and accuracy), not trained on.
    package var validation: Dataset?
    /// Steps whose parameters are kept in `Run.snapshots` (to save them and explain the step later).
    package var snapshotSteps: Set<Int> = []

    /// η, the first step's learning rate.
    package var learningRate: Double { schedule.initial }

    /// A trainer of the inputs named in `parameters`; every other input of the loss stays fixed.
    package init(parameters: [String]?, learningRate: Double, steps: Int, optimizer: Optimizer = .gradientDescent, stopBelow: Double? = nil) {
        self.init(parameters: parameters, schedule: .constant(learningRate), steps: steps, optimizer: optimizer, stopBelow: stopBelow)
    }

    /// A trainer with a learning-rate schedule.
    package init(parameters: [String]?, schedule: Schedule, steps: Int, optimizer: Optimizer = .gradientDescent, stopBelow: Double? = nil) {
        self.parameters = parameters
        self.schedule = schedule
        self.steps = steps
        self.optimizer = optimizer
        self.stopBelow = stopBelow
    }

    /// What happened at one step: the loss and gradients at the parameters *before* the
    /// update (all gradients of a step are taken at the old weights), and the new parameters.
    package struct Step: Sendable, Equatable {
        /// The step's number, from 1.
        package var step: Int
        /// The loss at `parameters`: with data, the batch's mean per-example loss plus the penalty.
        package var loss: Double
        /// The parameters before the update, in `Trainer.parameters` order.
        package var parameters: [Double]
        /// ∂loss/∂parameter, taken at the old parameters (Nesterov: at the look-ahead point);
        /// with data, the batch mean plus the penalty's gradient.
        package var gradients: [Double]
        /// The parameters after the update.
        package var updated: [Double]
        /// The learning rate of this step.
        package var learningRate: Double = 0
        /// The epoch this step belongs to (from 1).
        package var epoch: Int = 1
    }

    /// What a model scored over one epoch.
    package struct Epoch: Sendable, Equatable {
        /// The epoch's number, from 1.
        package var epoch: Int
        /// Updates made by its end.
        package var updates: Int
        /// Mean per-example loss over the epoch's batches, each taken before its update (no penalty).
        package var trainingLoss: Double
        /// Share of the epoch's training examples classified right, each before its batch's update.
        package var trainingAccuracy: Double?
        /// Mean per-example loss on the validation rows after the epoch (no penalty).
        package var validationLoss: Double?
        /// Share of validation rows classified right after the epoch.
        package var validationAccuracy: Double?
        /// Root-mean-square gradient of each parameter group (`Run.groups`), over the epoch's steps.
        package var gradientRMS: [Double]
    }

    /// Units that never pass a gradient: ReLUs whose input is ≤ 0 for every training example.
    package struct DeadUnits: Sendable, Equatable {
        /// The named layer (`h1`), or `relu` for unnamed ones.
        package var layer: String
        /// How many of its ReLUs are dead.
        package var dead: Int
        /// How many ReLUs it has.
        package var total: Int
    }

    /// Why a run stopped: the loss or a parameter became infinite or NaN.
    package struct Divergence: Sendable, CustomStringConvertible {
        /// The step at which a number became non-finite (from 1).
        package var step: Int
        /// The parameter that became non-finite, when one did.
        package var parameter: String?
        /// The non-finite value: the parameter's, or the loss's.
        package var value: Double
        /// When the loss became non-finite first: the parameter of largest magnitude then.
        package var largest: (name: String, value: Double)?

        /// The sentence reports and the CLI show, ending with the likely cause (a learning rate too large).
        package var description: String {
            let fmt = NumberFormat(.significant(6), trimsZeros: true)
            if let parameter {
                return "training diverged in update \(step): parameter \(parameter) became \(fmt(value)); the learning rate is probably too large"
            }
            var text = "training diverged: after \(step - 1) update\(step == 2 ? "" : "s") the loss became \(fmt(value))"
            if let largest { text += " (the largest parameter then: \(largest.name) = \(fmt(largest.value)))" }
            return text + "; the learning rate is probably too large"
        }
    }

    /// The result of a training run: the steps kept, the final parameters and loss, and how it ended.
    package struct Run: Sendable {
        /// The step recorded as number `step` (from 1), if it was kept.
        package func entry(step: Int) -> Step? {
            var lo = 0, hi = history.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if history[mid].step < step { lo = mid + 1 } else { hi = mid }
            }
            return lo < history.count && history[lo].step == step ? history[lo] : nil
        }
        /// The loss after `updates` updates (0: at the start), if the run got that far and kept it.
        package func loss(afterUpdates updates: Int) -> Double? {
            if updates < stepsTaken { return entry(step: updates + 1)?.loss }
            return updates == stepsTaken && divergence == nil ? finalLoss : nil
        }
        /// The parameters after `updates` updates, if kept.
        package func parameters(afterUpdates updates: Int) -> [Double]? {
            if updates < stepsTaken { return entry(step: updates + 1)?.parameters }
            return updates == stepsTaken ? finalParameters : nil
        }

        /// Names of the trained inputs, in order.
        package var parameters: [String]
        /// The steps kept, in order: every step of a run within `Trainer.fullHistoryLimit` values;
        /// of a longer run, those the report's table needs, about 2,000 spread evenly for the
        /// chart, and the last (memory stays bounded whatever the number of steps).
        package var history: [Step]
        /// Whether `history` holds every step taken.
        package var complete: Bool
        /// How many steps were taken (updates made, unless the run stopped before its update).
        package var stepsTaken: Int
        /// The loss at the final parameters (after the last update).
        package var finalLoss: Double
        /// The parameters after the last update.
        package var finalParameters: [Double]
        /// Why the run stopped early with a non-finite number, if it did.
        package var divergence: Divergence?
        /// Whether the loss fell below `stopBelow` before `steps` updates.
        package var stoppedEarly: Bool
        /// Per-epoch scores (with data).
        package var epochs: [Epoch] = []
        /// Parameter groups for `Epoch.gradientRMS`: a declared tensor's name, or the parameter's.
        package var groups: [String] = []
        /// The parameters each step in `Trainer.snapshotSteps` used (before its update), by step.
        package var snapshots: [Int: [Double]] = [:]
        /// Dead ReLUs at the final parameters, by layer (with data; empty without ReLUs).
        package var deadUnits: [DeadUnits] = []
        /// Training accuracy at the final parameters, when a classifier was given.
        package var finalAccuracy: Double?
    }

    /// The input node of each parameter, in order. Throws a `Diagnostic` for a name that is not an
    /// input of `graph`, a name listed twice, or an empty list.
    package func validate(_ graph: Graph) throws(Diagnostic) -> [Int] {
        try Model(graph: graph, parameters: parameters, bindings: [:], data: nil).parameterNodes
    }

    /// Trains the parameters on `graph`, whose output is the loss, from their bound values. Throws as
    /// `validate(_:)` and `Tracer.inputValues(for:)` do; a divergence ends the run without throwing.
    package func train(_ graph: Graph, bindings: [String: Double] = [:]) throws(Diagnostic) -> Run {
        let model = try Model(graph: graph, parameters: parameters, bindings: bindings, data: nil)
        return try train(model, data: nil)
    }

    /// Trains `model` on the rows of `data` (nil: the model's fixed inputs, one example).
    package func train(_ model: Model, data: Dataset?) throws(Diagnostic) -> Run {
        var session = try TrainingSession(trainer: self, model: model, data: data)
        let p = model.parameterNodes.count
        // Keep every step of a small run; of a large one, only what the report and chart show.
        let complete = steps * max(1, p) <= historyLimit
        let stride = max(1, steps / 2_000)
        var history: [Step] = []
        history.reserveCapacity(complete ? min(steps, 100_000) : 4_000)
        var last: Step?
        while let step = session.step() {
            if complete || step.step % stride == 0 || Trainer.isTableRow(updates: step.step - 1) { history.append(step) }
            last = step
        }
        if let last, history.last?.step != last.step { history.append(last) }
        var run = session.finish()
        run.history = history
        run.complete = complete
        return run
    }

    /// The rows of the batch of step `step` (from 1) for `count` examples: the same rows the
    /// training run used (explaining a step starts here).
    package func rows(ofStep step: Int, examples count: Int) -> [Int] {
        var batches = Batches(count: count, size: batchSize, seed: seed)
        var rows: [Int] = []
        for _ in 1...max(1, step) { rows = Array(batches.next().rows) }
        return rows
    }

    /// Runs up to this many recorded numbers (steps × parameters) keep every step.
    package static let fullHistoryLimit = 2_000_000
    /// This trainer's limit (tests lower it).
    package var historyLimit = Trainer.fullHistoryLimit

    /// Whether the state after `updates` updates is a row of the report's table.
    package static func isTableRow(updates: Int) -> Bool {
        if updates <= 5 { return true }
        var k = updates
        while k % 10 == 0 { k /= 10 }
        return k == 1 || k == 2 || k == 5
    }

    /// Update counts worth a row in a table: 0 (the start), the first five, 10, 20, 50, …, and the last.
    package static func thinnedUpdates(_ count: Int) -> [Int] { [0] + (count > 0 ? thinned(count) : []) }

    /// Steps worth a row in a table: the first five, 10, 20, 50, 100, 200, 500, … and the last.
    package static func thinned(_ count: Int) -> [Int] {
        var rows = Array(1...min(5, max(1, count)))
        var base = 10
        while base <= count {
            for m in [1, 2, 5] where base * m <= count && base * m > 5 { rows.append(base * m) }
            base *= 10
        }
        if count > 0 && rows.last != count { rows.append(count) }
        return Array(Set(rows)).sorted().filter { $0 <= count && $0 >= 1 }
    }
}
