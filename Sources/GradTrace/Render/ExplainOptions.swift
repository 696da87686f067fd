/// What the text and Markdown walkthroughs include.
public struct ExplainOptions: Sendable {
    public var format: NumberFormat
    /// ANSI colour (text only): values green, gradients red.
    public var color: Bool
    /// The numerical gradient check, when it was run.
    public var check: GradientCheck?
    /// Forward pass only (the first half of a lecture).
    public var showGradients: Bool
    /// A title for the walkthrough; defaults to the expression.
    public var title: String?

    public init(format: NumberFormat = NumberFormat(), color: Bool = false, check: GradientCheck? = nil,
                showGradients: Bool = true, title: String? = nil) {
        self.format = format
        self.color = color
        self.check = check
        self.showGradients = showGradients
        self.title = title
    }
}

/// The pieces of prose every walkthrough shares, so text, Markdown and HTML say the same thing.
public struct Wording {
    let trace: Trace
    let labels: Labels
    let fmt: NumberFormat
    let uses: Graph.Uses

    init(_ trace: Trace, format: NumberFormat) {
        self.trace = trace
        self.fmt = format
        self.labels = Labels(trace.graph, format: format)
        self.uses = trace.graph.makeUses()
    }

    var graph: Graph { trace.graph }
    var outputName: String { labels[graph.output] }

    /// A node as it appears after ∂ and inside formulas: short, parenthesised when compound.
    func short(_ i: Int) -> String { labels.operand(i) }

    /// The gate written over its inputs' labels: `q * z`.
    func formula(_ i: Int) -> String {
        let node = graph.nodes[i]
        let a = node.a >= 0 ? labels.operand(Int(node.a)) : ""
        let b = node.b >= 0 ? labels.operand(Int(node.b)) : ""
        return Labels.formula(node.gate, a, b, fmt)
    }

    /// `f = q * z`, or just the formula when the node has no label of its own.
    func definition(_ i: Int) -> String {
        let label = labels[i], formula = formula(i)
        return label == formula ? label : "\(label) = \(formula)"
    }

    /// `f = sigmoid(w0*x0 + w1*x1 + w2)`: the node as the user typed it, for captions and titles.
    func typedDefinition(_ i: Int) -> String {
        let label = labels[i]
        guard var typed = labels.sourceText(i, maxLength: 80) else { return definition(i) }
        if let eq = typed.firstIndex(of: "="), graph.nodes[i].name != nil,
           typed[..<eq].trimmed(" ") == graph.nodes[i].name { typed = typed[typed.index(after: eq)...].trimmed(" ") }
        return typed == label ? label : "\(label) = \(typed)"
    }

    func rule(_ i: Int, slot: Int) -> String {
        let node = graph.nodes[i]
        let a = node.a >= 0 ? labels.operand(Int(node.a)) : ""
        let b = node.b >= 0 ? labels.operand(Int(node.b)) : ""
        return node.gate.localRule(slot: slot, a: a, b: b)
    }

    /// The sum that forms a node's gradient when it fans out: `2 + 2`, in arrival order.
    func forkTerms(_ i: Int) -> [Double]? {
        guard uses.count(of: i) > 1 else { return nil }
        let terms = uses(of: i).filter { trace.reachesOutput[$0.consumer] }.map { trace.contribution($0.consumer, $0.slot) }
        return terms.count > 1 ? terms : nil
    }

    /// `z = -4`: the rule and its value, or just the value when the rule is a number.
    func ruleWithValue(_ i: Int, slot: Int) -> String {
        let rule = rule(i, slot: slot), local = trace.local(i, slot)
        return Double(rule) == local ? rule : "\(rule) = \(fmt(local))"
    }

    /// `2 + 2`, `1.5 - 0.25`: a fork's terms as a sum.
    func sum(_ terms: [Double]) -> String {
        var out = ""
        for (k, t) in terms.enumerated() {
            let text = fmt(t)
            if k == 0 { out = text } else if text.hasPrefix("-") { out += " - " + text.dropFirst() } else { out += " + " + text }
        }
        return out
    }

    /// A one-line note on the gate: its pattern, what it was expanded from, its kink rule.
    func notes(_ i: Int) -> [String] {
        let node = graph.nodes[i]
        var notes: [String] = []
        if let pattern = node.gate.pattern { notes.append(pattern) }
        if let from = graph.expandedFrom(i) { notes.append("part of \(from.name) (\(from.symbol)), expanded into primitives") }
        let a = node.a >= 0 ? trace.values[Int(node.a)] : 0
        let b = node.b >= 0 ? trace.values[Int(node.b)] : 0
        if node.gate.isKink(a, b), let rule = node.gate.kinkRule { notes.append("kink: \(rule)") }
        return notes
    }

    func inputSummary() -> String {
        graph.inputs.map { "\(labels[$0]) = \(fmt(trace.values[$0]))" }.joined(separator: ", ")
    }

    func inputsOf(_ i: Int) -> String {
        let node = graph.nodes[i]
        return (0..<node.gate.arity).map { labels.operand(node.input($0)) }.joined(separator: ", ")
    }
}
