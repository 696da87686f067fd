import GradTraceCore
/// The terminal walkthrough: the forward pass as a table, numbered backward steps
/// "local × upstream = contribution", fork sums, then the input gradients. It serialises a
/// `Walkthrough`; it computes and rounds nothing itself.
public enum TextRenderer {
    /// Writes the terminal walkthrough of `trace` into `out`; `options.color` adds ANSI colour.
    public static func render<S: TextOutputStream>(_ trace: Trace, options: ExplainOptions = ExplainOptions(), to out: inout S) {
        let document = ExplanationDocument(trace, options: options)
        let w = document.walkthrough
        let graph = trace.graph
        let fmt = options.format
        func paint(_ s: String, _ code: String) -> String { options.color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
        func value(_ s: Shown) -> String { paint(s.text, "32") }
        func grad(_ s: Shown) -> String { paint(s.text, "31") }
        func heading(_ s: String) -> String { paint(s, "1") }
        let f = w.outputName

        for block in document.blocks {
            switch block {
            case .title(let title):
                if let title { out.write(heading(title) + "\n") }
            case .source(let text):
                let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
                if lines.count == 1 { out.write("\(lines[0])\n") } else {
                    for line in lines.prefix(40) { out.write("  \(line)\n") }
                    if lines.count > 40 { out.write("  … (\(lines.count - 40) more lines)\n") }
                }
            case .inputs:
                out.write("at \(w.inputSummary())\n")
            case .forwardPass:
                out.write("\n" + heading("Forward pass") + "\n")
                let rows: [[String]] = (0..<graph.count).map { i in [w.labels[i], w.gateText(i), w.inputsOf(i)] }
                let headers = ["node", "gate", "inputs"]
                let widths = (0..<3).map { col in min(34, rows.reduce(headers[col].count) { max($0, width($1[col])) }) }
                out.write("  " + (0..<3).map { pad(headers[$0], widths[$0]) }.joined(separator: "  ") + "  value\n")
                var line = ""
                for (i, row) in rows.enumerated() {
                    line.removeAll(keepingCapacity: true)
                    line += "  "
                    for col in 0..<3 {
                        line += row[col]
                        line += spaces(max(0, widths[col] - width(row[col])) + 2)  // padded, then two spaces apart
                    }
                    line += value(fmt.shown(trace.values[i]))
                    line += "\n"
                    out.write(line)
                }
            case .forwardMode(let forward):
                DerivativeText.forward(forward, grad: grad, heading: heading, to: &out)
            case .backwardSteps:
                out.write("\n" + heading("Backward pass") + " (each gate: local gradient × upstream gradient = what it sends back)\n")
                for k in 1...max(1, w.stepCount) where w.stepCount > 0 {
                    let step = w.step(k)
                    out.write(" \(k). \(step.definition)")
                    if !step.notes.isEmpty { out.write("   [\(step.notes.joined(separator: "; "))]") }
                    out.write("\n")
                    var upstream = "    upstream ∂\(f)/∂\(step.name) = "
                    switch step.upstream {
                    case .output:
                        upstream += "\(grad(fmt.shown(1))) (the output's gradient with respect to itself)"
                    case .value(let v):
                        upstream += grad(v)
                    case .fork(let sum):
                        upstream += Say.sum(sum.operands.map(\.text)) + " \(sum.equals) \(grad(sum.result))"
                            + "  (fork: \(w.labels[step.node]) feeds \(sum.operands.count) gates; their gradients add)"
                    }
                    out.write(upstream + "\n")
                    for wire in step.wires {
                        let rule = wire.ruleIsValue ? wire.rule : "\(wire.rule) = \(wire.local.text)"
                        let p = wire.product
                        out.write("    → \(wire.inputName)\(Say.wireNote(wire)): local gradient \(rule);  "
                                  + "\(p.operands[0].text) × \(Say.factor(p.operands[1].text)) \(p.equals) \(grad(p.result))\n")
                    }
                }
            case .gradients:
                out.write("\n" + heading("Gradients") + "\n")
                for id in graph.inputs {
                    let g = w.gradient(ofInput: id)
                    var line = "  ∂\(f)/∂\(g.name) = "
                    if let fork = g.fork { line += Say.sum(fork.operands.map(\.text)) + " \(fork.equals) " }
                    line += grad(g.gradient)
                    if g.fork != nil { line += "   (\(g.name) is used \(g.uses) times; gradients add at a fork)" }
                    if !g.affectsOutput { line += "   (does not affect the output)" }
                    out.write(line + "\n")
                }
            case .paths(let paths):
                DerivativeText.paths(paths, grad: grad, heading: heading, to: &out)
            case .modeComparison(let cost):
                DerivativeText.compare(cost, w, heading: heading, to: &out)
            case .check(let check):
                out.write("\n" + heading("Gradient check") + " (centred difference, h = 1e-5·max(1, |v|); pass when relative error ≤ 1e-6)\n")
                let labelWidth = min(40, check.entries.reduce(4) { max($0, w.labels[$1.node].count) })
                let numberWidth = check.entries.reduce(8) { max($0, fmt($1.analytic).count, fmt($1.numeric).count) }
                out.write("  " + pad("node", labelWidth) + "  " + pad("analytic", numberWidth) + "  " + pad("numeric", numberWidth) + "  rel. error  verdict\n")
                for e in check.entries {
                    let verdict = e.atKink ? "kink downstream: not meaningful" : (e.passed ? "ok" : paint("MISMATCH", "1;31"))
                    out.write("  " + pad(w.labels[e.node], labelWidth) + "  " + pad(fmt(e.analytic), numberWidth) + "  "
                              + pad(fmt(e.numeric), numberWidth) + "  " + pad(scientific(e.relativeError), 10) + "  \(verdict)\n")
                }
                if check.checked < check.candidates {
                    out.write("  (checked \(check.checked) of \(check.candidates) nodes, spread evenly: each check re-runs the tape; --check-all checks every one)\n")
                }
                let excused = check.entries.filter(\.atKink).count
                let note = excused == 0 ? "" : " (\(excused) with a kink downstream not compared)"
                out.write(check.allPassed ? "  all gradients agree\(note)\n" : paint("  some gradients disagree\n", "1;31"))
            case .notes:
                break  // a terminal gets the warnings on standard error, where the command prints them
            case .output:
                out.write("\n" + heading("Output") + " \(w.outputName) = \(value(fmt.shown(trace.output)))\n")
            }
        }
    }

    package static func pad(_ s: String, _ width: Int) -> String {
        let count = Self.width(s)
        return count >= width ? s : s + spaces(width - count)
    }

    /// `n` spaces (none when n ≤ 0), made once for the widths a table uses.
    static func spaces(_ n: Int) -> String {
        n <= 0 ? "" : n < someSpaces.count ? someSpaces[n] : String(repeating: " ", count: n)
    }

    private static let someSpaces = (0..<64).map { String(repeating: " ", count: $0) }

    /// Characters in `s`, counted by bytes when all are ASCII (a forward table counts thousands).
    package static func width(_ s: String) -> Int {
        s.utf8.allSatisfy { $0 < 0x80 } ? s.utf8.count : s.count
    }
}

/// `1.2e-11` style for relative errors.
package func scientific(_ v: Double) -> String {
    if v == 0 { return "0" }
    return NumberFormat(.significant(2), trimsZeros: true).shown(v).plain
}
