/// One entry of the tape: a gate and the indices of its inputs, which always come earlier.
public struct Node: Sendable, Equatable {
    public var gate: Gate
    /// Input indices; -1 where the gate has fewer inputs.
    public var a: Int32
    public var b: Int32
    /// The name the user gave (`q = x + y`), or the variable's name for an input.
    public var name: String?
    /// Where the node came from in the source; every node of an expansion shares the span
    /// of the composite it expands.
    public var span: SourceSpan?

    public init(gate: Gate, a: Int32 = -1, b: Int32 = -1, name: String? = nil, span: SourceSpan? = nil) {
        self.gate = gate
        self.a = a
        self.b = b
        self.name = name
        self.span = span
    }

    /// The input index for `slot` (0 or 1).
    @inline(__always) public func input(_ slot: Int) -> Int { Int(slot == 0 ? a : b) }
}
