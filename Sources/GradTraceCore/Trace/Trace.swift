/// The result of one forward and one backward pass: every value, every gradient, and for
/// every gate input the local gradient and its contribution (local × upstream). Every view
/// (text, Markdown, JSON, diagram, handout) is a pure function of a Trace, so step numbers,
/// names and numbers agree everywhere; no renderer recomputes a gradient.
public struct Trace: Sendable {
    /// The circuit that was traced.
    public let graph: Graph
    /// Forward values, by node.
    public let values: [Double]
    /// ∂output/∂node, by node. The upstream gradient a gate sees is its own entry here.
    public let gradients: [Double]
    /// Local gradient ∂node/∂input for input slot s of node i at index 2i + s.
    package let locals: [Double]
    /// local × upstream for input slot s of node i at index 2i + s: what the gate sends back.
    package let contributions: [Double]
    /// Slots beyond the second (calls of defs with more parameters), by node.
    package let extraLocals: [Int: [Double]]
    package let extraContributions: [Int: [Double]]
    /// Whether the node lies on a path to the output (others get no gradient).
    package let reachesOutput: [Bool]
    /// Gates in backward order: step k (from 1) processes `steps[k - 1]`.
    package let steps: [Int]
    /// Non-finite values, kinks and unused statements, in tape order.
    package let warnings: [TraceWarning]

    package init(graph: Graph, values: [Double], gradients: [Double], locals: [Double], contributions: [Double],
         extraLocals: [Int: [Double]] = [:], extraContributions: [Int: [Double]] = [:],
         reachesOutput: [Bool], steps: [Int], warnings: [TraceWarning]) {
        self.graph = graph
        self.values = values
        self.gradients = gradients
        self.locals = locals
        self.contributions = contributions
        self.extraLocals = extraLocals
        self.extraContributions = extraContributions
        self.reachesOutput = reachesOutput
        self.steps = steps
        self.warnings = warnings
    }

    /// The same trace with other gradients (tests use it to corrupt a trace on purpose).
    package func replacingGradients(_ gradients: [Double]) -> Trace {
        Trace(graph: graph, values: values, gradients: gradients, locals: locals, contributions: contributions,
              extraLocals: extraLocals, extraContributions: extraContributions, reachesOutput: reachesOutput,
              steps: steps, warnings: warnings)
    }

    /// The output's value.
    public var output: Double { values[graph.output] }

    /// ∂output/∂input for every input, in order of first appearance.
    package var inputGradients: [(name: String, value: Double, gradient: Double)] {
        graph.inputs.map { (graph.nodes[$0].name ?? "?", values[$0], gradients[$0]) }
    }

    /// ∂output/∂input for the input named `name`.
    public func gradient(of name: String) -> Double? {
        graph.input(named: name).map { gradients[$0] }
    }

    /// The value of the node named `name`.
    package func value(of name: String) -> Double? {
        if let i = graph.nodes.firstIndex(where: { $0.name == name }) { return values[i] }
        return nil
    }

    /// The local gradient of input `slot` of node `node`.
    package func local(_ node: Int, _ slot: Int) -> Double {
        slot < 2 ? locals[2 * node + slot] : extraLocals[node]![slot - 2]
    }

    /// local × upstream for input `slot` of node `node`.
    package func contribution(_ node: Int, _ slot: Int) -> Double {
        slot < 2 ? contributions[2 * node + slot] : (extraContributions[node]?[slot - 2] ?? 0)
    }
}

/// Something a reader should know about a node, as data; the views word it.
public struct TraceWarning: Sendable, Equatable {
    /// The broad kind of a warning: a non-finite value or gradient, a kink, or an unused name.
    package enum Kind: String, Sendable { case nonFinite, kink, unused }
    /// Why, in detail; `Walkthrough.message(_:)` words it.
    package enum Reason: Sendable, Equatable {
        /// A gate gave a non-finite value from finite inputs; the gate's entry says why.
        case undefined(String)
        /// An input or constant is not finite.
        case nonFiniteLeaf
        /// A gate's value is finite but its gradient is not.
        case nonFiniteGradient
        /// The gate sits on a kink; its entry states the convention used.
        case kink(String)
        /// A named statement that does not affect the output.
        case unused
    }
    /// Which kind of warning it is.
    package var kind: Kind
    /// The node it is about.
    package var node: Int
    /// Why it was raised.
    package var reason: Reason
}
