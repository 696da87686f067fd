/// Short readable names for nodes, for prose and tables: the user's name (`q`), else the
/// text the user typed for it when short (`w0*x0 + w1*x1`), else a formula over its inputs'
/// labels (`exp(n7)`), where `n7` is node 7 of the tape. Computed on demand, bounded work per
/// node, no recursion.
public struct Labels: Sendable {
    public let graph: Graph
    public var format: NumberFormat
    public static let maxSourceLength = 32

    public init(_ graph: Graph, format: NumberFormat = NumberFormat()) {
        self.graph = graph
        self.format = format
    }

    public subscript(_ i: Int) -> String {
        let node = graph.nodes[i]
        if let name = node.name { return name }
        if node.gate.isConstant { return format(node.gate.parameter) }
        if let text = sourceText(i) { return text }
        return formula(i)
    }

    /// An input's label inside another label: short, parenthesised when compound.
    public func operand(_ i: Int) -> String {
        let node = graph.nodes[i]
        if let name = node.name { return name }
        if node.gate.isConstant { return format(node.gate.parameter) }
        if let text = sourceText(i), text.count <= 20 {
            return Labels.isCompound(text) ? "(\(text))" : text
        }
        return "n\(i)"
    }

    /// What the user typed for node `i`, when it is one line of at most `maxLength` characters.
    public func sourceText(_ i: Int, maxLength: Int = Labels.maxSourceLength) -> String? {
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
        return text.count <= maxLength ? text : nil
    }

    /// Whether a formula has an operator outside parentheses (so it needs them as an operand).
    public static func isCompound(_ text: String) -> Bool {
        var depth = 0
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"): depth -= 1
            case UInt8(ascii: " "), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "^"), UInt8(ascii: ","):
                if depth == 0 { return true }
            default: break
            }
        }
        return false
    }

    /// Node `i` written as a formula over its inputs' labels: `exp(n7)`, `q*z`.
    public func formula(_ i: Int) -> String {
        let kind = graph.kind(i)
        if kind.isLeaf { return self[i] }
        return kind.formula(graph.operands(i, operand))
    }
}
