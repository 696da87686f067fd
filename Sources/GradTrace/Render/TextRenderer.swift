/// The terminal walkthrough: the forward pass as a table, numbered backward steps
/// "local × upstream = contribution", fork sums, then the input gradients.
public enum TextRenderer {
    public static func render<S: TextOutputStream>(_ trace: Trace, options: ExplainOptions = ExplainOptions(), to out: inout S) {
        let w = Wording(trace, format: options.format)
        let graph = trace.graph
        let fmt = options.format
        func paint(_ s: String, _ code: String) -> String { options.color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        func value(_ v: Double) -> String { paint(fmt(v), "32") }
        func grad(_ v: Double) -> String { paint(fmt(v), "31") }
        func heading(_ s: String) -> String { paint(s, "1") }

        if let title = options.title { out.write(heading(title) + "\n") }
        if let source = graph.source {
            let text = String(decoding: source.bytes, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            if lines.count == 1 { out.write("\(lines[0])\n") } else {
                for line in lines.prefix(40) { out.write("  \(line)\n") }
                if lines.count > 40 { out.write("  … (\(lines.count - 40) more lines)\n") }
            }
        }
        if !graph.inputs.isEmpty { out.write("at \(w.inputSummary())\n") }

        out.write("\n" + heading("Forward pass") + "\n")
        let rows: [[String]] = (0..<graph.count).map { i in
            let node = graph.nodes[i]
            return ["n\(i)", w.labels[i], node.gate.isLeaf ? node.gate.name : node.gate.symbol, w.inputsOf(i), fmt(trace.values[i])]
        }
        let headers = ["#", "node", "gate", "inputs"]
        let widths = (0..<4).map { col in min(34, rows.reduce(headers[col].count) { max($0, $1[col].count) }) }
        out.write("  " + (0..<4).map { pad(headers[$0], widths[$0]) }.joined(separator: "  ") + "  value\n")
        for (i, row) in rows.enumerated() {
            out.write("  " + (0..<4).map { pad(row[$0], widths[$0]) }.joined(separator: "  ") + "  " + value(trace.values[i]) + "\n")
        }

        if options.showGradients {
            out.write("\n" + heading("Backward pass") + " (each gate: local gradient × upstream gradient = what it sends back)\n")
            let f = w.outputName
            for (k, i) in trace.steps.enumerated() {
                let node = graph.nodes[i]
                out.write(" \(k + 1). \(w.definition(i))")
                let notes = w.notes(i)
                if !notes.isEmpty { out.write("   [\(notes.joined(separator: "; "))]") }
                out.write("\n")
                var upstream = "    upstream ∂\(f)/∂\(w.short(i)) = "
                if i == graph.output {
                    upstream += "\(grad(1)) (the output's gradient with respect to itself)"
                } else if let terms = w.forkTerms(i) {
                    upstream += w.sum(terms) + " = \(grad(trace.gradients[i]))"
                        + "  (fork: \(w.labels[i]) feeds \(terms.count) gates; their gradients add)"
                } else {
                    upstream += grad(trace.gradients[i])
                }
                out.write(upstream + "\n")
                for slot in 0..<node.gate.arity {
                    let input = node.input(slot)
                    let local = trace.local(i, slot)
                    let ruleText = w.ruleWithValue(i, slot: slot)
                    out.write("    → \(w.labels.operand(input)): ∂\(w.short(i))/∂\(w.short(input)) = \(ruleText);  "
                              + "\(fmt(local)) × \(fmt(trace.gradients[i])) = \(grad(trace.contribution(i, slot)))\n")
                }
            }
            out.write("\n" + heading("Gradients") + "\n")
            for id in graph.inputs {
                var line = "  ∂\(f)/∂\(w.labels[id]) = "
                if let terms = w.forkTerms(id) {
                    line += w.sum(terms) + " = "
                }
                line += grad(trace.gradients[id])
                if let terms = w.forkTerms(id) { line += "   (\(w.labels[id]) is used \(terms.count) times; gradients add at a fork)" }
                if !trace.reachesOutput[id] { line += "   (does not affect the output)" }
                out.write(line + "\n")
            }
        }

        if let check = options.check {
            out.write("\n" + heading("Gradient check") + " (centred difference, h = 1e-5·max(1, |v|); pass when relative error ≤ 1e-6)\n")
            for e in check.entries {
                let verdict = e.atKink ? "kink: not meaningful" : (e.passed ? "ok" : paint("MISMATCH", "1;31"))
                out.write("  " + pad(w.labels[e.node], 20) + "  analytic " + pad(fmt(e.analytic), 12) + "  numeric "
                          + pad(fmt(e.numeric), 12) + "  rel. error " + pad(scientific(e.relativeError), 8) + "  \(verdict)\n")
            }
            if !check.checkedGates { out.write("  (the graph has over \(GradientCheck.maxNodes) nodes: only inputs were checked)\n") }
            out.write(check.allPassed ? "  all gradients agree\n" : paint("  some gradients disagree\n", "1;31"))
        }
        out.write("\n" + heading("Output") + " \(w.outputName) = \(value(trace.output))\n")
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}

/// `1.2e-11` style for relative errors.
func scientific(_ v: Double) -> String {
    if v == 0 { return "0" }
    if !v.isFinite { return NumberFormat()(v) }
    var exponent = 0
    var m = v
    while abs(m) >= 10 { m /= 10; exponent += 1 }
    while abs(m) < 1 { m *= 10; exponent -= 1 }
    return NumberFormat(precision: 1)(m) + "e\(exponent)"
}
