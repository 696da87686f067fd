/// Forward-mode differentiation: one loop up the tape that carries ∂node/∂x from one input x to
/// every node. Each gate's tangent is the sum over its input wires of local gradient × the
/// input's tangent. The local gradients are the ones `Forward` computed (no gate's math is
/// written twice), and each product follows `Backward.product`'s rule for zero.
///
/// Where reverse mode (`Backward`) gives ∂f/∂ every node in one pass from the output, forward
/// mode gives ∂ every node/∂x in one pass from one input: a gradient with respect to n inputs
/// takes n such passes, and one backward pass.
package struct Tangent: Sendable {
    /// The input node x the tangents are taken with respect to.
    package let wrt: Int
    /// ∂node/∂x, by node.
    package let tangents: [Double]
    /// local × the input's tangent, for input slot s of node i at index 2i + s: what the wire brings.
    package let contributions: [Double]
    package let extraContributions: [Int: [Double]]

    /// The tangent pass of `trace` with respect to input node `wrt`, from the trace's locals.
    package init(_ trace: Trace, wrt: Int) {
        self.init(graph: trace.graph, locals: trace.locals, extraLocals: trace.extraLocals, wrt: wrt)
    }

    /// The tangent pass over a forward pass that has run.
    package init(_ forward: Forward, wrt: Int) {
        self.init(graph: forward.graph, locals: forward.locals, extraLocals: forward.extraLocals, wrt: wrt)
    }

    package init(graph: Graph, locals: [Double], extraLocals: [Int: [Double]], wrt: Int) {
        precondition(graph.nodes.indices.contains(wrt) && graph.nodes[wrt].gate.isInput, "wrt must be an input node")
        let n = graph.count
        var t = [Double](repeating: 0, count: n)
        var c = [Double](repeating: 0, count: 2 * n)
        var extra: [Int: [Double]] = [:]
        let arities = graph.kinds.map { $0.arity }
        t[wrt] = 1
        for i in 0..<n {
            let node = graph.nodes[i]
            let arity = arities[Int(node.gate.kind)]
            if arity == 0 { continue }
            let ca = Backward.product(locals[2 * i], t[Int(node.a)])
            c[2 * i] = ca
            var sum = ca
            if arity >= 2 {
                let cb = Backward.product(locals[2 * i + 1], t[Int(node.b)])
                c[2 * i + 1] = cb
                sum += cb
                if arity > 2 {
                    let inputs = graph.extraInputs[i]!, el = extraLocals[i]!
                    var list: [Double] = []
                    for s in 0..<inputs.count {
                        let cs = Backward.product(el[s], t[Int(inputs[s])])
                        list.append(cs)
                        sum += cs
                    }
                    extra[i] = list
                }
            }
            t[i] = sum
        }
        self.wrt = wrt
        tangents = t
        contributions = c
        extraContributions = extra
    }

    /// What input `slot` of node `node` brings: local × the input's tangent.
    package func contribution(_ node: Int, _ slot: Int) -> Double {
        slot < 2 ? contributions[2 * node + slot] : (extraContributions[node]?[slot - 2] ?? 0)
    }
}

/// How much work each mode does for this graph: a gradient with respect to every input of a
/// graph with n inputs and m outputs takes n forward-mode passes or m reverse-mode passes; each
/// pass costs one multiplication per wire and one addition wherever two contributions meet.
package struct ModeCost: Sendable, Equatable {
    /// Inputs (n) and outputs (m; a GradTrace circuit has one).
    package var inputs: Int, outputs: Int
    /// Gates and wires (gate inputs) on the tape.
    package var gates: Int, wires: Int
    /// Additions in one forward-mode pass: a gate with k inputs adds k contributions (k − 1 additions).
    package var forwardAdditionsPerPass: Int
    /// Additions in one reverse-mode pass: a node used by u gates adds u contributions (u − 1 additions).
    package var reverseAdditionsPerPass: Int

    /// Passes each mode needs for the whole gradient.
    package var forwardPasses: Int { inputs }
    package var reversePasses: Int { outputs }
    /// Multiplications (local × incoming) in all the passes of each mode.
    package var forwardMultiplications: Int { forwardPasses * wires }
    package var reverseMultiplications: Int { reversePasses * wires }
    package var forwardAdditions: Int { forwardPasses * forwardAdditionsPerPass }
    package var reverseAdditions: Int { reversePasses * reverseAdditionsPerPass }

    /// The costs for `graph`.
    package init(_ graph: Graph) {
        let uses = graph.makeUses()
        inputs = graph.inputs.count
        outputs = graph.output >= 0 ? 1 : 0
        var gates = 0, wires = 0, fa = 0, ra = 0
        for i in 0..<graph.count {
            let arity = graph.arity(i)
            if arity > 0 { gates += 1; wires += arity; fa += arity - 1 }
            ra += max(0, uses.count(of: i) - 1)
        }
        self.gates = gates
        self.wires = wires
        forwardAdditionsPerPass = fa
        reverseAdditionsPerPass = ra
    }
}
