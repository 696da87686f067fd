/// Re-evaluates a built tape again and again (training, benchmarks): forward values and
/// input gradients in place, with no allocation per run. The `Tracer` records every step for
/// explanations; this keeps only what an optimiser needs.
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
    public mutating func backwardOnly() {
        let n = graph.count
        graph.nodes.withUnsafeBufferPointer { nodes in
            forward.locals.withUnsafeBufferPointer { locals in
                gradients.withUnsafeMutableBufferPointer { g in
                    for i in 0..<n { g[i] = 0 }
                    g[graph.output] = 1
                    for i in stride(from: graph.output, through: 0, by: -1) {
                        let upstream = g[i]
                        if upstream == 0 { continue }
                        let node = nodes[i]
                        if node.a >= 0 { g[Int(node.a)] += locals[2 * i] * upstream }
                        if node.b >= 0 { g[Int(node.b)] += locals[2 * i + 1] * upstream }
                    }
                }
            }
        }
    }
}
