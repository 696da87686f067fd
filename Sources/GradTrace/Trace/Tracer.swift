/// Runs a graph forward and backward into a `Trace`. Both passes are plain loops over the
/// tape; running it twice gives identical results, since nothing accumulates between runs.
public struct Tracer {
    /// Input values by name; they override the values bound in the text.
    public var bindings: [String: Double]

    public init(bindings: [String: Double] = [:]) { self.bindings = bindings }

    /// Checks that every binding names an input and every input has a value, and returns the
    /// value of each input node, indexed by node (other entries are 0).
    public func inputValues(for graph: Graph) throws(Diagnostic) -> [Double] {
        let names = graph.inputNames
        let known = Set(names)
        for name in bindings.keys.sorted() where !known.contains(name) {
            let file = graph.source?.name ?? "<input>"
            if graph.nodes.contains(where: { $0.name == name }) {
                throw Diagnostic("'\(name)' is computed by the expression, so it cannot be given a value", file: file,
                                 help: "bind only inputs: \(names.joined(separator: ", "))")
            }
            let help = closestMatch(to: name, in: names).map { "did you mean '\($0)'?" }
                ?? (names.isEmpty ? "the expression has no variables" : "the variables are \(names.joined(separator: ", "))")
            throw Diagnostic("unknown variable '\(name)' in the bindings", file: file, help: help)
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
                }
                if let span = graph.nodes[id].span, let source = graph.source {
                    throw Diagnostic(message, at: span, in: source, help: help)
                }
                throw Diagnostic(message, file: graph.source?.name ?? "<input>", help: help)
            }
        }
        return values
    }

    public func trace(_ graph: Graph) throws(Diagnostic) -> Trace {
        let inputs = try inputValues(for: graph)
        var forward = Forward(graph: graph, inputs: inputs)
        forward.run()
        let n = graph.count
        var gradients = [Double](repeating: 0, count: n)
        var contributions = [Double](repeating: 0, count: 2 * n)
        var reaches = [Bool](repeating: false, count: n)
        var steps: [Int] = []
        steps.reserveCapacity(n - graph.inputs.count)
        gradients[graph.output] = 1
        reaches[graph.output] = true
        graph.nodes.withUnsafeBufferPointer { nodes in
            for i in stride(from: n - 1, through: 0, by: -1) where reaches[i] {
                let node = nodes[i]
                let arity = node.gate.arity
                if arity == 0 { continue }
                steps.append(i)
                let upstream = gradients[i]
                let a = Int(node.a)
                let ca = forward.locals[2 * i] * upstream
                contributions[2 * i] = ca
                gradients[a] += ca
                reaches[a] = true
                if arity == 2 {
                    let b = Int(node.b)
                    let cb = forward.locals[2 * i + 1] * upstream
                    contributions[2 * i + 1] = cb
                    gradients[b] += cb
                    reaches[b] = true
                }
            }
        }
        let warnings = Tracer.warnings(graph: graph, values: forward.values, gradients: gradients, reaches: reaches)
        return Trace(graph: graph, values: forward.values, gradients: gradients, locals: forward.locals,
                     contributions: contributions, reachesOutput: reaches, steps: steps, warnings: warnings)
    }

    static func warnings(graph: Graph, values: [Double], gradients: [Double], reaches: [Bool]) -> [TraceWarning] {
        var out: [TraceWarning] = []
        let labels = Labels(graph)
        let fmt = NumberFormat()
        for (i, node) in graph.nodes.enumerated() {
            let v = values[i]
            let a = node.a >= 0 ? values[Int(node.a)] : 0
            let b = node.b >= 0 ? values[Int(node.b)] : 0
            let inputsFinite = a.isFinite && b.isFinite
            // Cheap checks first: most nodes have nothing to warn about.
            let isKink = !node.gate.isLeaf && node.gate.isKink(a, b) && reaches[i]
            if v.isFinite && (node.gate.isLeaf || gradients[i].isFinite || !reaches[i]) && !isKink && (reaches[i] || node.name == nil) {
                continue
            }
            let place = node.span.map { " (line \($0.line + (graph.source?.lineOffset ?? 0)), column \($0.column))" } ?? ""
            if !node.gate.isLeaf && !v.isFinite && inputsFinite {
                let what: String
                switch node.gate {
                case .reciprocal where a == 0, .div where b == 0, .divConst:
                    what = "division by zero"
                case .log where a == 0: what = "log of zero"
                case .log where a < 0: what = "log of a negative number"
                case .pow, .powConst: what = v.isNaN ? "a power with no real value" : "overflow"
                default: what = v.isNaN ? "an undefined result" : "overflow (beyond ±1.8e308)"
                }
                let shown = node.gate.arity == 2 ? "\(fmt(a)), \(fmt(b))" : fmt(a)
                out.append(TraceWarning(kind: .nonFinite, node: i,
                                        message: "\(node.gate.name) gate '\(labels[i])'\(place): \(what): \(node.gate.symbol)(\(shown)) = \(fmt(v))"))
            } else if node.gate.isLeaf, !v.isFinite {
                out.append(TraceWarning(kind: .nonFinite, node: i, message: "'\(labels[i])' is \(fmt(v))"))
            } else if !node.gate.isLeaf, v.isFinite, reaches[i], !gradients[i].isFinite,
                      node.a < 0 || gradients[Int(node.a)].isFinite {
                out.append(TraceWarning(kind: .nonFinite, node: i,
                                        message: "the gradient at \(node.gate.name) gate '\(labels[i])'\(place) is \(fmt(gradients[i]))"))
            }
            if isKink, let rule = node.gate.kinkRule {
                out.append(TraceWarning(kind: .kink, node: i,
                                        message: "\(node.gate.name) gate '\(labels[i])'\(place) is at a kink: \(rule)"))
            }
            if !reaches[i], node.name != nil, !node.gate.isLeaf || node.gate == .input {
                out.append(TraceWarning(kind: .unused, node: i,
                                        message: "'\(node.name!)' does not affect the output; its gradient is 0"))
            }
        }
        return out
    }
}

/// The forward pass: values and local gradients, one loop up the tape. Kept separate so the
/// gradient check and training can re-run it without the backward bookkeeping.
public struct Forward {
    public let graph: Graph
    public var values: [Double]
    public var locals: [Double]
    /// Input values by node (entries of other nodes are unused).
    public var inputValues: [Double]

    /// `inputs` holds each input node's value at its index (as `Tracer.inputValues` returns).
    public init(graph: Graph, inputs: [Double]) {
        precondition(inputs.count == graph.count)
        self.graph = graph
        values = [Double](repeating: 0, count: graph.count)
        locals = [Double](repeating: 0, count: 2 * graph.count)
        inputValues = inputs
    }

    /// Evaluates every node from `start` on, with `nudge` added to node `nudged`'s value (for
    /// the numerical gradient check).
    public mutating func run(from start: Int = 0, nudged: Int = -1, by nudge: Double = 0) {
        let n = graph.count
        graph.nodes.withUnsafeBufferPointer { nodes in
            inputValues.withUnsafeBufferPointer { inputs in
                values.withUnsafeMutableBufferPointer { values in
                    locals.withUnsafeMutableBufferPointer { locals in
                        for i in start..<n {
                            let node = nodes[i]
                            switch node.gate {
                            case .input:
                                values[i] = inputs[i]
                            case .constant(let c):
                                values[i] = c
                            default:
                                let a = values[Int(node.a)]
                                let b = node.b >= 0 ? values[Int(node.b)] : 0
                                let r = node.gate.evaluate(a, b)
                                values[i] = r.value
                                locals[2 * i] = r.localA
                                locals[2 * i + 1] = r.localB
                            }
                            if i == nudged { values[i] += nudge }
                        }
                    }
                }
            }
        }
    }
}
