import GradTraceCore
/// Names for nodes that a reader can find: the user's name (`q`), else the text the user typed
/// for it when short (`w0*x0 + w1*x1`), else a formula over its inputs' labels when that is
/// short (`exp(u1)`), else a short generated name (`u1`, `u2`, …) that the diagram prints
/// beside the gate, so a walkthrough never names a node the figure does not show. Computed
/// once for every node, in tape order (a loop, no recursion).
package struct Labels: Sendable {
    /// The circuit whose nodes are named.
    package let graph: Graph
    /// How constants in labels are written.
    package var format: NumberFormat
    /// The longest text, in characters, used as a label; a longer node gets a formula or a generated name.
    package static let maxSourceLength = 32
    private var labels: [String] = []
    private var generated: [Bool] = []
    /// Whether a node's label needs parentheses as an operand (computed once).
    private var compound: [Bool] = []

    /// Names every node of `graph`, in tape order, writing constants with `format`.
    package init(_ graph: Graph, format: NumberFormat = NumberFormat()) {
        self.graph = graph
        self.format = format
        let n = graph.count
        labels.reserveCapacity(n)
        generated = [Bool](repeating: false, count: n)
        compound.reserveCapacity(n)
        // Generated names are u1, u2, …: only user names of that shape can clash with them.
        var taken = Set(graph.nodes.lazy.compactMap(\.name).filter { $0.utf8.first == UInt8(ascii: "u") && $0.dropFirst().allSatisfy(\.isNumber) })
        var next = 1
        // Where one piece of source became several gates (`1 - p` is `p*-1`, then `+1`), the
        // text names the last of them, the one that holds its value; the others get formulas.
        var partOfLarger = [Bool](repeating: false, count: n)
        for j in 0..<n {
            guard let span = graph.nodes[j].span else { continue }
            for slot in 0..<graph.arity(j) {
                let input = graph.input(j, slot)
                if graph.nodes[input].span == span { partOfLarger[input] = true }
            }
        }
        for i in 0..<n {
            let node = graph.nodes[i]
            var label: String
            if let name = node.name {
                label = name
            } else if node.gate.isConstant {
                label = format(node.gate.parameter)
            } else if !partOfLarger[i], let text = sourceText(i) {
                label = text
            } else {
                label = graph.kind(i).isLeaf ? "?" : graph.kind(i).formula(graph.operands(i) { [labels, compound] in compound[$0] ? "(\(labels[$0]))" : labels[$0] })
                if label.utf8.count > Labels.maxSourceLength {
                    while taken.contains("u\(next)") { next += 1 }
                    label = "u\(next)"
                    taken.insert(label)
                    generated[i] = true
                }
            }
            labels.append(label)
            compound.append(!node.gate.isConstant && Labels.isCompound(label))
        }
    }

    /// Node `i`'s label: `q`, `w0*x0 + w1*x1`, `exp(u1)` or `u3`.
    package subscript(_ i: Int) -> String { labels[i] }

    /// An input's label inside another label: parenthesised when compound.
    package func operand(_ i: Int) -> String { compound[i] ? "(\(labels[i]))" : labels[i] }

    /// Whether node `i`'s label is a generated short name (which the diagram must print).
    package func isGenerated(_ i: Int) -> Bool { generated[i] }

    /// What the user typed for node `i`, when it is one line of at most `maxLength` characters.
    package func sourceText(_ i: Int, maxLength: Int = Labels.maxSourceLength) -> String? {
        let node = graph.nodes[i]
        guard graph.expandedFrom(i) == nil, let span = node.span, let source = graph.source,
              span.end - span.start <= maxLength * 4, span.start >= 0, span.end <= source.bytes.count else { return nil }
        // Work on the bytes: no newline or comment, and runs of blanks folded to one space.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(span.end - span.start)
        var lastWasSpace = false
        for b in source.bytes[span.start..<span.end] {
            if b == UInt8(ascii: "\n") || b == UInt8(ascii: "#") { return nil }
            let space = b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r")
            if space && lastWasSpace { continue }
            bytes.append(space ? UInt8(ascii: " ") : b)
            lastWasSpace = space
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return bytes.count <= maxLength || text.count <= maxLength ? text : nil
    }

    /// Whether a formula has an operator outside parentheses (so it needs them as an operand).
    package static func isCompound(_ text: String) -> Bool { GateKind.isCompound(text) }

    /// Node `i` written as a formula over its inputs' labels: `exp(n7)`, `q*z`.
    package func formula(_ i: Int) -> String {
        let kind = graph.kind(i)
        if kind.isLeaf { return self[i] }
        return kind.formula(graph.operands(i, operand))
    }
}
