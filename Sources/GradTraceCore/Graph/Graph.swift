/// A circuit as a tape: nodes in topological order (every input before the gate that uses it).
/// Forward is one loop up the array, backward one loop down it; nothing recurses.
public struct Graph: Sendable {
    /// The tape: every node in topological order, each input before the gates that use it.
    package internal(set) var nodes: [Node] = []
    /// The output node: the last statement's value.
    package internal(set) var output: Int = -1
    /// Input (variable) nodes, in order of first appearance.
    package internal(set) var inputs: [Int] = []
    /// Values bound in the text (`x = -2`), by input node; command-line bindings override them.
    package internal(set) var boundValues: [Int: Double] = [:]
    /// The source the graph was parsed from, when it came from text.
    package internal(set) var source: SourceText?
    /// The kinds of gate a node's `gate.kind` indexes: the built-ins, then the source's `def`s.
    package internal(set) var kinds: [GateKind] = GateKind.builtins
    /// For each `def` (by kind index): its body as a tape of its own, with every call inside
    /// written out, which computes a collapsed call's value and local gradients.
    package var definitionTapes: [UInt16: Graph] = [:]
    /// Inputs beyond the second of calls with more than two arguments, by node.
    package internal(set) var extraInputs: [Int: [Int32]] = [:]
    /// Expanded calls: what was expanded, with which arguments. Nodes made by an expansion
    /// point at their call in `expandedCall` (kept beside the tape, so nodes stay small).
    package internal(set) var calls: [ExpandedCall] = []
    /// For each node an expansion made, the index in `calls` of the call it belongs to.
    package internal(set) var expandedCall: [Int: Int32] = [:]
    /// Which composites were drawn as their bodies.
    package internal(set) var expansion: Expansion = .none
    /// Parameters declared with `param`, in order (their elements are inputs).
    package internal(set) var parameters: [ParameterDeclaration] = []
    /// The seed the parameters' first values were drawn with.
    package internal(set) var parameterSeed: UInt64 = 0
    /// Vectors and matrices named in the source (`input x[2]`, `param W[4,2]`, `z = W @ x`), in order.
    package internal(set) var tensors: [NamedTensor] = []

    /// A call drawn as its body (a group in diagrams).
    package struct ExpandedCall: Sendable {
        /// The composite expanded, as an index into `kinds`.
        package var kind: UInt16
        /// The call's gate parameter (leaky_relu's slope, elu's α); 0 when it has none.
        package var parameter: Double
        /// The nodes passed as its arguments, in order.
        package var arguments: [Int]
        /// The node that carries the call's result.
        package var result: Int
        /// The call this one is part of, when a body calls another composite.
        package var parent: Int?
    }

    /// Which composite gates (σ, tanh, relu, −, /, min, …, and `def`s) are drawn as their bodies.
    public enum Expansion: Sendable, Equatable {
        /// Every composite is drawn as one gate.
        case none
        /// Every composite is drawn as its body, down to the lecture's primitives.
        case all
        /// Only the composites with these gate or `def` names.
        case only(Set<String>)

        /// Whether the composite named `name` is drawn as its body.
        package func includes(_ name: String) -> Bool {
            switch self {
            case .none: return false
            case .all: return true
            case .only(let names): return names.contains(name)
            }
        }
    }

    /// An empty graph: the built-in kinds, no nodes, and no output (`output` is -1).
    package init() {}

    /// Number of nodes on the tape (inputs and constants included).
    public var count: Int { nodes.count }
    /// Whether any composite is drawn as its body.
    package var expanded: Bool { expansion != .none }

    /// Node `i` of the tape.
    package subscript(_ i: Int) -> Node { nodes[i] }

    /// The kind of gate at node `i`.
    package func kind(_ i: Int) -> GateKind { kinds[Int(nodes[i].gate.kind)] }
    /// The kind of `gate`.
    package func kind(of gate: Gate) -> GateKind { kinds[Int(gate.kind)] }

    /// Number of inputs of node `i`.
    package func arity(_ i: Int) -> Int { kinds[Int(nodes[i].gate.kind)].arity }

    /// The node feeding input `slot` of node `i`.
    package func input(_ i: Int, _ slot: Int) -> Int {
        let node = nodes[i]
        switch slot {
        case 0: return Int(node.a)
        case 1: return Int(node.b)
        default: return Int(extraInputs[i]![slot - 2])
        }
    }

    /// Node `i`'s inputs, labelled by `label`, and its parameter: what formulas and rules read.
    package func operands(_ i: Int, _ label: (Int) -> String) -> GateKind.Operands {
        // Read off the node's input slots (-1 where unused): no kind lookup on this hot path.
        let node = nodes[i]
        if node.a < 0 { return GateKind.Operands(a: "", parameter: node.gate.parameter) }
        if node.b < 0 { return GateKind.Operands(a: label(Int(node.a)), parameter: node.gate.parameter) }
        if extraInputs.isEmpty || extraInputs[i] == nil {
            return GateKind.Operands(a: label(Int(node.a)), b: label(Int(node.b)), parameter: node.gate.parameter)
        }
        return GateKind.Operands(inputs(of: i).map(label), parameter: node.gate.parameter)
    }

    /// The nodes feeding node `i`, in slot order.
    package func inputs(of i: Int) -> [Int] { (0..<arity(i)).map { input(i, $0) } }

    /// The kink rule of node `i`'s gate when it sits on a kink, its inputs read from `values`
    /// (every node's value, as a trace holds them); nil at once for a gate that has no kink
    /// and is no def, without gathering its inputs.
    package func kink(at i: Int, values: [Double]) -> String? {
        let kind = kinds[Int(nodes[i].gate.kind)]
        guard kind.kink != nil || kind.isDefinition else { return nil }
        return kink(at: i, inputs: inputs(of: i).map { values[$0] })
    }

    /// The kink rule of node `i`'s gate when it sits on a kink at these input values (a max
    /// tie, relu at 0, …); for a call of a def, the rule of a kink inside its body.
    package func kink(at i: Int, inputs: [Double]) -> String? {
        let node = nodes[i]
        let kind = kinds[Int(node.gate.kind)]
        if let kink = kind.kink {
            return kink.test(inputs.first ?? 0, inputs.count > 1 ? inputs[1] : 0, node.gate.parameter) ? kink.rule : nil
        }
        guard kind.isDefinition, let tape = definitionTapes[node.gate.kind] else { return nil }
        var values = [Double](repeating: 0, count: tape.count)
        for (k, id) in tape.inputs.enumerated() { values[id] = inputs[k] }
        var forward = Forward(graph: tape, inputs: values)
        forward.run()
        for j in 0..<tape.count where !tape.nodes[j].gate.isLeaf {
            if let rule = tape.kink(at: j, values: forward.values) {
                return "inside \(kind.name)'s body, \(tape.kind(j).name) is at a kink: \(rule)"
            }
        }
        return nil
    }

    /// The expanded call node `i` is part of, if any.
    package func expandedFrom(_ i: Int) -> ExpandedCall? {
        guard !expandedCall.isEmpty, let c = expandedCall[i] else { return nil }
        return calls[Int(c)]
    }

    /// The input node named `name`, if any.
    public func input(named name: String) -> Int? {
        inputs.first { nodes[$0].name == name }
    }

    /// The inputs' names, in order of first appearance.
    package var inputNames: [String] { inputs.map { nodes[$0].name ?? "?" } }

    /// Gates (non-leaf nodes).
    public var gateCount: Int { nodes.reduce(0) { $0 + ($1.gate.isLeaf ? 0 : 1) } }

    /// The `def`s of the source, in order.
    package var definitions: [GateKind] { kinds.filter(\.isDefinition) }

    /// Every use of every node, grouped by the node used: `uses(of: i)` lists (consumer, slot)
    /// pairs in backward order (the order in which their gradient contributions arrive).
    package func makeUses() -> Uses { Uses(self) }

    /// Which gate inputs read each node, built once by `makeUses()`: how a fork is found.
    package struct Uses: Sendable {
        package var start: [Int32]
        package var list: [Int64]

        package init(_ graph: Graph) {
            let n = graph.count
            var counts = [Int32](repeating: 0, count: n + 1)
            for i in 0..<n {
                for slot in 0..<graph.arity(i) { counts[graph.input(i, slot) + 1] += 1 }
            }
            for i in 0..<n { counts[i + 1] += counts[i] }
            start = counts
            list = [Int64](repeating: 0, count: Int(counts[n]))
            var fill = counts
            // Walk the tape backwards so each node's uses come out in backward order.
            for consumer in stride(from: n - 1, through: 0, by: -1) {
                for slot in 0..<graph.arity(consumer) {
                    let used = graph.input(consumer, slot)
                    list[Int(fill[used])] = Int64(consumer) << 16 | Int64(slot)
                    fill[used] += 1
                }
            }
        }

        /// How many gate inputs read `node`; more than one makes it a fork whose gradient is a sum.
        package func count(of node: Int) -> Int { Int(start[node + 1] - start[node]) }

        /// The (consumer, slot) pairs that read `node`, in backward order.
        package func callAsFunction(of node: Int) -> [(consumer: Int, slot: Int)] {
            (Int(start[node])..<Int(start[node + 1])).map { (Int(list[$0] >> 16), Int(list[$0] & 0xFFFF)) }
        }
    }
}
