import Foundation
import GradTraceCore
import GradTraceViews

/// Seeded worksheet variants: new input values from a seed, the same seed giving the same
/// sheet on every machine (SplitMix64, no system randomness), drawn until the sheet is worth
/// solving (`problems` finds nothing).
package struct Variant: Sendable {
    /// The seed new values are drawn from.
    package let seed: UInt64
    /// Draws tried before giving up.
    package static let maxDraws = 2_000

    /// Variants drawn from `seed`.
    package init(seed: UInt64) { self.seed = seed }

    /// What a lesson author controls in a block: `vary="x0=-3..3, w0=-2..2"`, `fixed=t1,t2`, `step=0.1`.
    package struct Rules: Sendable, Equatable {
        /// `vary="x0=-3..3"`: the range each named input is drawn from.
        package var ranges: [String: ClosedRange<Double>] = [:]
        /// `fixed=t1,t2`: inputs that keep their values.
        package var fixed: Set<String> = []
        /// 1 for whole numbers, 0.5, or 0.1 for one decimal.
        package var step: Double = 1
        /// No ranges, nothing fixed, whole numbers.
        package init() {}

        /// The range drawn from when the author gave none (0 left out).
        package var defaultRange: ClosedRange<Double> { step >= 1 ? -5...5 : step >= 0.5 ? -3...3 : -2...2 }
    }

    /// No draw in `maxDraws` made a sheet worth solving.
    package struct Failure: Error, Sendable {
        /// The problem that ruled out the most draws.
        package var reason: String
    }

    /// New values for the inputs of `graph` that make a worksheet worth solving at `format`.
    /// Inputs in `rules.fixed`, and targets compared with a σ or tanh output, keep their
    /// values unless the author gives them a range.
    package func values(for graph: Graph, rules: Rules, format: NumberFormat, salt: String) -> Result<[String: Double], Failure> {
        var state = seed ^ fnv1a(salt)
        let targets = Variant.targets(graph)
        let drawn = graph.inputNames.filter { rules.ranges[$0] != nil || (!rules.fixed.contains($0) && !targets.keys.contains($0)) }
        let choices: [String: [Double]] = Dictionary(uniqueKeysWithValues: drawn.map { name in
            let range = rules.ranges[name] ?? rules.defaultRange
            let count = Int(((range.upperBound - range.lowerBound) / rules.step).rounded(.down))
            var values = (0...max(0, count)).map { (range.lowerBound + Double($0) * rules.step) * 10 }.map { $0.rounded() / 10 }
            if rules.ranges[name] == nil { values.removeAll { $0 == 0 } }
            return (name, values.isEmpty ? [range.lowerBound] : values)
        })
        var reasons: [String: Int] = [:]
        for _ in 0..<Variant.maxDraws {
            var bindings: [String: Double] = [:]
            for name in drawn {
                let options = choices[name]!
                bindings[name] = options[Int(next(&state) % UInt64(options.count))]
            }
            guard let trace = try? Tracer(bindings: bindings).trace(graph) else { continue }
            let problems = Variant.problems(trace, format: format)
            if problems.isEmpty { return .success(bindings) }
            reasons[problems[0], default: 0] += 1
        }
        let worst = reasons.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }
        return .failure(Failure(reason: worst?.key ?? "no draw could be traced"))
    }

    /// Why a traced worksheet would not be worth solving (empty when it is): a kink or a
    /// non-finite value, a gradient that rounds to zero at the sheet's decimals or an all-zero
    /// key, a saturated σ or tanh, a division by (nearly) zero, a target outside the range of
    /// the output it is compared with.
    package static func problems(_ trace: Trace, format: NumberFormat) -> [String] {
        let graph = trace.graph
        let labels = Labels(graph, format: format)
        var out: [String] = []
        for warning in trace.warnings where warning.kind != .unused {
            out.append(warning.kind == .kink ? "a kink at \(labels[warning.node])" : "a non-finite value at \(labels[warning.node])")
        }
        let half: Double
        switch format.mode {
        case .decimals(let p): half = 0.5 * pow(10, -Double(p))
        default: half = 0
        }
        for i in 0..<graph.count where trace.reachesOutput[i] && !graph.nodes[i].gate.isConstant {
            let g = trace.gradients[i]
            // A gradient a student must find is at least five units of the last decimal: one that
            // rounds to nothing, or to a digit or two, teaches nothing and is lost in rounding.
            if g != 0 && abs(g) < 10 * half { out.append("the gradient at \(labels[i]) is too small to read at the sheet's decimals") }
        }
        if !graph.inputs.isEmpty && graph.inputs.allSatisfy({ abs(trace.gradients[$0]) < max(half, .leastNonzeroMagnitude) }) {
            out.append("every input's gradient is 0")
        }
        for i in 0..<graph.count where trace.reachesOutput[i] {
            let name = graph.kind(i).name
            let inputs = graph.inputs(of: i).map { trace.values[$0] }
            if let floor = graph.kind(i).saturationFloor, trace.local(i, 0) < floor {
                out.append("\(name) saturates at \(labels[i]) (local gradient \(formatShortest(trace.local(i, 0))))")
            }
            switch name {
            case "reciprocal" where abs(inputs[0]) < 0.5, "div" where abs(inputs[1]) < 0.5, "log" where inputs[0] < 0.2:
                out.append("a division by nearly zero at \(labels[i])")
            default: break
            }
        }
        // An expanded call of a gate with a floor: its local gradient from the gate's own kernel.
        for call in graph.calls where trace.reachesOutput[call.result] {
            let kind = graph.kinds[Int(call.kind)]
            if let floor = kind.saturationFloor, kind.evaluate(trace.values[call.arguments[0]]).localA < floor {
                out.append("\(kind.name) saturates at \(labels[call.result])")
            }
        }
        for (name, range) in targets(graph).sorted(by: { $0.key < $1.key }) {
            if let id = graph.input(named: name), !(range.contains(trace.values[id])) {
                out.append("the target \(name) lies outside the output's range \(range)")
            }
        }
        return out
    }

    /// Inputs compared (by subtraction) with the output of a σ or tanh: their meaningful range.
    package static func targets(_ graph: Graph) -> [String: ClosedRange<Double>] {
        func range(_ node: Int) -> ClosedRange<Double>? {
            let name = graph.expandedFrom(node).flatMap { $0.result == node ? graph.kinds[Int($0.kind)].name : nil } ?? graph.kind(node).name
            return name == "sigmoid" ? 0...1 : name == "tanh" ? -1...1 : nil
        }
        var out: [String: ClosedRange<Double>] = [:]
        for i in 0..<graph.count where graph.kind(i).name == "sub" || graph.kind(i).name == "add" {
            let a = graph.input(i, 0), b = graph.input(i, 1)
            for (target, other) in [(a, b), (b, a)] where graph.nodes[target].gate.isInput {
                // `t - o`, or `t + (-1)·o` as the expansion writes it.
                var source = other
                if graph.kind(other).name == "mulConst", graph.nodes[other].gate.parameter == -1 {
                    source = graph.input(other, 0)
                } else if graph.kind(i).name == "add" || target == b {
                    continue  // only t - o (or t + (-1)·o) compares a target with an output
                }
                if let r = range(source), let name = graph.nodes[target].name { out[name] = r }
            }
        }
        return out
    }

    private func next(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}

