import Foundation
import GradTraceCore

/// How a step moves the parameters, given the gradient g (batch mean plus penalty) and the
/// step's learning rate η. The one place the update rules live: training, the reports'
/// update lines and the tests read them here.
package enum Optimizer: Sendable, Equatable {
    /// w ← w − η·g
    case gradientDescent
    /// v ← μ·v − η·g;  w ← w + v
    case momentum(Double)
    /// v ← μ·v − η·g(w + μ·v);  w ← w + v   (the gradient is taken at the look-ahead point)
    case nesterov(Double)
    /// s ← ρ·s + (1 − ρ)·g²;  w ← w − η·g / (√s + ε)
    case rmsprop(decay: Double, epsilon: Double)
    /// m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  w ← w − η·m̂ / (√v̂ + ε), with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
    case adam(beta1: Double, beta2: Double, epsilon: Double)

    /// The names the command line, lessons and the live page choose a rule by.
    package static let names = ["sgd", "momentum", "nesterov", "rmsprop", "adam"]

    /// The rule called `name` (one of `names`; anything else is plain gradient descent), with
    /// momentum μ for the two momentum rules (0.9 when not given).
    package static func named(_ name: String, momentum: Double? = nil) -> Optimizer {
        switch name {
        case "momentum": return .momentum(momentum ?? 0.9)
        case "nesterov": return .nesterov(momentum ?? 0.9)
        case "rmsprop": return .rmspropDefault
        case "adam": return .adamDefault
        default: return .gradientDescent
        }
    }

    /// RMSprop with the usual ρ = 0.9, ε = 1e-8.
    package static let rmspropDefault = Optimizer.rmsprop(decay: 0.9, epsilon: 1e-8)
    /// Adam with the paper's β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    package static let adamDefault = Optimizer.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)

    /// How reports name it: `gradient descent`, `momentum μ = 0.9`, `Adam (β₁ = 0.9, β₂ = 0.999)`.
    package var name: String {
        switch self {
        case .gradientDescent: return "gradient descent"
        case .momentum(let mu): return "momentum μ = \(formatShortest(mu))"
        case .nesterov(let mu): return "Nesterov momentum μ = \(formatShortest(mu))"
        case .rmsprop(let rho, let eps): return "RMSprop (ρ = \(formatShortest(rho)), ε = \(formatShortest(eps)))"
        case .adam(let b1, let b2, let eps): return "Adam (β₁ = \(formatShortest(b1)), β₂ = \(formatShortest(b2)), ε = \(formatShortest(eps)))"
        }
    }

    /// The rule in one line, for reports.
    package var rule: String {
        switch self {
        case .gradientDescent: return "w ← w − η·g"
        case .momentum: return "v ← μ·v − η·g, then w ← w + v"
        case .nesterov: return "v ← μ·v − η·g(w + μ·v), then w ← w + v (g taken at the look-ahead point)"
        case .rmsprop: return "s ← ρ·s + (1 − ρ)·g², then w ← w − η·g / (√s + ε)"
        case .adam: return "m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g², then w ← w − η·m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)"
        }
    }

    /// The momentum coefficient where the gradient's point depends on it (Nesterov), else 0.
    package var lookahead: Double {
        if case .nesterov(let mu) = self { return mu }
        return 0
    }

    /// An optimiser's memory between steps: velocity (momentum), squared-gradient average
    /// (RMSprop), both moments (Adam), and how many steps were taken.
    package struct State: Sendable, Equatable {
        /// Momentum's velocity, RMSprop's s, Adam's m: one per parameter.
        package var first: [Double]
        /// Adam's v: one per parameter.
        package var second: [Double]
        /// Steps taken (Adam's t after the step).
        package var steps = 0

        /// A fresh state for `count` parameters.
        package init(count: Int) {
            first = [Double](repeating: 0, count: count)
            second = [Double](repeating: 0, count: count)
        }
    }

    /// The point where step's gradient is taken: w, or Nesterov's w + μ·v.
    package func gradientPoint(_ w: [Double], _ state: State, into point: inout [Double]) {
        let mu = lookahead
        for k in w.indices { point[k] = mu == 0 ? w[k] : w[k] + mu * state.first[k] }
    }

    /// One update of `w` with gradient `g` and learning rate `eta`, into `updated`.
    package func update(_ w: [Double], _ g: [Double], eta: Double, state: inout State, into updated: inout [Double]) {
        state.steps += 1
        switch self {
        case .gradientDescent:
            for k in w.indices { updated[k] = w[k] - eta * g[k] }
        case .momentum(let mu), .nesterov(let mu):
            for k in w.indices {
                state.first[k] = mu * state.first[k] - eta * g[k]
                updated[k] = w[k] + state.first[k]
            }
        case .rmsprop(let rho, let eps):
            for k in w.indices {
                state.first[k] = rho * state.first[k] + (1 - rho) * g[k] * g[k]
                updated[k] = w[k] - eta * g[k] / (state.first[k].squareRoot() + eps)
            }
        case .adam(let b1, let b2, let eps):
            let t = Double(state.steps)
            let c1 = 1 - pow(b1, t), c2 = 1 - pow(b2, t)
            for k in w.indices {
                state.first[k] = b1 * state.first[k] + (1 - b1) * g[k]
                state.second[k] = b2 * state.second[k] + (1 - b2) * g[k] * g[k]
                updated[k] = w[k] - eta * (state.first[k] / c1) / ((state.second[k] / c2).squareRoot() + eps)
            }
        }
    }
}

/// The learning rate at each step: η, decayed in steps or exponentially, or an expression in
/// k, the number of updates made so far (micrograd's `1 - 0.9*k/100`).
package enum Schedule: Sendable {
    /// η every step.
    case constant(Double)
    /// η × factor^⌊k / every⌋.
    case step(Double, every: Int, factor: Double)
    /// η × rate^k.
    case exponential(Double, rate: Double)
    /// The expression's value at k (parsed by the same parser, evaluated by the same kernel).
    case expression(String, Graph)

    /// Parses a learning rate: a number, or an expression in `k` such as `1 - 0.9*k/100` or `0.1 * 0.99^k`.
    package static func parse(_ text: String) throws(Diagnostic) -> Schedule {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let v = Double(trimmed) {
            guard v > 0, v.isFinite else { throw Diagnostic("the learning rate must be a positive number, got \(trimmed)", file: "--lr") }
            return .constant(v)
        }
        let source = SourceText(trimmed, name: "--lr")
        let graph = try Parser.parse(source)
        let names = graph.inputNames
        guard names.allSatisfy({ $0 == "k" }) else {
            throw Diagnostic("the learning rate may use only k, the number of updates made so far; it uses \(names.filter { $0 != "k" }.joined(separator: ", "))",
                             file: "--lr", help: "e.g. --lr '1 - 0.9*k/100' or --lr '0.1 * 0.99^k'")
        }
        return .expression(trimmed, graph)
    }

    /// The learning rate for the update made after `k` updates (k from 0).
    package func rate(afterUpdates k: Int) -> Double {
        switch self {
        case .constant(let eta): return eta
        case .step(let eta, let every, let factor): return eta * pow(factor, Double(k / max(1, every)))
        case .exponential(let eta, let rate): return eta * pow(rate, Double(k))
        case .expression(_, let graph):
            var inputs = [Double](repeating: 0, count: graph.count)
            for id in graph.inputs { inputs[id] = Double(k) }
            var f = Forward(graph: graph, inputs: inputs)
            f.run()
            return f.values[graph.output]
        }
    }

    /// The first step's rate (what a one-line report calls η).
    package var initial: Double { rate(afterUpdates: 0) }

    /// How reports describe it.
    package var description: String {
        switch self {
        case .constant(let eta): return "η = \(formatShortest(eta))"
        case .step(let eta, let every, let factor): return "η = \(formatShortest(eta)) × \(formatShortest(factor))^⌊k/\(every)⌋"
        case .exponential(let eta, let rate): return "η = \(formatShortest(eta)) × \(formatShortest(rate))^k"
        case .expression(let text, _): return "η = \(text) (k: updates so far)"
        }
    }
}
