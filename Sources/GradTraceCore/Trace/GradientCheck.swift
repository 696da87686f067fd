/// The numerical gradient check: for inputs and gates, nudge the value by ±h, run forward again
/// from that node, and compare the centred difference (f(v+h) − f(v−h)) / 2h with the
/// analytic gradient from the backward pass.
///
/// Each check re-runs the tape from the nudged node, so checking every node of an n-node tape
/// costs O(n²) — the seeds' own point about numerical gradients. Beyond `defaultLimit` nodes a
/// fixed sample of them is checked (the same sample every run), unless `all` is asked for.
public struct GradientCheck: Sendable {
    /// One node's check: its analytic and numerical gradients, and whether they agree.
    package struct Entry: Sendable {
        /// The node checked: an input or a gate.
        package var node: Int
        /// ∂output/∂node from the backward pass.
        package var analytic: Double
        /// The centred difference (f(v+h) − f(v−h)) / 2h, with h = 10⁻⁵·max(1, |v|).
        package var numeric: Double
        /// |analytic − numeric| / max(|analytic|, |numeric|); 0 when both are 0.
        package var relativeError: Double
        /// A kink (max/min tie, relu at 0, …) lies on a path from this node to the output, so a
        /// difference quotient across it is not meaningful.
        package var atKink: Bool
        /// Whether the two agree (relative error at most `tolerance`, or a difference of at most
        /// 10⁻⁹); an entry `atKink` always passes.
        package var passed: Bool
    }

    /// The largest relative error that passes.
    package static let tolerance = 1e-6
    /// Nodes checked unless `all` is asked for.
    package static let defaultLimit = 2_000

    /// The nodes checked, in tape order.
    package var entries: [Entry]
    /// How many nodes could have been checked, and how many were.
    package var candidates: Int
    /// How many nodes were checked.
    package var checked: Int { entries.count }

    /// Whether every entry passed.
    public var allPassed: Bool { entries.allSatisfy(\.passed) }

    /// Checks the inputs and gates of `trace` that reach the output (constants are skipped): every
    /// one when `all` or when there are at most `limit`, else an even sample of `limit` of them.
    package init(_ trace: Trace, all: Bool = false, limit: Int = GradientCheck.defaultLimit) {
        let graph = trace.graph
        var inputs = [Double](repeating: 0, count: graph.count)
        for id in graph.inputs { inputs[id] = trace.values[id] }
        var forward = Forward(graph: graph, inputs: inputs)
        forward.run()
        let kinkBelow = GradientCheck.kinksDownstream(trace)
        var nodes = (0..<graph.count).filter { trace.reachesOutput[$0] && !graph.nodes[$0].gate.isConstant }
        candidates = nodes.count
        if !all && nodes.count > limit { nodes = GradientCheck.sample(nodes, count: limit) }
        var entries: [Entry] = []
        entries.reserveCapacity(nodes.count)
        for i in nodes {
            let v = forward.values[i]
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
            let passed = rel <= GradientCheck.tolerance || abs(analytic - numeric) <= 1e-9 || (analytic.isNaN && numeric.isNaN)
            entries.append(Entry(node: i, analytic: analytic, numeric: numeric, relativeError: rel,
                                 atKink: kinkBelow[i], passed: passed || kinkBelow[i]))
        }
        self.entries = entries
    }

    /// For each node, whether a gate on some path from it to the output (itself included) is at a kink.
    package static func kinksDownstream(_ trace: Trace) -> [Bool] {
        let graph = trace.graph
        var below = [Bool](repeating: false, count: graph.count)
        for i in stride(from: graph.count - 1, through: 0, by: -1) where trace.reachesOutput[i] {
            let arity = graph.arity(i)
            if arity == 0 { continue }
            // Nudging a node moves the inputs of the gates after it: a kink at a gate matters to
            // the nodes feeding it (and everything before them), not to the gate's own output.
            let atKink = graph.kink(at: i, values: trace.values) != nil
            if below[i] || atKink { for slot in 0..<arity { below[graph.input(i, slot)] = true } }
        }
        return below
    }

    /// `count` of `nodes`, spread evenly and always the same, the output's own gate included.
    package static func sample(_ nodes: [Int], count: Int) -> [Int] {
        guard count > 0 else { return [] }
        let stride = Double(nodes.count) / Double(count)
        var picked = (0..<count).map { nodes[min(nodes.count - 1, Int(Double($0) * stride))] }
        if let last = nodes.last, picked.last != last { picked[picked.count - 1] = last }
        return picked
    }
}
