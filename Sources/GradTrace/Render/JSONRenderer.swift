/// The trace as JSON, streamed node by node (schema in README.md, "JSON schema").
/// Numbers carry full precision; non-finite ones are the strings "inf", "-inf", "nan".
public enum JSONRenderer {
    public static let schema = "gradtrace-trace/1"

    public static func render<S: TextOutputStream>(_ trace: Trace, check: GradientCheck? = nil, to out: inout S) {
        let graph = trace.graph
        let fmt = NumberFormat()
        let w = Wording(trace, format: fmt)
        let n = jsonNumber
        out.write("{\n  \"schema\": \"\(schema)\",\n")
        if let source = graph.source {
            out.write("  \"source\": \(jsonString(String(decoding: source.bytes, as: UTF8.self))),\n")
        }
        out.write("  \"expanded\": \(graph.expanded),\n")
        out.write("  \"output\": \(n(trace.output)),\n")
        out.write("  \"outputName\": \(jsonString(w.outputName)),\n")
        out.write("  \"outputNode\": \(graph.output),\n")
        out.write("  \"gradients\": {")
        for (k, id) in graph.inputs.enumerated() {
            out.write((k == 0 ? "" : ",") + "\n    \(jsonString(w.labels[id])): \(n(trace.gradients[id]))")
        }
        out.write(graph.inputs.isEmpty ? "},\n" : "\n  },\n")
        out.write("  \"inputs\": [")
        for (k, id) in graph.inputs.enumerated() {
            out.write((k == 0 ? "" : ",") + "\n    {\"name\": \(jsonString(w.labels[id])), \"node\": \(id), \"value\": \(n(trace.values[id])), \"gradient\": \(n(trace.gradients[id]))}")
        }
        out.write(graph.inputs.isEmpty ? "],\n" : "\n  ],\n")
        out.write("  \"nodes\": [")
        for i in 0..<graph.count {
            let node = graph.nodes[i]
            var line = (i == 0 ? "" : ",") + "\n    {\"id\": \(i), \"name\": \(node.name.map(jsonString) ?? "null"), \"label\": \(jsonString(w.labels[i])), "
            line += "\"gate\": \"\(node.gate.name)\", \"symbol\": \(jsonString(node.gate.symbol))"
            if let p = node.gate.parameter { line += ", \"parameter\": \(n(p))" }
            line += ", \"inputs\": [" + (0..<node.gate.arity).map { String(node.input($0)) }.joined(separator: ", ") + "]"
            line += ", \"value\": \(n(trace.values[i])), \"gradient\": \(n(trace.gradients[i]))"
            if let from = node.expandedFrom { line += ", \"expandedFrom\": \"\(from.name)\"" }
            if let span = node.span { line += ", \"line\": \(span.line + (graph.source?.lineOffset ?? 0)), \"column\": \(span.column)" }
            out.write(line + "}")
        }
        out.write(graph.count == 0 ? "],\n" : "\n  ],\n")
        out.write("  \"steps\": [")
        for (k, i) in trace.steps.enumerated() {
            let node = graph.nodes[i]
            var line = (k == 0 ? "" : ",") + "\n    {\"step\": \(k + 1), \"node\": \(i), \"gate\": \"\(node.gate.name)\", \"upstream\": \(n(trace.gradients[i])), \"inputs\": ["
            for slot in 0..<node.gate.arity {
                line += (slot == 0 ? "" : ", ") + "{\"node\": \(node.input(slot)), \"local\": \(n(trace.local(i, slot))), "
                line += "\"rule\": \(jsonString(w.rule(i, slot: slot))), \"contribution\": \(n(trace.contribution(i, slot)))}"
            }
            out.write(line + "]}")
        }
        out.write(trace.steps.isEmpty ? "],\n" : "\n  ],\n")
        out.write("  \"forks\": [")
        var firstFork = true
        for i in 0..<graph.count {
            guard let terms = w.forkTerms(i) else { continue }
            out.write((firstFork ? "" : ",") + "\n    {\"node\": \(i), \"contributions\": [" + terms.map(n).joined(separator: ", ") + "], \"gradient\": \(n(trace.gradients[i]))}")
            firstFork = false
        }
        out.write(firstFork ? "],\n" : "\n  ],\n")
        out.write("  \"warnings\": [")
        for (k, warning) in trace.warnings.enumerated() {
            out.write((k == 0 ? "" : ",") + "\n    {\"kind\": \"\(warning.kind.rawValue)\", \"node\": \(warning.node), \"message\": \(jsonString(warning.message))}")
        }
        out.write(trace.warnings.isEmpty ? "]" : "\n  ]")
        if let check {
            out.write(",\n  \"check\": [")
            for (k, e) in check.entries.enumerated() {
                out.write((k == 0 ? "" : ",") + "\n    {\"node\": \(e.node), \"analytic\": \(n(e.analytic)), \"numeric\": \(n(e.numeric)), \"relativeError\": \(n(e.relativeError)), \"atKink\": \(e.atKink), \"passed\": \(e.passed)}")
            }
            out.write(check.entries.isEmpty ? "]" : "\n  ]")
        }
        out.write("\n}\n")
    }
}

/// A JSON string literal with every character JSON requires escaped.
public func jsonString(_ s: String) -> String {
    // Most strings (names, labels, rules) need no escaping: check the bytes first.
    var plain = true
    for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F || b == 0xE2 {
        plain = false
        break
    }
    if plain { return "\"" + s + "\"" }
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}" {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
