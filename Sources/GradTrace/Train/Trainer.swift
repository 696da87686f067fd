/// Gradient descent on a traced graph: the parameters are inputs chosen by name, the loss is
/// the output. The graph is built once; each step re-evaluates the tape.
public struct Trainer: Sendable {
    /// How each step moves the parameters, with learning rate η and momentum μ.
    public enum Optimizer: Sendable, Equatable {
        /// w ← w − η·g
        case gradientDescent
        /// v ← μ·v − η·g;  w ← w + v
        case momentum(Double)
        /// v ← μ·v − η·g(w + μ·v);  w ← w + v   (the gradient is taken at the look-ahead point)
        case nesterov(Double)

        /// How reports name it: `gradient descent`, `momentum μ = 0.9`.
        public var name: String {
            switch self {
            case .gradientDescent: return "gradient descent"
            case .momentum(let mu): return "momentum μ = \(formatShortest(mu))"
            case .nesterov(let mu): return "Nesterov momentum μ = \(formatShortest(mu))"
            }
        }
    }

    /// Names of the inputs to train, in the order every parameter list follows.
    public var parameters: [String]
    /// η, the step size.
    public var learningRate: Double
    /// The most updates to make.
    public var steps: Int
    /// The update rule.
    public var optimizer: Optimizer
    /// Stop once the loss falls below this.
    public var stopBelow: Double?

    /// A trainer of the inputs named in `parameters`; every other input of the loss stays fixed.
    public init(parameters: [String], learningRate: Double, steps: Int, optimizer: Optimizer = .gradientDescent, stopBelow: Double? = nil) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.steps = steps
        self.optimizer = optimizer
        self.stopBelow = stopBelow
    }

    /// What happened at one step: the loss and gradients at the parameters *before* the
    /// update (all gradients of a step are taken at the old weights), and the new parameters.
    public struct Step: Sendable, Equatable {
        /// The step's number, from 1.
        public var step: Int
        /// The loss at `parameters`.
        public var loss: Double
        /// The parameters before the update, in `Trainer.parameters` order.
        public var parameters: [Double]
        /// ∂loss/∂parameter, taken at the old parameters (Nesterov: at the look-ahead point).
        public var gradients: [Double]
        /// The parameters after the update.
        public var updated: [Double]
    }

    /// Why a run stopped: the loss or a parameter became infinite or NaN.
    public struct Divergence: Sendable, CustomStringConvertible {
        /// The step at which a number became non-finite (from 1).
        public var step: Int
        /// The parameter that became non-finite, when one did.
        public var parameter: String?
        /// The non-finite value: the parameter's, or the loss's.
        public var value: Double
        /// When the loss became non-finite first: the parameter of largest magnitude then.
        public var largest: (name: String, value: Double)?

        /// The sentence reports and the CLI show, ending with the likely cause (a learning rate too large).
        public var description: String {
            let fmt = NumberFormat(.significant(6), trimsZeros: true)
            if let parameter {
                return "training diverged in update \(step): parameter \(parameter) became \(fmt(value)); the learning rate is probably too large"
            }
            var text = "training diverged: after \(step - 1) update\(step == 2 ? "" : "s") the loss became \(fmt(value))"
            if let largest { text += " (the largest parameter then: \(largest.name) = \(fmt(largest.value)))" }
            return text + "; the learning rate is probably too large"
        }
    }

    /// The result of `train(_:bindings:)`: the steps kept, the final parameters and loss, and how it ended.
    public struct Run: Sendable {
        /// The step recorded as number `step` (from 1), if it was kept.
        public func entry(step: Int) -> Step? {
            var lo = 0, hi = history.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if history[mid].step < step { lo = mid + 1 } else { hi = mid }
            }
            return lo < history.count && history[lo].step == step ? history[lo] : nil
        }
        /// The loss after `updates` updates (0: at the start), if the run got that far and kept it.
        public func loss(afterUpdates updates: Int) -> Double? {
            if updates < stepsTaken { return entry(step: updates + 1)?.loss }
            return updates == stepsTaken && divergence == nil ? finalLoss : nil
        }
        /// The parameters after `updates` updates, if kept.
        public func parameters(afterUpdates updates: Int) -> [Double]? {
            if updates < stepsTaken { return entry(step: updates + 1)?.parameters }
            return updates == stepsTaken ? finalParameters : nil
        }

        /// Names of the trained inputs, in order.
        public var parameters: [String]
        /// The steps kept, in order: every step of a run within `Trainer.fullHistoryLimit` values;
        /// of a longer run, those the report's table needs, about 2,000 spread evenly for the
        /// chart, and the last (memory stays bounded whatever the number of steps).
        public var history: [Step]
        /// Whether `history` holds every step taken.
        public var complete: Bool
        /// How many steps were taken (updates made, unless the run stopped before its update).
        public var stepsTaken: Int
        /// The loss at the final parameters (after the last update).
        public var finalLoss: Double
        /// The parameters after the last update.
        public var finalParameters: [Double]
        /// Why the run stopped early with a non-finite number, if it did.
        public var divergence: Divergence?
        /// Whether the loss fell below `stopBelow` before `steps` updates.
        public var stoppedEarly: Bool
    }

    /// The input node of each parameter, in order. Throws a `Diagnostic` for a name that is not an
    /// input of `graph`, a name listed twice, or an empty list.
    public func validate(_ graph: Graph) throws(Diagnostic) -> [Int] {
        var ids: [Int] = []
        for name in parameters {
            guard let id = graph.input(named: name) else {
                let names = graph.inputNames
                let help = closestMatch(to: name, in: names).map { "did you mean '\($0)'?" } ?? "the inputs are \(names.joined(separator: ", "))"
                throw Diagnostic("'\(name)' is not an input of the loss, so it cannot be trained", file: graph.source?.name ?? "<input>", help: help)
            }
            if ids.contains(id) { throw Diagnostic("parameter '\(name)' is listed twice", file: graph.source?.name ?? "<input>") }
            ids.append(id)
        }
        if ids.isEmpty { throw Diagnostic("no parameters to train", file: graph.source?.name ?? "<input>", help: "name them with --params w1,w2") }
        return ids
    }

    /// Trains the parameters on `graph`, whose output is the loss, from their bound values. Throws as
    /// `validate(_:)` and `Tracer.inputValues(for:)` do; a divergence ends the run without throwing.
    public func train(_ graph: Graph, bindings: [String: Double] = [:]) throws(Diagnostic) -> Run {
        let ids = try validate(graph)
        let inputs = try Tracer(bindings: bindings).inputValues(for: graph)
        var evaluator = Evaluator(graph: graph, inputs: inputs)
        var w = ids.map { inputs[$0] }
        var velocity = [Double](repeating: 0, count: ids.count)
        // Keep every step of a small run; of a large one, only what the report and chart show.
        let complete = steps * max(1, ids.count) <= historyLimit
        let stride = max(1, steps / 2_000)
        func kept(_ step: Int) -> Bool { complete || step % stride == 0 || Trainer.isTableRow(updates: step - 1) }
        var history: [Step] = []
        history.reserveCapacity(complete ? steps : 4_000)
        var last: Step?
        var taken = 0
        var divergence: Divergence?
        var stopped = false
        let eta = learningRate
        for step in 1...max(1, steps) where steps > 0 {
            // The point where the gradient is taken: the weights, or Nesterov's look-ahead.
            let mu: Double
            switch optimizer {
            case .gradientDescent: mu = 0
            case .momentum(let m), .nesterov(let m): mu = m
            }
            let lookahead: Bool
            if case .nesterov = optimizer { lookahead = true } else { lookahead = false }
            for (k, id) in ids.enumerated() { evaluator.setInput(id, lookahead ? w[k] + mu * velocity[k] : w[k]) }
            let loss = evaluator.run()
            let grads = ids.map { evaluator.gradients[$0] }
            if lookahead {
                // Report the loss at the weights themselves, not at the look-ahead point.
                for (k, id) in ids.enumerated() { evaluator.setInput(id, w[k]) }
            }
            let reported = lookahead ? evaluator.run() : loss
            if !reported.isFinite {
                // Name the parameter that ran away: the one of largest magnitude.
                let worst = w.indices.max { abs(w[$0]) < abs(w[$1]) || (w[$1].isNaN && !w[$0].isNaN) }
                divergence = Divergence(step: step, parameter: nil, value: reported,
                                        largest: worst.map { (parameters[$0], w[$0]) })
                break
            }
            if let stopBelow, reported < stopBelow {
                stopped = true
                let s = Step(step: step, loss: reported, parameters: w, gradients: grads, updated: w)
                if kept(step) { history.append(s) }
                last = s
                taken = step
                break
            }
            var updated = w
            for k in 0..<ids.count {
                velocity[k] = mu * velocity[k] - eta * grads[k]
                updated[k] = w[k] + velocity[k]
            }
            let s = Step(step: step, loss: reported, parameters: w, gradients: grads, updated: updated)
            if kept(step) { history.append(s) }
            last = s
            taken = step
            if let bad = updated.firstIndex(where: { !$0.isFinite }) {
                divergence = Divergence(step: step, parameter: parameters[bad], value: updated[bad])
                break
            }
            w = updated
        }
        for (k, id) in ids.enumerated() { evaluator.setInput(id, w[k]) }
        let finalLoss = evaluator.run()
        if divergence == nil, !finalLoss.isFinite {
            divergence = Divergence(step: taken + 1, parameter: nil, value: finalLoss, largest: nil)
        }
        if let last, history.last?.step != last.step { history.append(last) }
        return Run(parameters: parameters, history: history, complete: complete, stepsTaken: taken, finalLoss: finalLoss, finalParameters: w,
                   divergence: divergence, stoppedEarly: stopped)
    }

    /// Runs up to this many recorded numbers (steps × parameters) keep every step.
    public static let fullHistoryLimit = 2_000_000
    /// This trainer's limit (tests lower it).
    var historyLimit = Trainer.fullHistoryLimit

    /// Whether the state after `updates` updates is a row of the report's table.
    static func isTableRow(updates: Int) -> Bool {
        if updates <= 5 { return true }
        var k = updates
        while k % 10 == 0 { k /= 10 }
        return k == 1 || k == 2 || k == 5
    }

    /// Update counts worth a row in a table: 0 (the start), the first five, 10, 20, 50, …, and the last.
    static func thinnedUpdates(_ count: Int) -> [Int] { [0] + (count > 0 ? thinned(count) : []) }

    /// Steps worth a row in a table: the first five, 10, 20, 50, 100, 200, 500, … and the last.
    static func thinned(_ count: Int) -> [Int] {
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
