/// How many nodes a circuit has once every composite is written as its body, computed from the
/// collapsed circuit without building it. `def`s that call each other can multiply: a body that
/// calls the previous def four times, ten defs deep, expands to a million gates from a few
/// hundred bytes. The server refuses such a request before expanding it. It reads the same
/// bodies `Expansion.swift` emits, so the two cannot disagree about a composite's size.
package enum ExpansionEstimate {
    /// The expanded node count of `graph`, or a number above `cap` as soon as it passes it.
    package static func nodes(_ graph: Graph, cap: Int) -> Int {
        var memo: [String: Int] = [:]
        var total = 0
        for i in 0..<graph.count {
            let kind = graph.kind(i)
            total = add(total, kind.body == nil ? 1 : size(kind, parameter: graph.nodes[i].gate.parameter, in: graph, memo: &memo, cap: cap), cap: cap)
            if total > cap { return total }
        }
        return total
    }

    /// Nodes one call of `kind` expands to (its constants included).
    private static func size(_ kind: GateKind, parameter: Double, in graph: Graph, memo: inout [String: Int], cap: Int) -> Int {
        let key = "\(kind.name)\u{1}\(parameter.bitPattern)"
        if let known = memo[key] { return known }
        guard let makeBody = kind.body else { return 1 }
        var total = 0
        for step in makeBody(parameter).steps {
            for operand in step.inputs { if case .constant = operand { total = add(total, 1, cap: cap) } }
            // Kinds are looked up by name among the graph's own (built-ins and its defs); a def
            // can call only earlier ones, so this recursion is as deep as the chain of defs.
            if let inner = graph.kinds.first(where: { $0.name == step.kind }), inner.body != nil {
                total = add(total, size(inner, parameter: step.parameter, in: graph, memo: &memo, cap: cap), cap: cap)
            } else {
                total = add(total, 1, cap: cap)
            }
            if total > cap { break }
        }
        memo[key] = total
        return total
    }

    private static func add(_ a: Int, _ b: Int, cap: Int) -> Int { min(a + b, cap + 1) }
}
