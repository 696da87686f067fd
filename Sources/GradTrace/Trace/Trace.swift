/// The result of one forward and one backward pass: every value, every gradient, and for
/// every gate input the local gradient and its contribution (local × upstream). Every view
/// (text, Markdown, JSON, diagram, handout) is a pure function of a Trace, so step numbers,
/// names and numbers agree everywhere; no renderer recomputes a gradient.
public struct Trace: Sendable {
    public let graph: Graph
    /// Forward values, by node.
    public let values: [Double]
    /// ∂output/∂node, by node. The upstream gradient a gate sees is its own entry here.
    public let gradients: [Double]
    /// Local gradient ∂node/∂input for input slot s of node i at index 2i + s.
    public let locals: [Double]
    /// local × upstream for input slot s of node i at index 2i + s: what the gate sends back.
    public let contributions: [Double]
    /// Whether the node lies on a path to the output (others get no gradient).
    public let reachesOutput: [Bool]
    /// Gates in backward order: step k (from 1) processes `steps[k - 1]`.
    public let steps: [Int]
    /// Non-finite values, kinks and unused statements, in tape order.
    public let warnings: [TraceWarning]

    public init(graph: Graph, values: [Double], gradients: [Double], locals: [Double], contributions: [Double],
                reachesOutput: [Bool], steps: [Int], warnings: [TraceWarning]) {
        self.graph = graph
        self.values = values
        self.gradients = gradients
        self.locals = locals
        self.contributions = contributions
        self.reachesOutput = reachesOutput
        self.steps = steps
        self.warnings = warnings
    }

    public var output: Double { values[graph.output] }

    /// ∂output/∂input for every input, in order of first appearance.
    public var inputGradients: [(name: String, value: Double, gradient: Double)] {
        graph.inputs.map { (graph.nodes[$0].name ?? "?", values[$0], gradients[$0]) }
    }

    public func gradient(of name: String) -> Double? {
        graph.input(named: name).map { gradients[$0] }
    }

    public func value(of name: String) -> Double? {
        if let i = graph.nodes.firstIndex(where: { $0.name == name }) { return values[i] }
        return nil
    }

    public func local(_ node: Int, _ slot: Int) -> Double { locals[2 * node + slot] }
    public func contribution(_ node: Int, _ slot: Int) -> Double { contributions[2 * node + slot] }
}

public struct TraceWarning: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case nonFinite, kink, unused }
    public var kind: Kind
    public var node: Int
    public var message: String
    public var description: String { "warning: \(message)" }
}
