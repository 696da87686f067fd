/// A gate on the tape: which kind (an index into the graph's `kinds`) and the constant it
/// carries, if any (the 1 of `+1`, a literal's value).
public struct Gate: Sendable, Hashable {
    public var kind: UInt16
    public var parameter: Double

    public init(kind: UInt16, parameter: Double = 0) {
        self.kind = kind
        self.parameter = parameter
    }

    public static let input = Gate(kind: Builtin.input)
    public static func constant(_ value: Double) -> Gate { Gate(kind: Builtin.constant, parameter: value) }

    public var isInput: Bool { kind == Builtin.input }
    public var isConstant: Bool { kind == Builtin.constant }
    public var isLeaf: Bool { kind == Builtin.input || kind == Builtin.constant }
}

/// One entry of the tape: a gate and the indices of its inputs, which always come earlier.
public struct Node: Sendable, Equatable {
    public var gate: Gate
    /// Input indices; -1 where the gate has fewer inputs. A call of a `def` with more than two
    /// parameters keeps the rest in `Graph.extraInputs`.
    public var a: Int32
    public var b: Int32
    /// The name the user gave (`q = x + y`), or the variable's name for an input.
    public var name: String?
    /// Where the node came from in the source; every node of an expansion shares the span
    /// of the call it expands.
    public var span: SourceSpan?

    public init(gate: Gate, a: Int32 = -1, b: Int32 = -1, name: String? = nil, span: SourceSpan? = nil) {
        self.gate = gate
        self.a = a
        self.b = b
        self.name = name
        self.span = span
    }
}
