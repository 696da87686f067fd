import GradTraceCore
import GradTraceGraphviz
/// What a diagram shows and how: the number format, gradients or not, direction and title, and
/// for flip-book frames and worksheets, which step is highlighted and what is left blank.
package struct DotOptions: Sendable {
    /// How numbers on wires are shown; diagrams default to 4 significant figures.
    package var format: NumberFormat
    /// Whether wires carry gradients as well as values; false draws the forward pass only.
    package var showGradients: Bool
    /// "LR" (default, as the lecture) or "TB".
    package var rankdir: String
    /// A caption drawn above the diagram.
    package var title: String?
    /// For a flip-book frame: show only the gradients known after this backward step (from 1),
    /// and highlight the gate that step processes.
    package var frame: Int?
    /// Worksheets: gradients drawn as blanks to fill in.
    package var blankGradients = false
    /// Worksheets: values other than the inputs' drawn as blanks too.
    package var blankValues = false
    /// Frames: write the step's "local × upstream" lines above the diagram (off where the
    /// page around the diagram already says them, as in the stepper).
    package var stepCaption = true
    /// Forward mode: wires carry each value's tangent ∂/∂x with respect to this input node
    /// instead of gradients; a frame is then a step of the tangent pass (gates in tape order).
    package var tangentWith: Int?
    /// The paths view: highlight the wires of this path (with its product in the caption).
    package var path: (number: Int, of: Int, path: Paths.Path)?

    /// Options for a diagram; `blankGradients`, `blankValues` and `stepCaption` keep their
    /// defaults and can be set afterwards.
    package init(format: NumberFormat = .diagram, showGradients: Bool = true, rankdir: String = "LR",
                title: String? = nil, frame: Int? = nil) {
        self.format = format
        self.showGradients = showGradients
        self.rankdir = rankdir
        self.title = title
        self.frame = frame
    }
}

/// The circuit as Graphviz DOT, in the CS231n style: inputs as labels on the left, each gate a
/// small circle with its symbol, every wire with its forward value (green, first line) and its
/// gradient (red, second line, prefixed ∇, so it reads without colour too). A node used by
/// several gates gets a fork point: the trunk carries the summed gradient, each branch its own
/// contribution. Pure and deterministic: the same trace gives the same bytes.
package enum DotRenderer {
    package static let valueColor = "#1a7f37"
    package static let gradientColor = "#cf222e"
    package static let font = "DejaVu Sans"
    package static let tangentColor = "#0550ae"
    /// A highlighted path: thick, dark and dashed-free, so it stands out in greyscale too.
    package static let pathStyle = ", penwidth=3.5, color=\"#8250df\""

    /// The diagram of `trace` as DOT text.
    package static func render(_ trace: Trace, options: DotOptions = DotOptions()) -> String {
        var out = ""
        render(trace, options: options, to: &out)
        return out
    }

    /// Streams the diagram of `trace` as DOT text into `out`.
    package static func render<S: TextOutputStream>(_ trace: Trace, options: DotOptions = DotOptions(), to out: inout S) {
        let graph = trace.graph
        let fmt = options.format
        let w = Walkthrough(trace, format: fmt)
        // When each gate is processed: step index from 1; leaves never are.
        var stepOf = [Int](repeating: Int.max, count: graph.count)
        for (k, i) in trace.steps.enumerated() { stepOf[i] = k + 1 }
        let frame = options.frame
        var active = frame.flatMap { $0 >= 1 && $0 <= trace.steps.count ? trace.steps[$0 - 1] : nil }
        func known(_ consumer: Int) -> Bool {
            guard options.showGradients, options.tangentWith == nil else { return false }
            guard let frame else { return true }
            return stepOf[consumer] <= frame
        }
        // Forward mode: tangents, known for leaves and for the gates up to the frame's step.
        let forward = options.tangentWith.map { ForwardModeWalkthrough(w, wrt: $0) }
        var forwardStepOf = [Int](repeating: 0, count: graph.count)
        if let forward {
            for (k, i) in forward.gates.enumerated() { forwardStepOf[i] = k + 1 }
            active = frame.flatMap { $0 >= 1 && $0 <= forward.stepCount ? forward.gates[$0 - 1] : nil }
        }
        func tangentKnown(_ i: Int) -> Bool { forward != nil && (frame == nil || forwardStepOf[i] <= frame!) }
        var onPath = Set<Paths.Wire>()
        if let path = options.path { onPath = Set(path.path.wires); active = nil }

        out.write("digraph circuit {\n")
        out.write("  graph [rankdir=\(options.rankdir == "TB" ? "TB" : "LR"), ordering=in, bgcolor=\"white\", fontname=\"\(font)\", fontsize=13, nodesep=0.3, ranksep=0.5, pad=0.2")
        // Big circuits are drawn at most 50 inches on a side: a PNG of a few hundred gates at
        // full size takes cairo seconds to encode, and nobody reads it at that size anyway.
        if graph.gateCount > 60 { out.write(", size=\"50,50\"") }
        var caption: [String] = []
        if let title = options.title { caption.append(title) }
        if let forward, active != nil, let frame, options.stepCaption {
            let step = forward.step(frame)
            caption.append("Forward step \(frame) of \(forward.stepCount): \(step.definition)")
            for wire in step.wires {
                let rule = wire.ruleIsValue ? wire.rule : "\(wire.rule) = \(wire.local.text)"
                caption.append("from \(wire.inputName): local gradient \(rule);  \(Say.product(wire.product))  (× ∂\(wire.inputName)/∂\(forward.wrtName))")
            }
            caption.append("∂\(step.name)/∂\(forward.wrtName) = " + (step.sum.map(Say.forkSum) ?? step.tangent.text))
        } else if let path = options.path, options.stepCaption {
            let p = DisplayedArithmetic.product(of: path.path.locals, path.path.product, fmt)
            let start = path.path.wires.first.map { graph.input($0.consumer, $0.slot) } ?? graph.output
            let names = PathWalkthrough.names(path.path, from: start, w)
            caption.append("Path \(path.number) of \(path.of): " + names.joined(separator: " → "))
            caption.append("product of local gradients: " + (Say.pathProduct(p)))
        } else if active != nil, let frame, options.stepCaption {
            let step = w.step(frame)
            caption.append("Step \(frame) of \(trace.steps.count): \(step.definition)")
            for wire in step.wires {
                let rule = wire.ruleIsValue ? wire.rule : "\(wire.rule) = \(wire.local.text)"
                caption.append("to \(wire.inputName)\(Say.wireNote(wire)): local gradient \(rule);  \(Say.product(wire.product))")
            }
        }
        if !caption.isEmpty {
            out.write(", labelloc=t, labeljust=l, label=<" + caption.map(html).joined(separator: "<br align=\"left\"/>") + "<br align=\"left\"/>>")
        }
        out.write("]\n")
        out.write("  node [fontname=\"\(font)\", fontsize=13, color=\"#444444\"]\n")
        out.write("  edge [fontname=\"\(font)\", fontsize=11, arrowsize=0.6, color=\"#555555\"]\n")

        // Nodes; the nodes of an expanded call are grouped in a labelled box.
        var members = [[Int]](repeating: [], count: graph.calls.count + 1)
        for i in 0..<graph.count { members[graph.expandedCall[i].map { Int($0) + 1 } ?? 0].append(i) }
        func writeNode(_ i: Int) {
            let node = graph.nodes[i]
            if node.gate.isInput {
                out.write("  n\(i) [shape=plaintext, label=<<b>\(html(w.labels[i]))</b>>]\n")
            } else if node.gate.isConstant {
                out.write("  n\(i) [shape=plaintext, label=<\(html(fmt(node.gate.parameter)))>, fontcolor=\"#666666\"]\n")
            } else {
                let kind = graph.kind(i)
                var attrs = "shape=\(kind.isDefinition ? "box, style=rounded" : "circle"), margin=0.04, width=0.42, label=<\(html(kind.symbol(node.gate.parameter)))>"
                if let name = node.name ?? (w.labels.isGenerated(i) ? w.labels[i] : nil), i != graph.output {
                    attrs += ", xlabel=<<i>\(html(name))</i>>"
                }
                if i == active { attrs += ", style=\"filled,bold\", fillcolor=\"#ffe08a\", penwidth=2.5" }
                if !trace.reachesOutput[i] { attrs += ", style=dashed, color=\"#6e7781\", fontcolor=\"#6e7781\"" }
                out.write("  n\(i) [\(attrs)]\n")
            }
        }
        for i in members[0] { writeNode(i) }
        // Calls nest (a body may call another expanded composite): open each box inside its parent's.
        var children = [[Int]](repeating: [], count: graph.calls.count + 1)
        for (c, call) in graph.calls.enumerated() { children[(call.parent ?? -1) + 1].append(c) }
        var pending: [(call: Int, open: Bool)] = children[0].reversed().map { ($0, true) }
        while let (c, open) = pending.popLast() {
            if !open { out.write("  }\n"); continue }
            out.write("  subgraph cluster_call\(c) {\n  label=<\(html(w.callText(graph.calls[c])))>; labeljust=l; style=\"rounded,dashed\"; color=\"#8c959f\"; fontcolor=\"#57606a\"; fontsize=11\n")
            for i in members[c + 1] { writeNode(i) }
            pending.append((c, false))
            for child in children[c + 1].reversed() { pending.append((child, true)) }
        }
        out.write("  out [shape=plaintext, label=<<b>\(html(w.outputName))</b>>]\n")

        let blank = "___________"
        func label(_ value: Double, _ gradient: Double?, sum: [Double]? = nil, isInput: Bool = false, tangentOf node: Int? = nil) -> String {
            let valueText = options.blankValues && !isInput ? blank : fmt(value)
            var text = "<font color=\"\(valueColor)\">\(html(valueText))</font>"
            if let forward, let node {
                if tangentKnown(node) {
                    text += "<br/><font color=\"\(tangentColor)\"><i>\(html("∂/∂\(forward.wrtName) = " + fmt(forward.tangent.tangents[node])))</i></font>"
                }
            } else if options.blankGradients {
                text += "<br/><font color=\"\(gradientColor)\"><i>∇ \(blank)</i></font>"
            } else if let gradient {
                var g = "∇ " + fmt(gradient)
                if let sum {
                    let e = DisplayedArithmetic.sum(sum, gradient, fmt)
                    g = "∇ " + e.result.text + " \(e.equals) " + Say.sum(e.operands.map(\.text))
                }
                text += "<br/><font color=\"\(gradientColor)\"><i>\(html(g))</i></font>"
            }
            return "<\(text)>"
        }

        // Wires: one edge per use; a fork point where a node has several uses.
        let uses = w.uses
        for i in 0..<graph.count {
            let useList = uses(of: i)
            let isOutput = i == graph.output
            let total = useList.count + (isOutput ? 1 : 0)
            let dim = trace.reachesOutput[i] ? "" : ", style=dashed, color=\"#6e7781\", fontcolor=\"#6e7781\""
            if total > 1 {
                let allKnown = useList.allSatisfy { known($0.consumer) }
                let terms = useList.map { trace.contribution($0.consumer, $0.slot) }
                out.write("  f\(i) [shape=point, width=0.07, color=\"#555555\"]\n")
                let pathTrunk = useList.contains { onPath.contains(Paths.Wire(consumer: $0.consumer, slot: $0.slot)) } ? pathStyle : ""
                out.write("  n\(i) -> f\(i) [arrowhead=none, label=\(label(trace.values[i], allKnown ? trace.gradients[i] : nil, sum: terms.count > 1 && !isOutput ? terms : nil, isInput: graph.nodes[i].gate.isLeaf, tangentOf: i))\(dim)\(pathTrunk)]\n")
            }
            let from = total > 1 ? "f\(i)" : "n\(i)"
            let isInput = graph.nodes[i].gate.isLeaf
            for use in useList {
                var emphasis = use.consumer == active ? ", penwidth=2" : ""
                if onPath.contains(Paths.Wire(consumer: use.consumer, slot: use.slot)) { emphasis += pathStyle }
                let g = known(use.consumer) ? trace.contribution(use.consumer, use.slot) : nil
                // Where wires converge on a gate, a thin line ties each label to its own wire.
                let decorate = graph.arity(use.consumer) > 1 ? "decorate=true, " : ""
                out.write("  \(from) -> n\(use.consumer) [\(decorate)label=\(label(trace.values[i], g, isInput: isInput, tangentOf: i))\(emphasis)\(dim)]\n")
            }
            if isOutput {
                out.write("  \(from) -> out [label=\(label(trace.values[i], options.showGradients ? 1 : nil, tangentOf: i))\(options.path != nil ? pathStyle : "")]\n")
            }
        }
        out.write("}\n")
    }

    /// Escapes text for a Graphviz HTML-like label: HTML escaping, control characters as `?`,
    /// line breaks as `<br/>`.
    package static func html(_ s: String) -> String {
        let printable = String(s.map { ch -> Character in
            ch == "\n" || ch.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value != 127 }) ? ch : "?"
        })
        return HTML.escape(printable).replacingOccurrences(of: "\n", with: "<br/>")
    }
}
