import GradTraceCore

/// What a figure says to someone who cannot see it: the `<title>` and `<desc>` of an inline
/// SVG (`HTML.inlineSVG`), and the table of its wires, the figure's data as text.
package enum FigureText {
    /// The title and description of the circuit diagram `DotRenderer.render(trace, options:)`
    /// draws. The description says what is drawn, not the numbers (a worksheet's blanks stay
    /// blank): those are in the wire table.
    package static func circuit(_ trace: Trace, _ options: DotOptions, caption: String?) -> (title: String, description: String) {
        let graph = trace.graph
        let w = Walkthrough(trace, format: options.format)
        let f = w.outputName
        let inputs = graph.inputs.map { w.labels[$0] }
        var symbols: [String] = []
        for i in 0..<graph.count where !graph.nodes[i].gate.isLeaf {
            let s = graph.kind(i).symbol(graph.nodes[i].gate.parameter)
            if !symbols.contains(s) { symbols.append(s) }
        }
        let gates = graph.gateCount
        var text = "Circuit diagram of \(f)"
        if !inputs.isEmpty { text += " with input\(inputs.count == 1 ? "" : "s") " + list(inputs.prefix(12).map { $0 }) + (inputs.count > 12 ? " and \(inputs.count - 12) more" : "") }
        text += ": \(gates) gate\(gates == 1 ? "" : "s")"
        if !symbols.isEmpty { text += " (" + symbols.prefix(12).joined(separator: " ") + ")" }
        text += ", drawn \(options.rankdir == "TB" ? "top to bottom" : "left to right"). "
        text += options.blankValues ? "Each wire has a blank for its forward value (the inputs' are given)" : "Each wire is labelled with its forward value"
        if let wrt = options.tangentWith {
            let x = w.labels[wrt]
            text += options.frame.map { ", and, up to forward-mode step \($0), its tangent ∂wire/∂\(x) marked ∂/∂\(x)" } ?? " and its tangent ∂wire/∂\(x), marked ∂/∂\(x)"
            text += "."
        } else if !options.showGradients {
            text += "; this is the forward pass, before any gradient."
        } else if options.blankGradients {
            text += " and a blank, marked ∇, for its gradient ∂\(f)/∂wire."
        } else if let path = options.path {
            text += " and its gradient ∂\(f)/∂wire, marked ∇; the wires of path \(path.number) of \(path.of) are drawn thick."
        } else if let frame = options.frame {
            text += "; the gradients ∂\(f)/∂wire known after backward step \(frame) of \(trace.steps.count) are marked ∇, and the gate of this step is highlighted."
        } else {
            text += " and its gradient ∂\(f)/∂wire, marked ∇."
        }
        return (caption ?? "Circuit of \(f)", text)
    }

    /// "a", "a and b", "a, b and c".
    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

    /// The circuit's wires as an HTML table inside a closed `<details>`: for every wire, the
    /// node it comes from, the gate it goes to, its forward value and its gradient (the
    /// contribution that flows back along it). What the diagram shows, as text a screen reader
    /// reads cell by cell; `options` says which numbers are known (a frame's, a worksheet's).
    package static func wireTable(_ trace: Trace, _ options: DotOptions, caption: String?) -> String {
        let graph = trace.graph
        let fmt = options.format
        let w = Walkthrough(trace, format: fmt)
        let f = w.outputName
        var stepOf = [Int](repeating: Int.max, count: graph.count)
        for (k, i) in trace.steps.enumerated() { stepOf[i] = k + 1 }
        func known(_ consumer: Int) -> Bool {
            guard options.showGradients, options.tangentWith == nil, !options.blankGradients else { return false }
            guard let frame = options.frame else { return true }
            return stepOf[consumer] <= frame
        }
        func name(_ i: Int) -> String {
            if graph.nodes[i].gate.isConstant { return "constant " + fmt(graph.nodes[i].gate.parameter) }
            let label = w.labels[i]
            if graph.nodes[i].gate.isLeaf || graph.nodes[i].name != nil || w.labels.isGenerated(i) { return label }
            return "\(graph.kind(i).symbol(graph.nodes[i].gate.parameter)) gate (\(label))"
        }
        var rows = ""
        var count = 0
        let limit = 400
        for i in 0..<graph.count {
            let value = options.blankValues && !graph.nodes[i].gate.isLeaf ? "blank" : fmt(trace.values[i])
            var targets: [(String, Double?)] = w.uses(of: i).map { use in
                (name(use.consumer), known(use.consumer) ? trace.contribution(use.consumer, use.slot) : nil)
            }
            if i == graph.output { targets.append(("output \(f)", options.showGradients && options.tangentWith == nil && !options.blankGradients ? 1 : nil)) }
            for (to, gradient) in targets {
                count += 1
                guard count <= limit else { continue }
                let g = gradient.map { "∇ " + fmt($0) } ?? (options.blankGradients ? "blank" : "—")
                rows += "<tr><th scope=\"row\">\(HTML.escape(name(i)))</th><td>\(HTML.escape(to))</td><td class=\"num\(value == "blank" ? "" : " value")\">\(HTML.escape(value))</td><td class=\"num\(gradient == nil ? "" : " gradient")\">\(HTML.escape(g))</td></tr>\n"
            }
        }
        let gradientHead = options.tangentWith != nil ? "gradient (see the diagram for tangents)" : "gradient ∂\(f)/∂wire"
        var out = "<details class=\"wires\">\n<summary>The figure as a table: every wire\(caption.map { " of " + HTML.escape($0) } ?? "") (from, to, value, gradient)</summary>\n"
        out += "<table><thead><tr><th scope=\"col\">from</th><th scope=\"col\">to</th><th scope=\"col\" class=\"num\">value</th><th scope=\"col\" class=\"num\">\(HTML.escape(gradientHead))</th></tr></thead><tbody>\n"
        out += rows + "</tbody></table>\n"
        if count > limit { out += "<p class=\"note\">The first \(limit) of \(count) wires.</p>\n" }
        return out + "</details>"
    }
}
