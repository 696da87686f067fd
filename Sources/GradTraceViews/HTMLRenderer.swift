import GradTraceCore
/// The walkthrough as an HTML fragment (for handouts and answer keys): the same tables and
/// steps as the Markdown walkthrough, serialised from the same `Walkthrough`, escaped.
public enum HTMLRenderer {
    /// The walkthrough of `trace` as an HTML fragment (`<div class="walkthrough">`): the forward
    /// table, the backward steps, the input gradients and, when `options` has one, the check.
    public static func walkthrough(_ trace: Trace, options: ExplainOptions) -> String {
        let w = Walkthrough(trace, format: options.format)
        let graph = trace.graph
        let fmt = options.format
        var out = ""
        out += "<div class=\"walkthrough\">\n"
        out += "<h4>Forward pass</h4>\n<table class=\"forward\"><thead><tr><th>node</th><th>gate</th><th>inputs</th><th class=\"num\">value</th></tr></thead><tbody>\n"
        for i in 0..<graph.count {
            out += "<tr><td>\(HTML.escape(w.labels[i]))</td><td><code>\(HTML.escape(w.gateText(i)))</code></td>"
            out += "<td>\(HTML.escape(w.inputsOf(i)))</td><td class=\"num value\">\(HTML.escape(fmt(trace.values[i])))</td></tr>\n"
        }
        out += "</tbody></table>\n"
        if let wrt = options.forwardWith {
            out += DerivativeHTML.forward(ForwardModeWalkthrough(w, wrt: wrt))
            return out + extras(w, options) + "</div>\n"
        }
        guard options.showGradients else { return out + extras(w, options) + "</div>\n" }
        out += "<h4>Backward pass</h4>\n<ol class=\"steps\">\n"
        for k in 1...max(1, w.stepCount) where w.stepCount > 0 { out += "<li>" + step(w.step(k), w: w) + "</li>\n" }
        out += "</ol>\n<h4>Gradients</h4>\n<table class=\"gradients\"><thead><tr><th>input</th><th class=\"num\">value</th><th class=\"num\">∂\(HTML.escape(w.outputName))/∂input</th></tr></thead><tbody>\n"
        for id in graph.inputs {
            let g = w.gradient(ofInput: id)
            var text = g.gradient.text
            if let fork = g.fork { text = Say.sum(fork.operands.map(\.text)) + " \(fork.equals) " + text }
            out += "<tr><td>\(HTML.escape(g.name))</td><td class=\"num value\">\(HTML.escape(g.value.text))</td><td class=\"num gradient\">\(HTML.escape(text))</td></tr>\n"
        }
        out += "</tbody></table>\n"
        out += extras(w, options)
        if let check = options.check {
            out += "<h4>Gradient check</h4>\n<table class=\"check\"><thead><tr><th>node</th><th class=\"num\">analytic</th><th class=\"num\">numerical</th><th class=\"num\">relative error</th><th>verdict</th></tr></thead><tbody>\n"
            for e in check.entries {
                let verdict = e.atKink ? "kink downstream: not meaningful" : (e.passed ? "ok" : "mismatch")
                out += "<tr><td>\(HTML.escape(w.labels[e.node]))</td><td class=\"num\">\(HTML.escape(fmt(e.analytic)))</td><td class=\"num\">\(HTML.escape(fmt(e.numeric)))</td>"
                out += "<td class=\"num\">\(HTML.escape(scientific(e.relativeError)))</td><td>\(verdict)</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        return out + "</div>\n"
    }

    /// The paths and the comparison of the modes, when asked for.
    package static func extras(_ w: Walkthrough, _ options: ExplainOptions) -> String {
        var out = ""
        if let from = options.pathsFrom { out += DerivativeHTML.paths(PathWalkthrough(w, wrt: from, limit: options.pathLimit)) }
        if options.compareModes { out += DerivativeHTML.compare(ModeCost(w.graph), w) }
        return out
    }

    /// One backward step: the gate, its upstream gradient, and local × upstream per input.
    public static func step(_ step: Walkthrough.Step, w: Walkthrough) -> String {
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
