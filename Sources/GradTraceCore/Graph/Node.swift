/// A gate on the tape: which kind (an index into the graph's `kinds`) and the constant it
/// carries, if any (the 1 of `+1`, a literal's value).
package struct Gate: Sendable, Hashable {
    /// Its kind, as an index into `Graph.kinds`.
    package var kind: UInt16
    /// The constant it carries (the c of `+c`, a literal's value); 0 when its kind has none.
    package var parameter: Double

    /// A gate of the kind at index `kind` of `Graph.kinds`, with its parameter.
    package init(kind: UInt16, parameter: Double = 0) {
        self.kind = kind
        self.parameter = parameter
    }

    /// The leaf of a variable, whose value is bound when it is traced.
    package static let input = Gate(kind: Builtin.input)
    /// The leaf of a number that could not be folded into a gate (`2^x`'s 2).
    package static func constant(_ value: Double) -> Gate { Gate(kind: Builtin.constant, parameter: value) }

    /// Whether it is a variable's leaf.
    package var isInput: Bool { kind == Builtin.input }
    /// Whether it is a constant's leaf.
    package var isConstant: Bool { kind == Builtin.constant }
    /// Whether it is a leaf (variable or constant), with no inputs.
    package var isLeaf: Bool { kind == Builtin.input || kind == Builtin.constant }
}

/// One entry of the tape: a gate and the indices of its inputs, which always come earlier.
package struct Node: Sendable, Equatable {
    /// What the node computes: its kind and parameter.
    package var gate: Gate
    /// Input indices; -1 where the gate has fewer inputs. A call of a `def` with more than two
    /// parameters keeps the rest in `Graph.extraInputs`.
    package var a: Int32
    /// Index of the second input; -1 for leaves and one-input gates.
    package var b: Int32
    /// The name the user gave (`q = x + y`), or the variable's name for an input.
    package var name: String?
    /// Where the node came from in the source; every node of an expansion shares the span
    /// of the call it expands.
    package var span: SourceSpan?

    /// A node over the inputs at indices `a` and `b` (-1 where it has none).
    package init(gate: Gate, a: Int32 = -1, b: Int32 = -1, name: String? = nil, span: SourceSpan? = nil) {
        self.gate = gate
        self.a = a
        self.b = b
        self.name = name
        self.span = span
    }
}
