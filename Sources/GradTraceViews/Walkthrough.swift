import GradTraceCore
/// What a walkthrough says, built once from a trace: the forward rows, each backward step
/// (upstream gradient, each wire's local gradient with its rule, the product, fork sums,
/// pattern and kink notes), the input gradients and the worded warnings. Text, Markdown,
/// HTML, diagram captions and JSON serialise this, so every view says the same thing; every
/// number in it has been through `NumberFormat` and `DisplayedArithmetic`, the one place that
/// rounds for display.
package struct Walkthrough: Sendable {
    /// The trace it explains.
    package let trace: Trace
    /// How every number in it is shown.
    package let format: NumberFormat
    /// The names it gives nodes: the same ones the diagram prints.
    package let labels: Labels
    package let uses: Graph.Uses

    /// The walkthrough of `trace`, rounded with `format`; labels and uses are computed once here.
    package init(_ trace: Trace, format: NumberFormat = .standard) {
        self.trace = trace
        self.format = format
        labels = Labels(trace.graph, format: format)
        uses = trace.graph.makeUses()
    }

    /// The traced circuit.
    package var graph: Graph { trace.graph }
    /// The output's name (`f` unless the user named it).
    package var outputName: String { labels[graph.output] }

    // MARK: Names

    /// A node as it appears after ∂ and inside formulas: short, parenthesised when compound.
    package func short(_ i: Int) -> String { labels.operand(i) }

    /// The gate written over its inputs' labels: `q*z`.
    package func formula(_ i: Int) -> String { labels.formula(i) }

    /// `f = q*z`, or just the formula when the node has no label of its own.
    package func definition(_ i: Int) -> String {
        let label = labels[i], formula = formula(i)
        let same = Self.equalIgnoringSpaces(label, formula)  // `a * b` is `a*b`
        return same ? label : "\(label) = \(formula)"
    }

    /// Whether `a` and `b` are the same text once spaces are removed: byte by byte when both
    /// are ASCII, else Character by Character (Unicode's equivalence).
    static func equalIgnoringSpaces(_ a: String, _ b: String) -> Bool {
        let space = UInt8(ascii: " ")
        if a.utf8.allSatisfy({ $0 < 0x80 }) && b.utf8.allSatisfy({ $0 < 0x80 }) {
            return a.utf8.lazy.filter { $0 != space }.elementsEqual(b.utf8.lazy.filter { $0 != space })
        }
        return a.filter { $0 != " " } == b.filter { $0 != " " }
    }

    /// `f = sigmoid(w0*x0 + w1*x1 + w2)`: the node as the user typed it, for captions and titles.
    package func typedDefinition(_ i: Int) -> String {
        let label = labels[i]
        guard var typed = labels.sourceText(i, maxLength: 80) else { return definition(i) }
        if let eq = typed.firstIndex(of: "="), graph.nodes[i].name != nil,
           typed[..<eq].trimmed(" ") == graph.nodes[i].name { typed = typed[typed.index(after: eq)...].trimmed(" ") }
        return typed == label ? label : "\(label) = \(typed)"
    }

    /// The symbolic local gradient of input `slot` of node `i`, in text.
    package func rule(_ i: Int, slot: Int) -> String {
        graph.kind(i).rule(slot, graph.operands(i) { labels.operand($0) })
    }

    /// The same in LaTeX.
    package func ruleLaTeX(_ i: Int, slot: Int) -> String {
        graph.kind(i).ruleLaTeX(slot, graph.operands(i) { latex(labels.operand($0)) })
    }

    /// A wire's rule in LaTeX.
    package func ruleLaTeX(_ wire: Wire) -> String { ruleLaTeX(wire.gate, slot: wire.slot) }

    /// Every input slot's rule of gate `i` in LaTeX, its operands written once.
    package func rulesLaTeX(_ i: Int) -> [String] {
        let kind = graph.kind(i), operands = graph.operands(i) { latex(labels.operand($0)) }
        return (0..<graph.arity(i)).map { kind.ruleLaTeX($0, operands) }
    }

    /// `x = -2, y = 5, z = -4`.
    package func inputSummary() -> String {
        graph.inputs.map { "\(labels[$0]) = \(format(trace.values[$0]))" }.joined(separator: ", ")
    }

    /// The inputs of node `i`, by label.
    package func inputsOf(_ i: Int) -> String {
        graph.inputs(of: i).map { labels.operand($0) }.joined(separator: ", ")
    }

    /// What is drawn in node `i`'s circle, or its leaf kind.
    package func gateText(_ i: Int) -> String {
        let kind = graph.kind(i)
        return kind.isLeaf ? kind.name : kind.symbol(graph.nodes[i].gate.parameter)
    }

    // MARK: Steps

    /// The gradient arriving at a gate from above.
    package enum Upstream: Sendable {
        /// The output itself: ∂f/∂f = 1.
        case output
        /// The gradient of a node used once, as shown.
        case value(Shown)
        /// A node used by several gates: the sum of what they sent back.
        case fork(DisplayedArithmetic.Equation)
    }

    /// One input wire of a backward step.
    package struct Wire: Sendable {
        /// The gate's input slot, from 0.
        package var slot: Int
        /// The node feeding this wire.
        package var input: Int
        /// The input's short name.
        package var inputName: String
        /// The gate this wire enters.
        package var gate: Int
        /// The local gradient's symbolic rule in text: `z`, `σ(a)·(1 − σ(a))` (in LaTeX:
        /// `Walkthrough.ruleLaTeX(_:)`, built only by the views that print it).
        package var rule: String
        /// The local gradient's value as shown after its rule (`exp(n9) = 0.37`).
        package var local: Shown
        /// Whether the rule is the number itself (`1`, `-1`), so no value needs to follow it.
        package var ruleIsValue: Bool
        /// local × upstream = what the gate sends back along this wire.
        package var product: DisplayedArithmetic.Equation
        /// When this gate uses the same input on several wires (`x*x`): which one, of how many.
        package var wireOfInput: (index: Int, count: Int)?
    }

    /// One backward step: a gate, its upstream gradient, and local × upstream on each input wire.
    package struct Step: Sendable {
        /// From 1.
        package var number: Int
        /// The gate's node on the tape.
        package var node: Int
        /// The gate's short name, parenthesised when compound: `q`, `(x + y)`.
        package var name: String
        /// `f = q*z`.
        package var definition: String
        /// The pattern, what call the gate is part of, and the kink rule, each a phrase.
        package var notes: [String]
        /// ∂output/∂gate, the gradient arriving from above.
        package var upstream: Upstream
        /// Each input wire, in slot order.
        package var wires: [Wire]
    }

    /// Number of backward steps: one per gate on a path to the output.
    package var stepCount: Int { trace.steps.count }

    /// Backward step `k` (from 1).
    package func step(_ k: Int) -> Step {
        let i = trace.steps[k - 1]
        let kind = graph.kind(i)
        let upstream: Upstream
        let shownUpstream = format.shown(trace.gradients[i])  // every wire's product shows it too
        if i == graph.output {
            upstream = .output
        } else if let terms = forkTerms(i) {
            upstream = .fork(DisplayedArithmetic.sum(terms, trace.gradients[i], format))
        } else {
            upstream = .value(shownUpstream)
        }
        let inputs = graph.inputs(of: i)
        var wires: [Wire] = []
        for slot in 0..<kind.arity {
            let input = inputs[slot]
            let local = trace.local(i, slot)
            let rule = self.rule(i, slot: slot)
            let shownLocal = format.shown(local)
            // Which of several wires from one input this is (`x*x`), counted without a list.
            var uses = 0, position = 0
            for s in inputs.indices where inputs[s] == input { uses += 1; if s == slot { position = uses } }
            wires.append(Wire(slot: slot, input: input, inputName: labels.operand(input), gate: i, rule: rule,
                              local: shownLocal, ruleIsValue: Double(rule) == local,
                              product: DisplayedArithmetic.product(shownLocal, shownUpstream, trace.contribution(i, slot), format),
                              wireOfInput: uses > 1 ? (position, uses) : nil))
        }
        var notes: [String] = []
        if let pattern = kind.pattern { notes.append(pattern) }
        if let call = graph.expandedFrom(i) { notes.append("part of \(callText(call)), drawn as its body") }
        if let rule = graph.kink(at: i, values: trace.values) { notes.append("kink: \(rule)") }
        if kind.isDefinition, let body = kind.body?(0) {
            notes.append("\(kind.name)'s local gradients are computed by backpropagating through its body, \(body.text)")
        }
        return Step(number: k, node: i, name: labels.operand(i), definition: definition(i), notes: notes, upstream: upstream, wires: wires)
    }

    /// `softplus(x)`: an expanded call, over its arguments' names.
    package func callText(_ call: Graph.ExpandedCall) -> String {
        let kind = graph.kinds[Int(call.kind)]
        return kind.formula(GateKind.Operands(call.arguments.map { labels.operand($0) }, parameter: call.parameter))
    }

    /// The contributions that add up to a node's gradient when it fans out, in arrival order.
    package func forkTerms(_ i: Int) -> [Double]? {
        guard uses.count(of: i) > 1 else { return nil }
        let terms = uses(of: i).filter { trace.reachesOutput[$0.consumer] }.map { trace.contribution($0.consumer, $0.slot) }
        return terms.count > 1 ? terms : nil
    }

    // MARK: Gradients

    /// An input's gradient as the walkthrough shows it.
    package struct Gradient: Sendable {
        /// The input's node on the tape.
        package var node: Int
        /// The input's label.
        package var name: String
        /// Its value, as shown.
        package var value: Shown
        /// ∂output/∂input, as shown.
        package var gradient: Shown
        /// For an input used more than once: its contributions adding up to the gradient.
        package var fork: DisplayedArithmetic.Equation?
        /// How many contributions its gradient sums (1 unless it forks).
        package var uses: Int
        /// Whether it lies on a path to the output; if not, its gradient is 0.
        package var affectsOutput: Bool
    }

    /// The gradient of input node `id`, as shown, with its fork sum when several gates use it.
    package func gradient(ofInput id: Int) -> Gradient {
        let terms = forkTerms(id)
        return Gradient(node: id, name: labels[id], value: format.shown(trace.values[id]), gradient: format.shown(trace.gradients[id]),
                        fork: terms.map { DisplayedArithmetic.sum($0, trace.gradients[id], format) }, uses: terms?.count ?? 1,
                        affectsOutput: trace.reachesOutput[id])
    }

    // MARK: Warnings

    /// The sentence for a warning.
    package func message(_ warning: TraceWarning) -> String {
        let i = warning.node
        let node = graph.nodes[i]
        let kind = graph.kind(i)
        // Lines of the text the reader sees (a lesson block's own lines, not the lesson file's).
        let place = node.span.map { " (line \($0.line), column \($0.column))" } ?? ""
        let plain = NumberFormat(.shortest)
        switch warning.reason {
        case .undefined(let why):
            let shown = graph.inputs(of: i).map { plain(trace.values[$0]) }.joined(separator: ", ")
            return "\(kind.name) gate '\(labels[i])'\(place): \(why): \(kind.symbol(node.gate.parameter))(\(shown)) = \(plain(trace.values[i]))"
        case .nonFiniteLeaf:
            return "'\(labels[i])' is \(plain(trace.values[i]))"
        case .nonFiniteGradient:
            return "the gradient at \(kind.name) gate '\(labels[i])'\(place) is \(plain(trace.gradients[i]))"
        case .kink(let rule):
            return "\(kind.name) gate '\(labels[i])'\(place) is at a kink: \(rule)"
        case .unused:
            return "'\(node.name ?? labels[i])' does not affect the output; its gradient is 0"
        }
    }
}

/// The pieces of prose every walkthrough view says the same way.
package enum Say {
    /// `3 + 3`, `1.5 - 0.25`: terms as a sum, signs folded.
    package static func sum(_ terms: [String]) -> String {
        var out = ""
        for (k, text) in terms.enumerated() {
            if k == 0 { out = text } else if text.hasPrefix("-") { out += " - " + text.dropFirst() } else { out += " + " + text }
        }
        return out
    }

    /// `a × b = c` in text.
    package static func product(_ e: DisplayedArithmetic.Equation) -> String {
        "\(e.operands[0].text) × \(factor(e.operands[1].text)) \(e.equals) \(e.result.text)"
    }

    /// A negative number after × in brackets: `0.37 × (-0.53)`, as a student would write it.
    package static func factor(_ text: String) -> String { text.hasPrefix("-") ? "(\(text))" : text }

    /// `t1 + t2 = s` in text (terms first, as a fork adds them).
    package static func forkSum(_ e: DisplayedArithmetic.Equation) -> String {
        "\(sum(e.operands.map(\.text))) \(e.equals) \(e.result.text)"
    }

    /// The line that names a wire when one input feeds a gate more than once.
    package static func wireNote(_ w: Walkthrough.Wire) -> String {
        guard let (k, n) = w.wireOfInput else { return "" }
        return " (wire \(k) of \(n) from \(w.inputName))"
    }
}
