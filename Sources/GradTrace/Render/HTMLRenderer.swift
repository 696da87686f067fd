/// The walkthrough as an HTML fragment (for handouts and answer keys): the same tables and
/// steps as the Markdown walkthrough, with Unicode math, escaped.
public enum HTMLRenderer {
    public static func walkthrough(_ trace: Trace, options: ExplainOptions) -> String {
        let w = Wording(trace, format: options.format)
        let graph = trace.graph
        let fmt = options.format
        var out = ""
        out += "<div class=\"walkthrough\">\n"
        out += "<h4>Forward pass</h4>\n<table class=\"forward\"><thead><tr><th>#</th><th>node</th><th>gate</th><th>inputs</th><th class=\"num\">value</th></tr></thead><tbody>\n"
        for i in 0..<graph.count {
            let node = graph.nodes[i]
            out += "<tr><td>n\(i)</td><td>\(HTML.escape(w.labels[i]))</td><td><code>\(HTML.escape(node.gate.isLeaf ? node.gate.name : node.gate.symbol))</code></td>"
            out += "<td>\(HTML.escape(w.inputsOf(i)))</td><td class=\"num value\">\(HTML.escape(fmt(trace.values[i])))</td></tr>\n"
        }
        out += "</tbody></table>\n"
        guard options.showGradients else { return out + "</div>\n" }
        out += "<h4>Backward pass</h4>\n<ol class=\"steps\">\n"
        for i in trace.steps { out += "<li>" + step(i, w: w) + "</li>\n" }
        out += "</ol>\n<h4>Gradients</h4>\n<table class=\"gradients\"><thead><tr><th>input</th><th class=\"num\">value</th><th class=\"num\">∂\(HTML.escape(w.outputName))/∂input</th></tr></thead><tbody>\n"
        for id in graph.inputs {
            var g = fmt(trace.gradients[id])
            if let terms = w.forkTerms(id) { g = w.sum(terms) + " = " + g }
            out += "<tr><td>\(HTML.escape(w.labels[id]))</td><td class=\"num value\">\(HTML.escape(fmt(trace.values[id])))</td><td class=\"num gradient\">\(HTML.escape(g))</td></tr>\n"
        }
        out += "</tbody></table>\n"
        if let check = options.check {
            out += "<h4>Gradient check</h4>\n<table class=\"check\"><thead><tr><th>node</th><th class=\"num\">analytic</th><th class=\"num\">numerical</th><th class=\"num\">relative error</th><th>verdict</th></tr></thead><tbody>\n"
            for e in check.entries {
                let verdict = e.atKink ? "kink: not meaningful" : (e.passed ? "ok" : "mismatch")
                out += "<tr><td>\(HTML.escape(w.labels[e.node]))</td><td class=\"num\">\(HTML.escape(fmt(e.analytic)))</td><td class=\"num\">\(HTML.escape(fmt(e.numeric)))</td>"
                out += "<td class=\"num\">\(HTML.escape(scientific(e.relativeError)))</td><td>\(verdict)</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        return out + "</div>\n"
    }

    /// One backward step: the gate, its upstream gradient, and local × upstream per input.
    public static func step(_ i: Int, w: Wording) -> String {
        let trace = w.trace
        let graph = trace.graph
        let fmt = w.fmt
        let node = graph.nodes[i]
        let f = w.outputName
        var out = "<span class=\"gate\">\(HTML.escape(w.definition(i)))</span>"
        let notes = w.notes(i)
        if !notes.isEmpty { out += " <span class=\"note\">— \(HTML.escape(notes.joined(separator: "; ")))</span>" }
        out += "<br>upstream ∂\(HTML.escape(f))/∂\(HTML.escape(w.short(i))) = "
        if i == graph.output {
            out += "<span class=\"gradient\">1</span> (the output)"
        } else if let terms = w.forkTerms(i) {
            out += "\(HTML.escape(w.sum(terms))) = <span class=\"gradient\">\(HTML.escape(fmt(trace.gradients[i])))</span> (a fork: gradients add)"
        } else {
            out += "<span class=\"gradient\">\(HTML.escape(fmt(trace.gradients[i])))</span>"
        }
        for slot in 0..<node.gate.arity {
            let input = node.input(slot)
            out += "<br>→ \(HTML.escape(w.short(input))): local ∂\(HTML.escape(w.short(i)))/∂\(HTML.escape(w.short(input))) = \(HTML.escape(w.ruleWithValue(i, slot: slot)));"
            out += " \(HTML.escape(fmt(trace.local(i, slot)))) × \(HTML.escape(fmt(trace.gradients[i]))) = <span class=\"gradient\">\(HTML.escape(fmt(trace.contribution(i, slot))))</span>"
        }
        return out
    }
}
