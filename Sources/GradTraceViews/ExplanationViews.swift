import GradTraceCore
/// What an explanation needs from the views: node names, for its diagram check and its worded warnings.
extension Explanation {
    /// Throws unless the circuit is small enough to draw.
    public func requireDrawable() throws(Diagnostic) {
        let gates = graph.gateCount
        if gates > limits.diagramGates {
            throw Diagnostic("the circuit has \(gates) gates; a diagram of more than \(limits.diagramGates) gates is unreadable and slow to lay out",
                             file: graph.source?.name ?? "<input>",
                             help: "use --format json or --format text instead, or split the expression into smaller parts")
        }
        var uses = [Int](repeating: 0, count: graph.count)
        for i in 0..<graph.count { for input in graph.inputs(of: i) { uses[input] += 1 } }
        if let widest = uses.indices.max(by: { uses[$0] < uses[$1] }), uses[widest] > limits.diagramFanOut {
            let name = Walkthrough(trace).labels[widest]
            throw Diagnostic("'\(name)' is used \(uses[widest]) times; a diagram is drawn when no value is used more than \(limits.diagramFanOut) times (the layout time grows steeply with it)",
                             file: graph.source?.name ?? "<input>",
                             help: "use --format text, markdown or json, which show every step")
        }
    }

    /// The warnings, worded.
    public var warnings: [String] {
        if trace.warnings.isEmpty { return [] }  // naming nodes costs a pass over the tape
        let w = Walkthrough(trace)
        return trace.warnings.map(w.message)
    }
}
