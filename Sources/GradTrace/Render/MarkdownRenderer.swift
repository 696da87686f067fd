/// The Markdown walkthrough a student can read on its own (GitHub renders the `$…$` math):
/// the expression, the forward pass as a table, each backward step as a short paragraph with
/// the rule and the numbers, fork sums, the input gradients, and the gradient check if run.
public enum MarkdownRenderer {
    public static func render<S: TextOutputStream>(_ trace: Trace, options: ExplainOptions = ExplainOptions(),
                                                   headingLevel: Int = 1, to out: inout S) {
        let w = Wording(trace, format: options.format)
        let graph = trace.graph
        let fmt = options.format
        let h = String(repeating: "#", count: max(1, min(5, headingLevel)))
        func m(_ v: Double) -> String { latexNumber(fmt(v)) }
        func name(_ i: Int) -> String { latex(w.labels[i]) }
        func operand(_ i: Int) -> String { latex(w.labels.operand(i)) }
        func partial(_ top: String, _ bottom: String) -> String { "\\frac{\\partial \(top)}{\\partial \(bottom)}" }
        let f = latex(w.outputName)

        let title = options.title ?? "Backpropagation through \(w.typedDefinition(graph.output))"
        out.write("\(h) \(escapeMarkdown(title))\n\n")
        if let source = graph.source {
            out.write("```\n\(fence(String(decoding: source.bytes, as: UTF8.self)))\n```\n\n")
        }
        if !graph.inputs.isEmpty {
            out.write("Inputs: " + graph.inputs.map { "$\(name($0)) = \(m(trace.values[$0]))$" }.joined(separator: ", ") + ".\n\n")
        }

        out.write("\(h)# Forward pass\n\nEach gate computes its value from its inputs, in order.\n\n")
        out.write("| # | node | gate | inputs | value |\n|---:|---|---|---|---:|\n")
        for i in 0..<graph.count {
            let node = graph.nodes[i]
            let gate = node.gate.isLeaf ? node.gate.name : "`\(code(node.gate.symbol))`"
            out.write("| n\(i) | \(cell(w.labels[i])) | \(gate) | \(cell(w.inputsOf(i))) | \(fmt(trace.values[i])) |\n")
        }
        out.write("\nThe output is $\(f) = \(m(trace.output))$.\n\n")

        if options.showGradients {
            out.write("\(h)# Backward pass\n\n")
            out.write("We walk the gates from the output back to the inputs. At each gate the chain rule multiplies the gate's ")
            out.write("*local* gradient by the *upstream* gradient arriving at its output; the product is what it sends back to each input.\n\n")
            for (k, i) in trace.steps.enumerated() {
                let node = graph.nodes[i]
                out.write("**Step \(k + 1): `\(code(w.definition(i)))`**")
                let notes = w.notes(i)
                if !notes.isEmpty { out.write(" — " + escapeMarkdown(notes.joined(separator: "; ")) + ".") }
                out.write("\n")
                if i == graph.output {
                    out.write("The upstream gradient is $\(partial(f, f)) = 1$: the output's gradient with respect to itself.\n\n")
                } else if let terms = w.forkTerms(i) {
                    out.write("$\(name(i))$ feeds \(terms.count) gates, so its upstream gradient is the sum of what they sent back: ")
                    out.write("$\(partial(f, operand(i))) = " + terms.map { m($0) }.joined(separator: " + ") + " = \(m(trace.gradients[i]))$.\n\n")
                } else {
                    out.write("The upstream gradient is $\(partial(f, operand(i))) = \(m(trace.gradients[i]))$.\n\n")
                }
                for slot in 0..<node.gate.arity {
                    let input = node.input(slot)
                    let a = node.a >= 0 ? operand(Int(node.a)) : ""
                    let b = node.b >= 0 ? operand(Int(node.b)) : ""
                    let rule = node.gate.localRuleLaTeX(slot: slot, a: a, b: b)
                    let local = trace.local(i, slot)
                    let ruleText = Double(rule) == local ? rule : "\(rule) = \(m(local))"
                    out.write("- to $\(operand(input))$: local gradient $\(partial(operand(i), operand(input))) = \(ruleText)$, ")
                    out.write("so $\(m(local)) \\times \(m(trace.gradients[i])) = \(m(trace.contribution(i, slot)))$\n")
                }
                out.write("\n")
            }
            out.write("\(h)# Gradients\n\n| input | value | gradient |\n|---|---:|---:|\n")
            for id in graph.inputs {
                var g = fmt(trace.gradients[id])
                if let terms = w.forkTerms(id) { g = w.sum(terms) + " = " + g }
                out.write("| \(cell(w.labels[id])) | \(fmt(trace.values[id])) | \(cell(g)) |\n")
            }
            let forks = graph.inputs.filter { w.forkTerms($0) != nil }
            if !forks.isEmpty {
                out.write("\n" + forks.map { "`\(code(w.labels[$0]))`" }.joined(separator: ", "))
                out.write(forks.count == 1 ? " is" : " are")
                out.write(" used more than once: each use is its own wire with its own gradient, and the gradients add at the fork.\n")
            }
            out.write("\n")
        }

        if let check = options.check {
            out.write("\(h)# Gradient check\n\n")
            out.write("Each value is nudged by $\\pm h$ with $h = 10^{-5}\\max(1, |v|)$ and the output recomputed; ")
            out.write("the centred difference $\\frac{f(v+h) - f(v-h)}{2h}$ should match the analytic gradient to a relative error of $10^{-6}$.\n\n")
            out.write("| node | analytic | numerical | relative error | verdict |\n|---|---:|---:|---:|---|\n")
            for e in check.entries {
                let verdict = e.atKink ? "kink: not meaningful" : (e.passed ? "ok" : "**mismatch**")
                out.write("| \(cell(w.labels[e.node])) | \(fmt(e.analytic)) | \(fmt(e.numeric)) | \(scientific(e.relativeError)) | \(verdict) |\n")
            }
            out.write("\n")
        }

        if !trace.warnings.isEmpty {
            out.write("\(h)# Notes\n\n")
            for warning in trace.warnings { out.write("- \(escapeMarkdown(warning.message))\n") }
            out.write("\n")
        }
    }

    /// Text for a Markdown table cell: pipes escaped, no line breaks.
    static func cell(_ s: String) -> String {
        escapeMarkdown(s).replacingOccurrences(of: "\n", with: " ")
    }

    /// Text inside a code span: backticks cannot be escaped there, so they are replaced.
    static func code(_ s: String) -> String {
        s.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "|", with: "\\|")
    }

    /// A fenced block's body cannot close the fence early.
    static func fence(_ s: String) -> String {
        s.replacingOccurrences(of: "```", with: "` ` `").trimmingTrailingNewlines()
    }
}

/// Escapes Markdown's special characters (and HTML's) in prose.
public func escapeMarkdown(_ s: String) -> String {
    var out = ""
    for ch in s {
        switch ch {
        case "\\", "`", "*", "_", "[", "]", "|", "#", "$": out += "\\\(ch)"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "&": out += "&amp;"
        default: out.append(ch)
        }
    }
    return out
}

/// A label in LaTeX math: `w0*x0` → `w0 \cdot x0`, `x_1` → `x\_1`.
func latex(_ s: String) -> String {
    var out = ""
    for ch in s {
        switch ch {
        case "_": out += "\\_"
        case "*": out += " \\cdot "
        case "σ": out += "\\sigma"
        case "·": out += " \\cdot "
        case "$", "%", "&", "#", "{", "}", "\\": out += "\\\(ch)"
        default: out.append(ch)
        }
    }
    return out
}

func latexNumber(_ s: String) -> String {
    s == "inf" ? "\\infty" : s == "-inf" ? "-\\infty" : s == "nan" ? "\\text{nan}" : s
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
