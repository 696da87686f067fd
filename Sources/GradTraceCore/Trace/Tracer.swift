/// Runs a graph forward and backward into a `Trace`, with the one kernel (`Forward`,
/// `Backward`). Running it twice gives identical results, since nothing accumulates between runs.
package struct Tracer {
    /// Input values by name; they override the values bound in the text.
    package var bindings: [String: Double]

    /// A tracer with these input values by name; with none, only the values bound in the text are used.
    package init(bindings: [String: Double] = [:]) { self.bindings = bindings }

    /// Checks that every binding names an input and every input has a value, and returns the
    /// value of each input node, indexed by node (other entries are 0).
    package func inputValues(for graph: Graph) throws(Diagnostic) -> [Double] {
        let names = graph.inputNames
        let file = graph.source?.name ?? "<input>"
        if !bindings.isEmpty {
            let known = Set(names)
            for name in bindings.keys.sorted() where !known.contains(name) {
                if graph.nodes.contains(where: { $0.name == name }) {
                    throw Diagnostic("'\(name)' is computed by the expression, so it cannot be given a value", file: file,
                                     help: "bind only inputs: \(names.joined(separator: ", "))")
                }
                let help = closestMatch(to: name, in: names).map { "did you mean '\($0)'?" }
                    ?? (names.isEmpty ? "the expression has no variables" : "the variables are \(names.joined(separator: ", "))")
                throw Diagnostic("unknown variable '\(name)' in the bindings", file: file, help: help)
            }
        }
        var values = [Double](repeating: 0, count: graph.count)
        for id in graph.inputs {
            // Command-line bindings first (skipped when there are none: a million inputs bound in
            // the text should not each pay for a name lookup), then values bound in the text.
            if !bindings.isEmpty, let v = bindings[graph.nodes[id].name ?? ""] {
                values[id] = v
            } else if let v = graph.boundValues[id] {
                values[id] = v
            } else {
                let name = graph.nodes[id].name ?? "?"
                let message = "no value for variable '\(name)'"
                var help = "pass \(name)=<number>, or bind it in the text: \(name) = <number>"
                if ["nan", "inf", "infinity", "NaN", "Inf"].contains(name) {
                    help = "there are no nan or inf literals: '\(name)' reads as a variable (1/0 gives inf, with a warning)"
                } else if name == "e" {
                    help = "e is not a built-in constant: write exp(x) for e^x, or bind e=2.718281828459045"
                }
                if let span = graph.nodes[id].span, let source = graph.source {
                    throw Diagnostic(message, at: span, in: source, help: help)
                }
                throw Diagnostic(message, file: file, help: help)
            }
        }
        return values
    }

    /// Runs `graph` forward and backward with the bindings into a `Trace`. Throws a `Diagnostic`
    /// for a binding that names no input or an input left without a value.
    package func trace(_ graph: Graph) throws(Diagnostic) -> Trace {
        let inputs = try inputValues(for: graph)
        var forward = Forward(graph: graph, inputs: inputs)
        forward.run()
        var gradients: [Double] = []
        var recording = ContributionRecording(count: graph.count)
        Backward.run(forward, into: &gradients, recording: &recording)
        let (reaches, steps) = Tracer.structure(graph)
        let warnings = Tracer.warnings(graph: graph, values: forward.values, gradients: gradients, reaches: reaches)
        return Trace(graph: graph, values: forward.values, gradients: gradients, locals: forward.locals,
                     contributions: recording.contributions, extraLocals: forward.extraLocals,
                     extraContributions: recording.extra, reachesOutput: reaches, steps: steps, warnings: warnings)
    }

    /// Which nodes lie on a path to the output, and the gates in backward order.
    package static func structure(_ graph: Graph) -> (reaches: [Bool], steps: [Int]) {
        let n = graph.count
        var reaches = [Bool](repeating: false, count: n)
        var steps: [Int] = []
        guard graph.output >= 0 else { return (reaches, steps) }
        steps.reserveCapacity(n - graph.inputs.count)
        reaches[graph.output] = true
        let arities = graph.kinds.map(\.arity)
        for i in stride(from: graph.output, through: 0, by: -1) where reaches[i] {
            let node = graph.nodes[i]
            let arity = arities[Int(node.gate.kind)]
            if arity == 0 { continue }
            steps.append(i)
            reaches[Int(node.a)] = true
            if arity > 1 { reaches[Int(node.b)] = true }
            if arity > 2 { for extra in graph.extraInputs[i]! { reaches[Int(extra)] = true } }
        }
        return (reaches, steps)
    }

    package static func warnings(graph: Graph, values: [Double], gradients: [Double], reaches: [Bool]) -> [TraceWarning] {
        var out: [TraceWarning] = []
        let arities = graph.kinds.map(\.arity), kinkTests = graph.kinds.map { $0.kink?.test }
        let definitions = graph.kinds.map(\.isDefinition)
        for (i, node) in graph.nodes.enumerated() {
            let v = values[i]
            let k = Int(node.gate.kind)
            let arity = arities[k]
            let a = arity > 0 ? values[Int(node.a)] : 0
            let b = arity > 1 ? values[Int(node.b)] : 0
            let isKink = arity > 0 && reaches[i]
                && (kinkTests[k]?(a, b, node.gate.parameter) ?? (definitions[k] && graph.kink(at: i, values: values) != nil))
            // Cheap checks first: most nodes have nothing to warn about.
            if v.isFinite && (arity == 0 || gradients[i].isFinite || !reaches[i]) && !isKink && (reaches[i] || node.name == nil) {
                continue
            }
            let kind = graph.kinds[k]
            let inputsFinite = arity == 0 || graph.inputs(of: i).allSatisfy { values[$0].isFinite }
            if arity > 0 && !v.isFinite && inputsFinite {
                let why = kind.undefined(a, b, node.gate.parameter) ?? (v.isNaN ? "an undefined result" : "overflow (beyond ±1.8e308)")
                out.append(TraceWarning(kind: .nonFinite, node: i, reason: .undefined(why)))
            } else if arity == 0, !v.isFinite {
                out.append(TraceWarning(kind: .nonFinite, node: i, reason: .nonFiniteLeaf))
            } else if arity > 0, v.isFinite, reaches[i], !gradients[i].isFinite, gradients[Int(node.a)].isFinite {
                out.append(TraceWarning(kind: .nonFinite, node: i, reason: .nonFiniteGradient))
            }
            if isKink, let rule = graph.kink(at: i, values: values) {
                out.append(TraceWarning(kind: .kink, node: i, reason: .kink(rule)))
            }
            if !reaches[i], node.name != nil, arity > 0 || node.gate.isInput {
                out.append(TraceWarning(kind: .unused, node: i, reason: .unused))
            }
        }
        return out
    }
}
