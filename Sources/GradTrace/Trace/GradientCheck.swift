/// The numerical gradient check: for every input and every gate, nudge its value by ±h, run
/// forward again from that node, and compare the centred difference (f(v+h) − f(v−h)) / 2h
/// with the analytic gradient from the backward pass.
public struct GradientCheck: Sendable {
    public struct Entry: Sendable {
        public var node: Int
        public var analytic: Double
        public var numeric: Double
        /// |analytic − numeric| / max(|analytic|, |numeric|); 0 when both are 0.
        public var relativeError: Double
        /// The gate sits on a kink (max/min tie, relu at 0): a numerical gradient is not meaningful.
        public var atKink: Bool
        public var passed: Bool
    }

    public static let tolerance = 1e-6
    /// Gates are checked only up to this many nodes (each check re-runs part of the tape).
    public static let maxNodes = 5_000

    public var entries: [Entry]
    /// False when the graph was too large for gates to be checked (inputs still are).
    public var checkedGates: Bool

    public var allPassed: Bool { entries.allSatisfy(\.passed) }

    public init(_ trace: Trace) {
        let graph = trace.graph
        var inputs = [Double](repeating: 0, count: graph.count)
        for id in graph.inputs { inputs[id] = trace.values[id] }
        var forward = Forward(graph: graph, inputs: inputs)
        checkedGates = graph.count <= GradientCheck.maxNodes
        let kinks = Set(trace.warnings.filter { $0.kind == .kink }.map(\.node))
        var entries: [Entry] = []
        for i in 0..<graph.count where trace.reachesOutput[i] {
            let gate = graph.nodes[i].gate
            if gate == .input || (checkedGates && !gate.isLeaf) {
                let v = trace.values[i]
                let h = 1e-5 * max(1, abs(v))
                forward.run(from: i, nudged: i, by: h)
                let plus = forward.values[graph.output]
                forward.run(from: i, nudged: i, by: -h)
                let minus = forward.values[graph.output]
                forward.run(from: i)  // restore the un-nudged values before the next check
                let numeric = (plus - minus) / (2 * h)
                let analytic = trace.gradients[i]
                let scale = max(abs(analytic), abs(numeric))
                let rel = scale < 1e-12 ? abs(analytic - numeric) : abs(analytic - numeric) / scale
                // A kink anywhere downstream can make the difference quotient meaningless.
                let atKink = !kinks.isEmpty && kinks.contains(where: { $0 >= i })
                entries.append(Entry(node: i, analytic: analytic, numeric: numeric, relativeError: rel,
                                     atKink: atKink, passed: rel <= GradientCheck.tolerance || abs(analytic - numeric) <= 1e-9 || atKink))
            }
        }
        self.entries = entries
    }
}
