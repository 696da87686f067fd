import GradTraceCore
/// Re-evaluates a built tape again and again (training, benchmarks): forward values and
/// gradients in place, with no allocation per run, through the same kernel as `Tracer`.
package struct Evaluator {
    /// The tape being re-evaluated.
    package let graph: Graph
    /// The forward pass's state: values, local gradients and input values.
    package private(set) var forward: Forward
    /// ∂output/∂node by node, from the last backward pass.
    package private(set) var gradients: [Double]

    /// An evaluator of `graph`; `inputs` holds each input node's value at its index, as
    /// `Tracer.inputValues(for:)` returns. Nothing is computed until `run()`.
    package init(graph: Graph, inputs: [Double]) {
        self.graph = graph
        forward = Forward(graph: graph, inputs: inputs)
        gradients = [Double](repeating: 0, count: graph.count)
    }

    /// Forward values by node, from the last forward pass.
    package var values: [Double] { forward.values }
    /// The output's value from the last forward pass.
    package var output: Double { forward.values[graph.output] }

    /// Sets input node `node`'s value for the next run.
    package mutating func setInput(_ node: Int, _ value: Double) { forward.inputValues[node] = value }
    /// Input node `node`'s current value.
    package func input(_ node: Int) -> Double { forward.inputValues[node] }

    /// One forward and one backward pass; returns the output.
    @discardableResult
    package mutating func run() -> Double {
        forward.run()
        backwardOnly()
        return output
    }

    /// The forward pass alone (values and local gradients).
    package mutating func forwardOnly() { forward.run() }

    /// The backward pass alone, from the local gradients of the last forward pass.
    package mutating func backwardOnly() { Backward.run(forward, into: &gradients) }
}
