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
        if case .constant(let c) = node.gate { return format(c) }
        if let text = sourceText(i) { return text }
        let a = node.a >= 0 ? operand(Int(node.a)) : ""
        let b = node.b >= 0 ? operand(Int(node.b)) : ""
        return Labels.formula(node.gate, a, b, format)
    }

    /// An input's label inside another label: short, parenthesised when compound.
    public func operand(_ i: Int) -> String {
        let node = graph.nodes[i]
        if let name = node.name { return name }
        if case .constant(let c) = node.gate { return format(c) }
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

    /// `(x + y)` → `x + y`, for arguments that a call's own parentheses already enclose.
    static func unwrapped(_ s: String) -> String {
        guard s.hasPrefix("("), s.hasSuffix(")") else { return s }
        let inner = String(s.dropFirst().dropLast())
        var depth = 0
        for ch in inner {
            if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1; if depth < 0 { return s } }
        }
        return depth == 0 ? inner : s
    }

    /// The gate written as a formula over its inputs' labels.
    public static func formula(_ gate: Gate, _ a: String, _ b: String, _ format: NumberFormat) -> String {
        switch gate {
        case .input, .constant: return a
        case .add: return "\(a) + \(b)"
        case .mul: return "\(a)*\(b)"
        case .max: return "max(\(unwrapped(a)), \(unwrapped(b)))"
        case .min: return "min(\(unwrapped(a)), \(unwrapped(b)))"
        case .exp: return "exp(\(unwrapped(a)))"
        case .reciprocal: return "1/\(a)"
        case .addConst(let k): return k < 0 ? "\(a) - \(formatShortest(-k))" : "\(a) + \(formatShortest(k))"
        case .mulConst(let k): return k == -1 ? "-\(a)" : "\(formatShortest(k))*\(a)"
        case .sigmoid: return "σ(\(unwrapped(a)))"
        case .tanh: return "tanh(\(unwrapped(a)))"
        case .relu: return "relu(\(unwrapped(a)))"
        case .sub: return "\(a) - \(b)"
        case .div: return "\(a)/\(b)"
        case .divConst(let k): return "\(a)/\(formatShortest(k))"
        case .log: return "log(\(unwrapped(a)))"
        case .powConst(let k): return "\(a)^\(formatShortest(k))"
        case .pow: return "\(a)^\(b)"
        }
    }
}
