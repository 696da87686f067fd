import GradTraceCore
/// The forward-mode pass, the sum over paths and the comparison of the two modes, in text and
/// Markdown. They serialise `ForwardModeWalkthrough`, `PathWalkthrough` and `ModeCost`; they
/// compute and round nothing themselves.
package enum DerivativeText {
    /// The forward-mode section of the terminal walkthrough.
    package static func forward<S: TextOutputStream>(_ fw: ForwardModeWalkthrough, grad: (Shown) -> String, heading: (String) -> String, to out: inout S) {
        let x = fw.wrtName, w = fw.walkthrough
        out.write("\n" + heading("Forward-mode pass") + " (∂/∂\(x) pushed up from \(x): each gate adds local gradient × its input's tangent)\n")
        let seeds = w.graph.inputs.map { "∂\(w.labels[$0])/∂\(x) = \($0 == fw.tangent.wrt ? 1 : 0)" }
        out.write("    seed: " + seeds.joined(separator: ", ") + "\n")
        for k in 1...max(1, fw.stepCount) where fw.stepCount > 0 {
            let step = fw.step(k)
            out.write(" \(k). \(step.definition)\n")
            if step.independent {
                out.write("    no input depends on \(x): ∂\(step.name)/∂\(x) = \(grad(step.tangent))\n")
                continue
            }
            for wire in step.wires {
                let rule = wire.ruleIsValue ? wire.rule : "\(wire.rule) = \(wire.local.text)"
                let p = wire.product
                out.write("    ← \(wire.inputName): local gradient \(rule);  \(p.operands[0].text) × \(Say.factor(p.operands[1].text)) \(p.equals) \(p.result.text)"
                          + "  (× ∂\(wire.inputName)/∂\(x))\n")
            }
            var line = "    ∂\(step.name)/∂\(x) = "
            if let sum = step.sum { line += Say.sum(sum.operands.map(\.text)) + " \(sum.equals) " }
            out.write(line + grad(step.tangent) + "\n")
        }
        out.write("\n" + heading("Result") + " ∂\(w.outputName)/∂\(x) = \(grad(fw.result)) by forward mode, one pass from \(x)."
                  + " The backward pass gives the same \(fw.reverseResult.text), and every other input's gradient in that one pass.\n")
    }

    /// The paths section.
    package static func paths<S: TextOutputStream>(_ pw: PathWalkthrough, grad: (Shown) -> String, heading: (String) -> String, to out: inout S) {
        let x = pw.wrtName, f = pw.walkthrough.outputName
        let plural = pw.paths.count == 1 ? "path" : "paths"
        if let rows = pw.rows, let sum = pw.sum {
            out.write("\n" + heading("Paths from \(x) to \(f)") + " (\(pw.countText) \(plural); each contributes the product of the local gradients along it)\n")
            for row in rows {
                let p = row.product
                let product = Say.pathProduct(p)
                out.write(" \(row.number). " + row.names.joined(separator: " → ") + ":  " + product + "\n")
            }
            out.write("    ∂\(f)/∂\(x) = " + Say.sum(sum.operands.map(\.text)) + " \(sum.equals) \(grad(sum.result))   (the sum over paths: a fork adds, a chain multiplies)\n")
        } else {
            out.write("\n" + heading("Paths from \(x) to \(f)") + ": \(pw.countText) — too many to list (the limit is \(pw.paths.limit))\n")
            out.write("    Counted by one loop up the circuit: a gate's count is the sum of its inputs' counts.\n")
            factored(pw, grad: grad, to: &out)
        }
    }

    package static func factored<S: TextOutputStream>(_ pw: PathWalkthrough, grad: (Shown) -> String, to out: inout S) {
        let x = pw.wrtName, f = pw.walkthrough.outputName
        out.write("    The factored form, what backprop computes (one multiplication per wire, never one per path):\n")
        guard pw.factoredInFull else {
            out.write("    ∂\(f)/∂\(x) = the sum of what the \(pw.factoredTermCount) wires leaving \(x) bring, local gradient × ∂\(f)/∂gate each, = \(grad(pw.gradient))\n")
            return
        }
        for wire in pw.factored {
            let rule = wire.ruleIsValue ? wire.rule : "\(wire.rule) = \(wire.local.text)"
            out.write("    via \(PathWalkthrough.via(wire)): local gradient \(rule) × ∂\(f)/∂\(wire.inputName);  \(Say.product(wire.product))\n")
        }
        let s = pw.factoredSum
        out.write("    ∂\(f)/∂\(x) = " + (s.operands.count > 1 ? Say.sum(s.operands.map(\.text)) + " \(s.equals) " : "") + grad(s.result) + "\n")
    }

    /// The comparison of the two modes.
    package static func compare<S: TextOutputStream>(_ cost: ModeCost, _ w: Walkthrough, heading: (String) -> String, to out: inout S) {
        let names = w.graph.inputs.map { w.labels[$0] }.joined(separator: ", ")
        out.write("\n" + heading("Forward versus reverse mode") + " (\(cost.inputs) input\(cost.inputs == 1 ? "" : "s")\(names.isEmpty ? "" : ": \(names)"); "
                  + "1 output: \(w.outputName); \(cost.gates) gates, \(cost.wires) wires)\n")
        let rows = [["mode", "passes for every ∂\(w.outputName)/∂input", "multiplications", "additions"],
                    ["forward", "\(cost.forwardPasses) (one per input)", "\(cost.forwardPasses) × \(cost.wires) = \(cost.forwardMultiplications)",
                     "\(cost.forwardPasses) × \(cost.forwardAdditionsPerPass) = \(cost.forwardAdditions)"],
                    ["reverse", "\(cost.reversePasses) (one per output)", "\(cost.reversePasses) × \(cost.wires) = \(cost.reverseMultiplications)",
                     "\(cost.reversePasses) × \(cost.reverseAdditionsPerPass) = \(cost.reverseAdditions)"]]
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max()! }
        for row in rows { out.write("  " + (0..<4).map { TextRenderer.pad(row[$0], widths[$0]) }.joined(separator: "  ") + "\n") }
        out.write("  Each pass costs one multiplication per wire (local × incoming) and an addition wherever two contributions meet.\n")
        out.write("  With n inputs and m outputs, forward mode needs n passes and reverse mode m. A network's loss has millions\n")
        out.write("  of inputs (the weights) and one output, so training uses reverse mode: backpropagation.\n")
    }
}

package enum DerivativeMarkdown {
    package static func partial(_ top: String, _ bottom: String) -> String { "\\frac{\\partial \(top)}{\\partial \(bottom)}" }

    package static func forward<S: TextOutputStream>(_ fw: ForwardModeWalkthrough, h: String, to out: inout S) {
        let w = fw.walkthrough, x = latex(fw.wrtName)
        out.write("\(h)# Forward-mode pass\n\n")
        out.write("Forward mode pushes $\\partial/\\partial \(x)$ from $\(x)$ up through every gate, in the same order as the values: ")
        out.write("each gate's tangent is the sum over its input wires of the *local* gradient times the input's tangent. ")
        out.write("It starts from $" + w.graph.inputs.map { "\(partial(latex(w.labels[$0]), x)) = \($0 == fw.tangent.wrt ? 1 : 0)" }.joined(separator: ",\\ ") + "$.\n\n")
        for k in 1...max(1, fw.stepCount) where fw.stepCount > 0 {
            let step = fw.step(k)
            let here = latex(step.name)
            out.write("**Step \(k): `\(MarkdownRenderer.code(step.definition))`**\n")
            if step.independent {
                out.write("No input depends on $\(x)$, so $\(partial(here, x)) = \(step.tangent.latex)$.\n\n")
                continue
            }
            for wire in step.wires {
                let ruleText = wire.ruleIsValue ? wire.ruleLaTeX : "\(wire.ruleLaTeX) = \(wire.local.latex)"
                let p = wire.product
                out.write("- from $\(latex(wire.inputName))$: local gradient $\(ruleText)$, times $\(partial(latex(wire.inputName), x))$: ")
                out.write("$\(p.operands[0].latex) \\times \(Say.factor(p.operands[1].latex)) \(MarkdownRenderer.latexEquals(p)) \(p.result.latex)$\n")
            }
            out.write("\n$\(partial(here, x)) = ")
            if let sum = step.sum { out.write(Say.sum(sum.operands.map(\.latex)) + " \(MarkdownRenderer.latexEquals(sum)) ") }
            out.write("\(step.tangent.latex)$\n\n")
        }
        out.write("So $\(partial(latex(w.outputName), x)) = \(fw.result.latex)$ by one forward pass from $\(x)$; ")
        out.write("the backward pass gives $\(fw.reverseResult.latex)$, and the gradient of every other input with it.\n\n")
    }

    package static func paths<S: TextOutputStream>(_ pw: PathWalkthrough, h: String, to out: inout S) {
        let x = latex(pw.wrtName), f = latex(pw.walkthrough.outputName)
        out.write("\(h)# Paths from $\(x)$ to $\(f)$\n\n")
        if let rows = pw.rows, let sum = pw.sum {
            out.write("There \(pw.paths.count == 1 ? "is 1 path" : "are \(pw.countText) paths"). Each contributes the product of the local gradients along it, ")
            out.write("and $\(partial(f, x))$ is their sum: a chain multiplies, a fork adds.\n\n")
            out.write("| # | path | product of local gradients |\n|---|---|---:|\n")
            for row in rows {
                let p = row.product
                let product = Say.pathProduct(p)
                out.write("| \(row.number) | \(MarkdownRenderer.cell(row.names.joined(separator: " → "))) | \(MarkdownRenderer.cell(product)) |\n")
            }
            out.write("\n$\(partial(f, x)) = " + Say.sum(sum.operands.map(\.latex)) + " \(MarkdownRenderer.latexEquals(sum)) \(sum.result.latex)$\n\n")
        } else {
            out.write("There are \(pw.countText) paths: too many to list (the limit is \(pw.paths.limit)). They were counted by one loop up the circuit, ")
            out.write("each gate's count the sum of its inputs' counts. Backprop never lists them; it computes the factored form, ")
            out.write("one multiplication per wire:\n\n")
            guard pw.factoredInFull else {
                out.write("$\(partial(f, x))$ is the sum of what the \(pw.factoredTermCount) wires leaving $\(x)$ bring, local gradient times the gradient of the gate each enters: $\(partial(f, x)) = \(pw.gradient.latex)$.\n\n")
                return
            }
            for wire in pw.factored {
                let ruleText = wire.ruleIsValue ? pw.walkthrough.ruleLaTeX(wire) : "\(pw.walkthrough.ruleLaTeX(wire)) = \(wire.local.latex)"
                let p = wire.product
                out.write("- via $\(latex(wire.inputName))$\(wire.wireOfInput.map { " (wire \($0.index) of \($0.count))" } ?? ""): local gradient $\(ruleText)$ times $\(partial(f, latex(wire.inputName)))$: ")
                out.write("$\(p.operands[0].latex) \\times \(Say.factor(p.operands[1].latex)) \(MarkdownRenderer.latexEquals(p)) \(p.result.latex)$\n")
            }
            let s = pw.factoredSum
            out.write("\n$\(partial(f, x)) = " + (s.operands.count > 1 ? Say.sum(s.operands.map(\.latex)) + " \(MarkdownRenderer.latexEquals(s)) " : "") + "\(s.result.latex)$\n\n")
        }
    }

    package static func compare<S: TextOutputStream>(_ cost: ModeCost, _ w: Walkthrough, h: String, to out: inout S) {
        out.write("\(h)# Forward versus reverse mode\n\n")
        out.write("This circuit has \(cost.inputs) input\(cost.inputs == 1 ? "" : "s"), 1 output, \(cost.gates) gates and \(cost.wires) wires. ")
        out.write("Each pass costs one multiplication per wire and an addition wherever two contributions meet.\n\n")
        out.write("| mode | passes for every gradient | multiplications | additions |\n|---|---|---:|---:|\n")
        out.write("| forward | \(cost.forwardPasses) (one per input) | \(cost.forwardPasses) × \(cost.wires) = \(cost.forwardMultiplications) | \(cost.forwardPasses) × \(cost.forwardAdditionsPerPass) = \(cost.forwardAdditions) |\n")
        out.write("| reverse | \(cost.reversePasses) (one per output) | \(cost.reversePasses) × \(cost.wires) = \(cost.reverseMultiplications) | \(cost.reversePasses) × \(cost.reverseAdditionsPerPass) = \(cost.reverseAdditions) |\n\n")
        out.write("With $n$ inputs and $m$ outputs forward mode needs $n$ passes and reverse mode $m$. A network's loss has millions of inputs ")
        out.write("(the weights) and one output, so training uses reverse mode.\n\n")
    }
}

/// The same three views as HTML fragments, for handouts, answer keys and the stepper.
package enum DerivativeHTML {
    /// One forward-mode step: each wire's local × tangent, and the sum.
    package static func step(_ step: ForwardModeWalkthrough.Step, _ fw: ForwardModeWalkthrough) -> String {
        let x = HTML.escape(fw.wrtName)
        var out = "<span class=\"gate\">\(HTML.escape(step.definition))</span>"
        if step.independent {
            return out + "<br>no input depends on \(x): ∂\(HTML.escape(step.name))/∂\(x) = <span class=\"tangent\">\(HTML.escape(step.tangent.text))</span>"
        }
        for wire in step.wires {
            let rule = wire.ruleIsValue ? wire.rule : "\(wire.rule) = \(wire.local.text)"
            out += "<br>← \(HTML.escape(wire.inputName)): local gradient \(HTML.escape(rule)); × ∂\(HTML.escape(wire.inputName))/∂\(x): "
            out += "\(HTML.escape(Say.product(wire.product)))"
        }
        out += "<br>∂\(HTML.escape(step.name))/∂\(x) = "
        if let sum = step.sum { out += HTML.escape(Say.sum(sum.operands.map(\.text))) + " \(sum.equals) " }
        return out + "<span class=\"tangent\">\(HTML.escape(step.tangent.text))</span>"
    }

    package static func forward(_ fw: ForwardModeWalkthrough) -> String {
        let x = HTML.escape(fw.wrtName), f = HTML.escape(fw.walkthrough.outputName)
        var out = "<h4>Forward-mode pass: ∂/∂\(x), pushed up from \(x)</h4>\n"
        out += "<p>Each gate's tangent is the sum over its input wires of local gradient × the input's tangent, starting from ∂\(x)/∂\(x) = 1 and 0 for every other input.</p>\n<ol class=\"steps\">\n"
        for k in 1...max(1, fw.stepCount) where fw.stepCount > 0 { out += "<li>" + step(fw.step(k), fw) + "</li>\n" }
        out += "</ol>\n<p>∂\(f)/∂\(x) = <span class=\"tangent\">\(HTML.escape(fw.result.text))</span> by one forward pass from \(x); "
        out += "the backward pass gives the same \(HTML.escape(fw.reverseResult.text)), and every other input's gradient in that one pass.</p>\n"
        return out
    }

    package static func pathLine(_ row: PathWalkthrough.Row) -> String {
        let p = row.product
        let product = Say.pathProduct(p)
        return HTML.escape(row.names.joined(separator: " → ")) + ": " + HTML.escape(product)
    }

    package static func paths(_ pw: PathWalkthrough) -> String {
        let x = HTML.escape(pw.wrtName), f = HTML.escape(pw.walkthrough.outputName)
        var out = "<h4>Paths from \(x) to \(f)</h4>\n"
        if let rows = pw.rows, let sum = pw.sum {
            out += "<p>\(pw.paths.count == 1 ? "1 path" : "\(pw.countText) paths"); each contributes the product of the local gradients along it, and ∂\(f)/∂\(x) is their sum.</p>\n<ol class=\"steps\">\n"
            for row in rows { out += "<li>" + pathLine(row) + "</li>\n" }
            out += "</ol>\n<p>∂\(f)/∂\(x) = \(HTML.escape(Say.forkSum(sum)))</p>\n"
        } else {
            out += "<p>\(HTML.escape(pw.countText)) paths: too many to list (the limit is \(pw.paths.limit)). Backprop never lists them; it computes the factored form, one multiplication per wire:</p>\n"
            guard pw.factoredInFull else {
                return out + "<p>∂\(f)/∂\(x) is the sum of what the \(pw.factoredTermCount) wires leaving \(x) bring, local gradient × the gradient of the gate each enters: ∂\(f)/∂\(x) = \(HTML.escape(pw.gradient.text))</p>\n"
            }
            out += "<ul>\n"
            for wire in pw.factored {
                let rule = wire.ruleIsValue ? wire.rule : "\(wire.rule) = \(wire.local.text)"
                out += "<li>via \(HTML.escape(PathWalkthrough.via(wire))): local gradient \(HTML.escape(rule)) × ∂\(f)/∂\(HTML.escape(wire.inputName)): \(HTML.escape(Say.product(wire.product)))</li>\n"
            }
            let s = pw.factoredSum
            out += "</ul>\n<p>∂\(f)/∂\(x) = " + HTML.escape(s.operands.count > 1 ? Say.forkSum(s) : s.result.text) + "</p>\n"
        }
        return out
    }

    package static func compare(_ cost: ModeCost, _ w: Walkthrough) -> String {
        var out = "<h4>Forward versus reverse mode</h4>\n"
        out += "<p>\(cost.inputs) input\(cost.inputs == 1 ? "" : "s"), 1 output, \(cost.gates) gates, \(cost.wires) wires. Each pass costs one multiplication per wire and an addition wherever two contributions meet.</p>\n"
        out += "<table class=\"gradients\"><thead><tr><th>mode</th><th>passes for every gradient</th><th class=\"num\">multiplications</th><th class=\"num\">additions</th></tr></thead><tbody>\n"
        out += "<tr><td>forward</td><td>\(cost.forwardPasses) (one per input)</td><td class=\"num\">\(cost.forwardPasses) × \(cost.wires) = \(cost.forwardMultiplications)</td><td class=\"num\">\(cost.forwardPasses) × \(cost.forwardAdditionsPerPass) = \(cost.forwardAdditions)</td></tr>\n"
        out += "<tr><td>reverse</td><td>\(cost.reversePasses) (one per output)</td><td class=\"num\">\(cost.reversePasses) × \(cost.wires) = \(cost.reverseMultiplications)</td><td class=\"num\">\(cost.reversePasses) × \(cost.reverseAdditionsPerPass) = \(cost.reverseAdditions)</td></tr>\n"
        out += "</tbody></table>\n<p>With n inputs and m outputs forward mode needs n passes and reverse mode m. A network's loss has millions of inputs (the weights) and one output, so training uses reverse mode.</p>\n"
        return out
    }
}

extension Say {
    /// A path's product of local gradients: `1 × 2 = 2`; one wire is just its local gradient,
    /// and a path of no wires (the output is the input) is 1.
    package static func pathProduct(_ e: DisplayedArithmetic.Equation) -> String {
        switch e.operands.count {
        case 0: return "1"
        case 1: return e.result.text
        default: return e.operands.map { factor($0.text) }.joined(separator: " × ") + " \(e.equals) \(e.result.text)"
        }
    }
}
