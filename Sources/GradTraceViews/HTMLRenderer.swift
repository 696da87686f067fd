import GradTraceCore
/// The walkthrough as an HTML fragment (for handouts and answer keys): the same tables and
/// steps as the Markdown walkthrough, serialised from the same `Walkthrough`, escaped.
public enum HTMLRenderer {
    /// The walkthrough of `trace` as an HTML fragment (`<div class="walkthrough">`): the forward
    /// table, the backward steps (or forward mode), the input gradients, the paths and the mode
    /// comparison, the check and the notes, as `options` ask.
    public static func walkthrough(_ trace: Trace, options: ExplainOptions) -> String {
        let document = ExplanationDocument(trace, options: options)
        let w = document.walkthrough
        let graph = trace.graph
        let fmt = options.format
        var out = "<div class=\"walkthrough\">\n"
        for block in document.blocks {
            switch block {
            case .title, .source, .inputs, .output:
                break  // the page around the fragment shows them (the handout's heading, its source and figure)
            case .forwardPass:
                out += "<h4>Forward pass</h4>\n<table class=\"forward\"><thead><tr><th>node</th><th>gate</th><th>inputs</th><th class=\"num\">value</th></tr></thead><tbody>\n"
                for i in 0..<graph.count {
                    out += "<tr><td>\(HTML.escape(w.labels[i]))</td><td><code>\(HTML.escape(w.gateText(i)))</code></td>"
                    out += "<td>\(HTML.escape(w.inputsOf(i)))</td><td class=\"num value\">\(HTML.escape(fmt(trace.values[i])))</td></tr>\n"
                }
                out += "</tbody></table>\n"
            case .forwardMode(let forward):
                out += DerivativeHTML.forward(forward)
            case .backwardSteps:
                out += "<h4>Backward pass</h4>\n<ol class=\"steps\">\n"
                for k in 1...max(1, w.stepCount) where w.stepCount > 0 { out += "<li>" + step(w.step(k), w: w) + "</li>\n" }
                out += "</ol>\n"
            case .gradients:
                out += "<h4>Gradients</h4>\n<table class=\"gradients\"><thead><tr><th>input</th><th class=\"num\">value</th><th class=\"num\">∂\(HTML.escape(w.outputName))/∂input</th></tr></thead><tbody>\n"
                for id in graph.inputs {
                    let g = w.gradient(ofInput: id)
                    var text = g.gradient.text
                    if let fork = g.fork { text = Say.sum(fork.operands.map(\.text)) + " \(fork.equals) " + text }
                    out += "<tr><td>\(HTML.escape(g.name))</td><td class=\"num value\">\(HTML.escape(g.value.text))</td><td class=\"num gradient\">\(HTML.escape(text))</td></tr>\n"
                }
                out += "</tbody></table>\n"
            case .paths(let paths):
                out += DerivativeHTML.paths(paths)
            case .modeComparison(let cost):
                out += DerivativeHTML.compare(cost, w)
            case .check(let check):
                out += "<h4>Gradient check</h4>\n<table class=\"check\"><thead><tr><th>node</th><th class=\"num\">analytic</th><th class=\"num\">numerical</th><th class=\"num\">relative error</th><th>verdict</th></tr></thead><tbody>\n"
                for e in check.entries {
                    let verdict = e.atKink ? "kink downstream: not meaningful" : (e.passed ? "ok" : "mismatch")
                    out += "<tr><td>\(HTML.escape(w.labels[e.node]))</td><td class=\"num\">\(HTML.escape(fmt(e.analytic)))</td><td class=\"num\">\(HTML.escape(fmt(e.numeric)))</td>"
                    out += "<td class=\"num\">\(HTML.escape(scientific(e.relativeError)))</td><td>\(verdict)</td></tr>\n"
                }
                out += "</tbody></table>\n"
            case .notes(let notes):
                out += "<h4>Notes</h4>\n<ul class=\"notes\">\n" + notes.map { "<li>\(HTML.escape($0))</li>\n" }.joined() + "</ul>\n"
            }
        }
        return out + "</div>\n"
    }

    /// One backward step: the gate, its upstream gradient, and local × upstream per input.
    package static func step(_ step: Walkthrough.Step, w: Walkthrough) -> String {
        let f = w.outputName
        var out = "<span class=\"gate\">\(HTML.escape(step.definition))</span>"
        if !step.notes.isEmpty { out += " <span class=\"note\">— \(HTML.escape(step.notes.joined(separator: "; ")))</span>" }
        out += "<br>upstream ∂\(HTML.escape(f))/∂\(HTML.escape(step.name)) = "
        switch step.upstream {
        case .output:
            out += "<span class=\"gradient\">\(HTML.escape(w.format(1)))</span> (the output)"
        case .value(let v):
            out += "<span class=\"gradient\">\(HTML.escape(v.text))</span>"
        case .fork(let sum):
            out += "\(HTML.escape(Say.sum(sum.operands.map(\.text)))) \(sum.equals) <span class=\"gradient\">\(HTML.escape(sum.result.text))</span> (a fork: gradients add)"
        }
        for wire in step.wires {
            let rule = wire.ruleIsValue ? wire.rule : "\(wire.rule) = \(wire.local.text)"
            let p = wire.product
            out += "<br>→ \(HTML.escape(wire.inputName + Say.wireNote(wire))): local gradient \(HTML.escape(rule));"
            out += " \(HTML.escape(p.operands[0].text)) × \(HTML.escape(Say.factor(p.operands[1].text))) \(p.equals) <span class=\"gradient\">\(HTML.escape(p.result.text))</span>"
        }
        return out
    }
}
