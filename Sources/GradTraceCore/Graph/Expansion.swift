/// Writing a gate onto the tape, as one node or, for a composite the graph expands, as its
/// body. A body may call other composites that are expanded too; the nesting is handled with
/// an explicit stack of frames, not by recursion. Every node an expansion makes points at its
/// call (`Graph.expandedCall`), so diagrams can group them and walkthroughs name the call.
extension GraphBuilder {
    private struct Frame {
        package var body: Body
        package var arguments: [Int]
        package var results: [Int] = []
        package var call: Int
    }

    /// Appends `gate` on inputs `a` (and `b`), expanding it when the graph's `expansion`
    /// includes its kind. The common case allocates nothing.
    package mutating func emit(_ gate: Gate, _ a: Int, _ b: Int = -1, span: SourceSpan?) -> Int {
        if graph.expansion == .none {
            return append(Node(gate: gate, a: Int32(a), b: Int32(b), span: span))
        }
        return emit(gate, b < 0 ? [a] : [a, b], span: span)
    }

    /// Appends `gate` on `inputs`, expanding it when the graph's `expansion` includes its kind.
    package mutating func emit(_ gate: Gate, _ inputs: [Int], span: SourceSpan?) -> Int {
        let kind = graph.kind(of: gate)
        guard graph.expansion.includes(kind.name), let makeBody = kind.body else {
            return appendGate(gate, inputs, span: span, call: nil)
        }
        var frames = [Frame(body: makeBody(gate.parameter), arguments: inputs, call: newCall(gate, inputs, parent: nil))]
        while true {
            let top = frames.count - 1
            if frames[top].results.count == frames[top].body.steps.count {
                let result = frames[top].results.last!
                graph.calls[frames[top].call].result = result
                frames.removeLast()
                if frames.isEmpty { return result }
                frames[frames.count - 1].results.append(result)
                continue
            }
            let step = frames[top].body.steps[frames[top].results.count]
            let call = frames[top].call
            let operands = step.inputs.map { operand -> Int in
                switch operand {
                case .parameter(let k): return frames[top].arguments[k]
                case .step(let k): return frames[top].results[k]
                case .constant(let v):
                    let id = append(Node(gate: .constant(v), span: span))
                    graph.expandedCall[id] = Int32(call)
                    return id
                }
            }
            let stepGate = Gate(kind: kindIndex[step.kind]!, parameter: step.parameter)
            let stepKind = graph.kind(of: stepGate)
            if graph.expansion.includes(stepKind.name), let inner = stepKind.body {
                frames.append(Frame(body: inner(step.parameter), arguments: operands, call: newCall(stepGate, operands, parent: call)))
            } else {
                frames[top].results.append(appendGate(stepGate, operands, span: span, call: call))
            }
        }
    }

    private mutating func newCall(_ gate: Gate, _ arguments: [Int], parent: Int?) -> Int {
        graph.calls.append(Graph.ExpandedCall(kind: gate.kind, parameter: gate.parameter, arguments: arguments, result: -1, parent: parent))
        return graph.calls.count - 1
    }

    private mutating func appendGate(_ gate: Gate, _ inputs: [Int], span: SourceSpan?, call: Int?) -> Int {
        let id = append(Node(gate: gate, a: inputs.count > 0 ? Int32(inputs[0]) : -1, b: inputs.count > 1 ? Int32(inputs[1]) : -1, span: span))
        if inputs.count > 2 { graph.extraInputs[id] = inputs[2...].map { Int32($0) } }
        if let call { graph.expandedCall[id] = Int32(call) }
        return id
    }
}
