import GradTraceCore
/// What the forward-mode walkthrough says, built once from a trace and a `Tangent`: for each
/// gate in tape order, each input wire's local gradient (with its rule) × the input's tangent,
/// and their sum, the gate's tangent ∂gate/∂x. Every number has been through `NumberFormat` and
/// `DisplayedArithmetic`, so every shown equation adds up; names are the walkthrough's labels.
package struct ForwardModeWalkthrough: Sendable {
    /// The reverse-mode walkthrough it shares labels, rules and the number format with.
    package let walkthrough: Walkthrough
    /// The tangent pass it explains.
    package let tangent: Tangent

    /// The forward-mode walkthrough of `trace` with respect to input node `wrt`.
    package init(_ trace: Trace, wrt: Int, format: NumberFormat = .standard) {
        self.init(Walkthrough(trace, format: format), wrt: wrt)
    }

    /// The same over an existing walkthrough.
    package init(_ walkthrough: Walkthrough, wrt: Int) {
        self.walkthrough = walkthrough
        tangent = Tangent(walkthrough.trace, wrt: wrt)
        let graph = walkthrough.graph
        gates = (0..<graph.count).filter { !graph.nodes[$0].gate.isLeaf }
    }

    package var graph: Graph { walkthrough.graph }
    package var format: NumberFormat { walkthrough.format }
    /// The input's label: `b`.
    package var wrtName: String { walkthrough.labels[tangent.wrt] }

    /// One input wire of a gate.
    package struct Wire: Sendable {
        /// The gate's input slot, from 0.
        package var slot: Int
        /// The node feeding the wire.
        package var input: Int
        /// The input's short name.
        package var inputName: String
        /// The local gradient's rule, in text and LaTeX.
        package var rule: String, ruleLaTeX: String
        /// The local gradient, as shown after its rule.
        package var local: Shown
        /// Whether the rule is the number itself.
        package var ruleIsValue: Bool
        /// local × the input's tangent = what the wire brings.
        package var product: DisplayedArithmetic.Equation
    }

    /// One gate of the tangent pass.
    package struct Step: Sendable {
        /// From 1, in tape order.
        package var number: Int
        /// The gate's node.
        package var node: Int
        /// Its short name and its definition (`e = (a + b)*(b + 1)`).
        package var name: String, definition: String
        /// Each input wire, in slot order.
        package var wires: [Wire]
        /// The wires' contributions adding up to the tangent (nil for a gate of one input).
        package var sum: DisplayedArithmetic.Equation?
        /// ∂gate/∂x, as shown.
        package var tangent: Shown
        /// Whether no input depends on x (every incoming tangent is 0).
        package var independent: Bool
    }

    /// The gates, in tape order (computed once: a step is looked up by number).
    package let gates: [Int]

    /// Number of steps: one per gate.
    package var stepCount: Int { gates.count }

    /// Step `k` (from 1).
    package func step(_ k: Int) -> Step { step(k, node: gates[k - 1]) }

    package func step(_ k: Int, node i: Int) -> Step {
        let w = walkthrough
        let inputs = graph.inputs(of: i)
        var wires: [Wire] = []
        for slot in inputs.indices {
            let local = w.trace.local(i, slot)
            let rule = w.rule(i, slot: slot)
            wires.append(Wire(slot: slot, input: inputs[slot], inputName: w.labels.operand(inputs[slot]), rule: rule,
                              ruleLaTeX: w.ruleLaTeX(i, slot: slot), local: format.shown(local), ruleIsValue: Double(rule) == local,
                              product: DisplayedArithmetic.product(local, tangent.tangents[inputs[slot]], tangent.contribution(i, slot), format)))
        }
        let t = tangent.tangents[i]
        let sum = wires.count > 1 ? DisplayedArithmetic.sum(inputs.indices.map { tangent.contribution(i, $0) }, t, format) : nil
        return Step(number: k, node: i, name: w.labels.operand(i), definition: w.definition(i), wires: wires, sum: sum,
                    tangent: format.shown(t), independent: inputs.allSatisfy { tangent.tangents[$0] == 0 })
    }

    /// ∂output/∂x by forward mode, as shown.
    package var result: Shown { format.shown(tangent.tangents[graph.output]) }
    /// ∂output/∂x by reverse mode, as shown (the same, up to rounding in the last bit).
    package var reverseResult: Shown { format.shown(walkthrough.trace.gradients[tangent.wrt]) }
}

/// What the paths view says: every path from x to the output with its product of local
/// gradients, and their sum, which is ∂f/∂x; or, beyond the limit, how many paths there are and
/// the factored form backprop computes instead.
package struct PathWalkthrough: Sendable {
    /// The walkthrough it shares labels and the number format with.
    package let walkthrough: Walkthrough
    /// The counted (and perhaps listed) paths.
    package let paths: Paths

    /// The paths of `trace` from input node `wrt`, listed when there are at most `limit`.
    package init(_ walkthrough: Walkthrough, wrt: Int, limit: Int = Paths.defaultLimit) {
        self.walkthrough = walkthrough
        paths = Paths(walkthrough.trace, wrt: wrt, limit: limit)
    }

    package var format: NumberFormat { walkthrough.format }
    /// The input's label.
    package var wrtName: String { walkthrough.labels[paths.wrt] }

    /// One listed path.
    package struct Row: Sendable {
        /// From 1.
        package var number: Int
        /// The nodes' names from x to the output.
        package var names: [String]
        /// The nodes from x to the output.
        package var nodes: [Int]
        /// The product of the local gradients along it.
        package var product: DisplayedArithmetic.Equation
        /// The path itself.
        package var path: Paths.Path
    }

    /// The listed paths, or nil beyond the limit.
    package var rows: [Row]? {
        paths.paths.map { list in
            list.enumerated().map { k, p in
                let nodes = p.nodes(from: paths.wrt)
                return Row(number: k + 1, names: PathWalkthrough.names(p, from: paths.wrt, walkthrough), nodes: nodes,
                           product: DisplayedArithmetic.product(of: p.locals, p.product, format), path: p)
            }
        }
    }

    /// The names along a path, from x: each gate's short name, with `(wire k of n)` where the
    /// gate takes the same input on several wires (`y*y`), so two such paths read differently.
    package static func names(_ path: Paths.Path, from start: Int, _ w: Walkthrough) -> [String] {
        var names = [w.labels.operand(start)]
        var source = start
        for wire in path.wires {
            let inputs = w.graph.inputs(of: wire.consumer)
            let same = inputs.indices.filter { inputs[$0] == source }
            var name = w.labels.operand(wire.consumer)
            if same.count > 1 { name += " (wire \(same.firstIndex(of: wire.slot)! + 1) of \(same.count))" }
            names.append(name)
            source = wire.consumer
        }
        return names
    }

    /// Σ of the paths' products = ∂f/∂x (as backprop computed it), when they are listed.
    package var sum: DisplayedArithmetic.Equation? {
        paths.paths.map { list in DisplayedArithmetic.sum(list.map(\.product), walkthrough.trace.gradients[paths.wrt], format) }
    }

    /// The number of paths as words: `2`, `1,099,511,627,776`, or `about 3.4 × 10³⁸`.
    package var countText: String {
        let c = paths.count
        if c < 9_007_199_254_740_992 {
            let digits = Array(String(UInt64(c)))
            var out = ""
            for (k, d) in digits.enumerated() {
                if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
                out.append(d)
            }
            return out
        }
        return "about " + NumberFormat(.significant(2), trimsZeros: true).shown(c).text
    }

    /// The most wires leaving x the factored form writes out one by one.
    package static let maxFactoredTerms = 16

    /// The wires leaving x that reach the output.
    package var factoredTermCount: Int {
        walkthrough.uses(of: paths.wrt).filter { walkthrough.trace.reachesOutput[$0.consumer] }.count
    }

    /// Whether the factored form is written wire by wire (else only its number of terms and its result).
    package var factoredInFull: Bool { factoredTermCount <= PathWalkthrough.maxFactoredTerms }

    /// ∂f/∂x, as shown.
    package var gradient: Shown { format.shown(walkthrough.trace.gradients[paths.wrt]) }

    /// The factored form at x: for each wire leaving x, local × ∂f/∂gate, adding up to ∂f/∂x.
    package var factored: [Walkthrough.Wire] {
        let w = walkthrough
        var wires: [Walkthrough.Wire] = []
        for use in w.uses(of: paths.wrt) where w.trace.reachesOutput[use.consumer] {
            let i = use.consumer, slot = use.slot
            let local = w.trace.local(i, slot), rule = w.rule(i, slot: slot)
            wires.append(Walkthrough.Wire(slot: slot, input: paths.wrt, inputName: w.labels[i], gate: i, rule: rule,
                                          local: format.shown(local), ruleIsValue: Double(rule) == local,
                                          product: DisplayedArithmetic.product(local, w.trace.gradients[i], w.trace.contribution(i, slot), format),
                                          wireOfInput: wireOf(i, slot)))
        }
        return wires
    }

    /// Which of the gate's wires from x this is, when it has several (`x + x`).
    package func wireOf(_ gate: Int, _ slot: Int) -> (index: Int, count: Int)? {
        let inputs = walkthrough.graph.inputs(of: gate)
        let same = inputs.indices.filter { inputs[$0] == paths.wrt }
        return same.count > 1 ? (same.firstIndex(of: slot)! + 1, same.count) : nil
    }

    /// `y1 (wire 1 of 2)`: a gate of the factored form, by name.
    package static func via(_ wire: Walkthrough.Wire) -> String {
        wire.inputName + (wire.wireOfInput.map { " (wire \($0.index) of \($0.count))" } ?? "")
    }

    /// The factored form's sum: ∂f/∂x.
    package var factoredSum: DisplayedArithmetic.Equation {
        let w = walkthrough
        let terms = w.uses(of: paths.wrt).filter { w.trace.reachesOutput[$0.consumer] }.map { w.trace.contribution($0.consumer, $0.slot) }
        return DisplayedArithmetic.sum(terms, w.trace.gradients[paths.wrt], format)
    }
}
