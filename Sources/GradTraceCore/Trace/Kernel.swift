/// The forward pass: values and local gradients, one loop up the tape. Every path that needs
/// values (explain, the gradient check, training, a collapsed `def`) runs this loop.
package struct Forward: Sendable {
    /// The tape it runs.
    package let graph: Graph
    /// Forward values, by node.
    package var values: [Double]
    /// Local gradient ∂node/∂input for input slot s (0 or 1) of node i at index 2i + s.
    package var locals: [Double]
    /// Local gradients of slots 2… of calls with more than two arguments, by node.
    package var extraLocals: [Int: [Double]] = [:]
    /// Input values by node (entries of other nodes are unused).
    package var inputValues: [Double]
    private let kernels: [GateKind.Kernel?]
    /// Each kind's number of inputs, for the backward loop (computed once, not per pass).
    package let arities: [UInt8]
    private var definitions: [UInt16: DefinitionEvaluator] = [:]

    /// `inputs` holds each input node's value at its index (as `Tracer.inputValues` returns).
    package init(graph: Graph, inputs: [Double]) {
        precondition(inputs.count == graph.count)
        self.graph = graph
        values = [Double](repeating: 0, count: graph.count)
        locals = [Double](repeating: 0, count: 2 * graph.count)
        inputValues = inputs
        kernels = graph.kinds.map(\.kernel)
        arities = graph.kinds.map { UInt8($0.arity) }
        for (k, tape) in graph.definitionTapes { definitions[k] = DefinitionEvaluator(tape: tape) }
    }

    /// Evaluates every node from `start` on, with `nudge` added to node `nudged`'s value (for
    /// the numerical gradient check).
    package mutating func run(from start: Int = 0, nudged: Int = -1, by nudge: Double = 0) {
        var next = start
        // A call of a def stops the fast loop; it is evaluated, and the loop goes on after it.
        while let call = runKernels(from: next, nudged: nudged, by: nudge) {
            evaluateDefinition(call)
            if call == nudged { values[call] += nudge }
            next = call + 1
        }
    }

    /// Runs from `start` until the end (nil) or the first call of a def (its index).
    private mutating func runKernels(from start: Int, nudged: Int, by nudge: Double) -> Int? {
        let n = graph.count
        let input = Builtin.input, constant = Builtin.constant
        let add = Builtin.add, mul = Builtin.mul, addConst = Builtin.addConst, mulConst = Builtin.mulConst
        var stoppedAt: Int?
        graph.nodes.withUnsafeBufferPointer { nodes in
            kernels.withUnsafeBufferPointer { kernels in
                inputValues.withUnsafeBufferPointer { inputs in
                    values.withUnsafeMutableBufferPointer { values in
                        locals.withUnsafeMutableBufferPointer { locals in
                            var i = start
                            while i < n {
                                let node = nodes[i]
                                let k = node.gate.kind
                                let l = locals.baseAddress! + 2 * i
                                if k == input {
                                    values[i] = inputs[i]
                                } else if k == add {  // the operators' gates, inlined (see `Arithmetic`)
                                    values[i] = Arithmetic.add(values[Int(node.a)], values[Int(node.b)], 0, l)
                                } else if k == mul {
                                    values[i] = Arithmetic.mul(values[Int(node.a)], values[Int(node.b)], 0, l)
                                } else if k == addConst {
                                    values[i] = Arithmetic.addConst(values[Int(node.a)], 0, node.gate.parameter, l)
                                } else if k == mulConst {
                                    values[i] = Arithmetic.mulConst(values[Int(node.a)], 0, node.gate.parameter, l)
                                } else if let kernel = kernels[Int(k)] {
                                    let a = values[Int(node.a)]
                                    let b = node.b >= 0 ? values[Int(node.b)] : 0
                                    values[i] = kernel(a, b, node.gate.parameter, l)
                                } else if k == constant {
                                    values[i] = node.gate.parameter
                                } else {
                                    stoppedAt = i
                                    return
                                }
                                if i == nudged { values[i] += nudge }
                                i += 1
                            }
                        }
                    }
                }
            }
        }
        return stoppedAt
    }

    private mutating func evaluateDefinition(_ i: Int) {
        let args = graph.inputs(of: i).map { values[$0] }
        let kind = graph.nodes[i].gate.kind
        let (value, grads) = definitions[kind]!.evaluate(args)
        values[i] = value
        locals[2 * i] = grads.count > 0 ? grads[0] : 0
        locals[2 * i + 1] = grads.count > 1 ? grads[1] : 0
        if grads.count > 2 { extraLocals[i] = Array(grads[2...]) }
    }

    /// The local gradient of input `slot` of node `i`.
    package func local(_ i: Int, _ slot: Int) -> Double {
        slot < 2 ? locals[2 * i + slot] : extraLocals[i]![slot - 2]
    }
}

/// Runs a `def`'s body tape forward and backward to give a collapsed call its value and its
/// local gradient with respect to each parameter: the same kernels as any other tape.
package struct DefinitionEvaluator: Sendable {
    package var forward: Forward
    package var gradients: [Double]

    package init(tape: Graph) {
        forward = Forward(graph: tape, inputs: [Double](repeating: 0, count: tape.count))
        gradients = [Double](repeating: 0, count: tape.count)
    }

    package mutating func evaluate(_ args: [Double]) -> (Double, [Double]) {
        let tape = forward.graph
        for (k, id) in tape.inputs.enumerated() { forward.inputValues[id] = args[k] }
        forward.run()
        Backward.run(forward, into: &gradients)
        return (forward.values[tape.output], tape.inputs.map { gradients[$0] })
    }
}

/// The one backward kernel: one loop down the tape from the output, multiplying each gate's
/// local gradients by its upstream gradient and adding the products into its inputs'
/// gradients. `explain`, `--check`, training and collapsed `def`s all run this loop, so they
/// give bit-identical gradients.
///
/// The rule for zero: a product with an exact 0 factor is 0, even when the other factor is
/// inf or nan (0 × ∞ = 0). A wire that carries no gradient, or a gate that passes none (max's
/// smaller input, relu below 0), contributes nothing. Every other product follows IEEE 754.
package enum Backward {
    /// local × upstream, with the rule for zero.
    @inline(__always) package static func product(_ local: Double, _ upstream: Double) -> Double {
        local == 0 || upstream == 0 ? 0 : local * upstream
    }

    /// Gradients of the output with respect to every node, into `gradients` (resized as needed).
    package static func run(_ forward: Forward, into gradients: inout [Double]) {
        var none = NoRecording()
        run(forward, into: &gradients, recording: &none)
    }

    package static func run<R: BackwardRecording>(_ forward: Forward, into gradients: inout [Double], recording: inout R) {
        let graph = forward.graph
        let n = graph.count
        if gradients.count != n { gradients = [Double](repeating: 0, count: n) }
        guard graph.output >= 0 else { return }
        let arity = forward.arities
        graph.nodes.withUnsafeBufferPointer { nodes in
            forward.locals.withUnsafeBufferPointer { locals in
                arity.withUnsafeBufferPointer { arity in
                    gradients.withUnsafeMutableBufferPointer { g in
                        for i in 0..<n { g[i] = 0 }
                        g[graph.output] = 1
                        for i in stride(from: graph.output, through: 0, by: -1) {
                            let upstream = g[i]
                            if upstream == 0 { continue }
                            let node = nodes[i]
                            let count = arity[Int(node.gate.kind)]
                            if count == 0 { continue }
                            let ca = product(locals[2 * i], upstream)
                            g[Int(node.a)] += ca
                            recording.contribution(i, 0, ca)
                            if count >= 2 {
                                let cb = product(locals[2 * i + 1], upstream)
                                g[Int(node.b)] += cb
                                recording.contribution(i, 1, cb)
                                if count > 2 {
                                    let extra = graph.extraInputs[i]!, extraLocals = forward.extraLocals[i]!
                                    for s in 0..<extra.count {
                                        let c = product(extraLocals[s], upstream)
                                        g[Int(extra[s])] += c
                                        recording.contribution(i, s + 2, c)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What a backward pass keeps besides the gradients.
package protocol BackwardRecording {
    mutating func contribution(_ node: Int, _ slot: Int, _ value: Double)
}

package struct NoRecording: BackwardRecording {
    @inline(__always) package mutating func contribution(_ node: Int, _ slot: Int, _ value: Double) {}
}

/// Every contribution local × upstream, for the walkthrough.
package struct ContributionRecording: BackwardRecording {
    package var contributions: [Double]
    package var extra: [Int: [Double]] = [:]

    package init(count: Int) { contributions = [Double](repeating: 0, count: 2 * count) }

    @inline(__always) package mutating func contribution(_ node: Int, _ slot: Int, _ value: Double) {
        if slot < 2 {
            contributions[2 * node + slot] = value
        } else {
            extra[node, default: []].append(value)
        }
    }
}
