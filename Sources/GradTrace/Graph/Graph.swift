/// A circuit as a tape: nodes in topological order (every input before the gate that uses it).
/// Forward is one loop up the array, backward one loop down it; nothing recurses.
public struct Graph: Sendable {
    public internal(set) var nodes: [Node] = []
    /// The output node: the last statement's value.
    public internal(set) var output: Int = -1
    /// Input (variable) nodes, in order of first appearance.
    public internal(set) var inputs: [Int] = []
    /// Values bound in the text (`x = -2`), by input node; command-line bindings override them.
    public internal(set) var boundValues: [Int: Double] = [:]
    /// The source the graph was parsed from, when it came from text.
    public internal(set) var source: SourceText?
    /// Whether composite gates were expanded into primitives.
    public internal(set) var expanded = false
    /// For nodes made by `--expand`: the composite gate each is part of (kept beside the tape,
    /// so the tape's nodes stay small).
    public internal(set) var expansions: [Int: Gate] = [:]

    /// The composite gate node `i` is part of, when `--expand` made it.
    public func expandedFrom(_ i: Int) -> Gate? { expansions.isEmpty ? nil : expansions[i] }

    public init() {}

    public var count: Int { nodes.count }

    public subscript(_ i: Int) -> Node { nodes[i] }

    /// The input node named `name`, if any.
    public func input(named name: String) -> Int? {
        inputs.first { nodes[$0].name == name }
    }

    public var inputNames: [String] { inputs.map { nodes[$0].name ?? "?" } }

    /// Gates (non-leaf nodes).
    public var gateCount: Int { nodes.reduce(0) { $0 + ($1.gate.isLeaf ? 0 : 1) } }

    /// Every use of every node, grouped by the node used: `uses(of: i)` lists (consumer, slot)
    /// pairs in backward order (the order in which their gradient contributions arrive).
    public func makeUses() -> Uses { Uses(self) }

    public struct Uses: Sendable {
        var start: [Int32]
        var list: [Int64]

        init(_ graph: Graph) {
            let n = graph.count
            var counts = [Int32](repeating: 0, count: n + 1)
            for node in graph.nodes {
                if node.a >= 0 { counts[Int(node.a) + 1] += 1 }
                if node.b >= 0 { counts[Int(node.b) + 1] += 1 }
            }
            for i in 0..<n { counts[i + 1] += counts[i] }
            start = counts
            list = [Int64](repeating: 0, count: Int(counts[n]))
            var fill = counts
            // Walk the tape backwards so each node's uses come out in backward order.
            for consumer in stride(from: n - 1, through: 0, by: -1) {
                let node = graph.nodes[consumer]
                for slot in 0..<node.gate.arity {
                    let used = node.input(slot)
                    list[Int(fill[used])] = Int64(consumer) * 2 + Int64(slot)
                    fill[used] += 1
                }
            }
        }

        public func count(of node: Int) -> Int { Int(start[node + 1] - start[node]) }

        public func callAsFunction(of node: Int) -> [(consumer: Int, slot: Int)] {
            (Int(start[node])..<Int(start[node + 1])).map { (Int(list[$0] / 2), Int(list[$0] % 2)) }
        }
    }
}
