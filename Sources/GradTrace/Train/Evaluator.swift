/// Re-evaluates a built tape again and again (training, benchmarks): forward values and
/// gradients in place, with no allocation per run, through the same kernel as `Tracer`.
public struct Evaluator {
    public let graph: Graph
    public private(set) var forward: Forward
    public private(set) var gradients: [Double]

    public init(graph: Graph, inputs: [Double]) {
        self.graph = graph
        forward = Forward(graph: graph, inputs: inputs)
        gradients = [Double](repeating: 0, count: graph.count)
    }

    public var values: [Double] { forward.values }
    public var output: Double { forward.values[graph.output] }

    public mutating func setInput(_ node: Int, _ value: Double) { forward.inputValues[node] = value }
    public func input(_ node: Int) -> Double { forward.inputValues[node] }

    /// One forward and one backward pass; returns the output.
    @discardableResult
    public mutating func run() -> Double {
        forward.run()
        backwardOnly()
        return output
    }

    /// The forward pass alone (values and local gradients).
    public mutating func forwardOnly() { forward.run() }

    /// The backward pass alone, from the local gradients of the last forward pass.
    public mutating func backwardOnly() { Backward.run(forward, into: &gradients) }
}
