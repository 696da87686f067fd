/// The trace as JSON, streamed node by node into a byte buffer (schema in README.md, "JSON
/// schema"). Numbers carry full precision; non-finite ones are the strings "inf", "-inf", "nan".
public enum JSONRenderer {
    public static let schema = "gradtrace-trace/1"

    public static func render<S: TextOutputStream>(_ trace: Trace, check: GradientCheck? = nil, to out: inout S) {
        if let stream = out as? FileStream {
            // Straight into the file stream's buffer, without passing through String.
            var writer = JSONWriter(sink: FileSink(stream: stream))
            write(trace, check: check, into: &writer)
            writer.flush()
            return
        }
        var writer = JSONWriter(sink: StreamSink(stream: out))
        write(trace, check: check, into: &writer)
        writer.flush()
        out = writer.sink.stream
    }

    static func write<Sink: ByteSink>(_ trace: Trace, check: GradientCheck?, into w: inout JSONWriter<Sink>) {
        let graph = trace.graph
        let n = graph.count
        let labels = Labels(graph)
        let uses = graph.makeUses()
        // Each node's label as an operand of other labels and rules, computed once.
        var operands = [String](repeating: "", count: n)
        for i in 0..<n { operands[i] = labels.operand(i) }
        func label(_ i: Int) -> String {
            let node = graph.nodes[i]
            if let name = node.name { return name }
            if case .constant(let c) = node.gate { return formatShortest(c) }
            if let text = labels.sourceText(i) { return text }
            return Labels.formula(node.gate, node.a >= 0 ? operands[Int(node.a)] : "", node.b >= 0 ? operands[Int(node.b)] : "", NumberFormat())
        }
        let lineOffset = graph.source?.lineOffset ?? 0

        w.raw("{\n  \"schema\": \""); w.raw(schema); w.raw("\",\n")
        if let source = graph.source {
            w.raw("  \"source\": "); w.string(bytes: source.bytes); w.raw(",\n")
        }
        w.raw("  \"expanded\": "); w.raw(graph.expanded ? "true" : "false")
        w.raw(",\n  \"output\": "); w.number(trace.output)
        w.raw(",\n  \"outputName\": "); w.string(label(graph.output))
        w.raw(",\n  \"outputNode\": "); w.int(graph.output)
        w.raw(",\n  \"gradients\": {")
        for (k, id) in graph.inputs.enumerated() {
            w.raw(k == 0 ? "\n    " : ",\n    "); w.string(label(id)); w.raw(": "); w.number(trace.gradients[id])
        }
        w.raw(graph.inputs.isEmpty ? "},\n" : "\n  },\n")
        w.raw("  \"inputs\": [")
        for (k, id) in graph.inputs.enumerated() {
            w.raw(k == 0 ? "\n    {\"name\": " : ",\n    {\"name\": "); w.string(label(id))
            w.raw(", \"node\": "); w.int(id)
            w.raw(", \"value\": "); w.number(trace.values[id])
            w.raw(", \"gradient\": "); w.number(trace.gradients[id]); w.raw("}")
        }
        w.raw(graph.inputs.isEmpty ? "],\n" : "\n  ],\n")
        w.raw("  \"nodes\": [")
        for i in 0..<n {
            let node = graph.nodes[i]
            w.raw(i == 0 ? "\n    {\"id\": " : ",\n    {\"id\": "); w.int(i)
            w.raw(", \"name\": ")
            if let name = node.name { w.string(name) } else { w.raw("null") }
            w.raw(", \"label\": "); w.string(label(i))
            w.raw(", \"gate\": \""); w.raw(node.gate.name)
            w.raw("\", \"symbol\": "); w.string(node.gate.symbol)
            if let p = node.gate.parameter { w.raw(", \"parameter\": "); w.number(p) }
            w.raw(", \"inputs\": [")
            if node.a >= 0 { w.int(Int(node.a)) }
            if node.b >= 0 { w.raw(", "); w.int(Int(node.b)) }
            w.raw("], \"value\": "); w.number(trace.values[i])
            w.raw(", \"gradient\": "); w.number(trace.gradients[i])
            if let from = graph.expandedFrom(i) { w.raw(", \"expandedFrom\": \""); w.raw(from.name); w.raw("\"") }
            if let span = node.span {
                w.raw(", \"line\": "); w.int(span.line + lineOffset)
                w.raw(", \"column\": "); w.int(span.column)
            }
            w.raw("}")
        }
        w.raw(n == 0 ? "],\n" : "\n  ],\n")
        w.raw("  \"steps\": [")
        for (k, i) in trace.steps.enumerated() {
            let node = graph.nodes[i]
            w.raw(k == 0 ? "\n    {\"step\": " : ",\n    {\"step\": "); w.int(k + 1)
            w.raw(", \"node\": "); w.int(i)
            w.raw(", \"gate\": \""); w.raw(node.gate.name)
            w.raw("\", \"upstream\": "); w.number(trace.gradients[i])
            w.raw(", \"inputs\": [")
            let a = node.a >= 0 ? operands[Int(node.a)] : "", b = node.b >= 0 ? operands[Int(node.b)] : ""
            for slot in 0..<node.gate.arity {
                w.raw(slot == 0 ? "{\"node\": " : ", {\"node\": "); w.int(node.input(slot))
                w.raw(", \"local\": "); w.number(trace.local(i, slot))
                w.raw(", \"rule\": "); w.string(node.gate.localRule(slot: slot, a: a, b: b))
                w.raw(", \"contribution\": "); w.number(trace.contribution(i, slot)); w.raw("}")
            }
            w.raw("]}")
        }
        w.raw(trace.steps.isEmpty ? "],\n" : "\n  ],\n")
        w.raw("  \"forks\": [")
        var firstFork = true
        for i in 0..<n where uses.count(of: i) > 1 {
            let terms = uses(of: i).filter { trace.reachesOutput[$0.consumer] }.map { trace.contribution($0.consumer, $0.slot) }
            guard terms.count > 1 else { continue }
            w.raw(firstFork ? "\n    {\"node\": " : ",\n    {\"node\": "); w.int(i)
            w.raw(", \"contributions\": [")
            for (k, t) in terms.enumerated() { if k > 0 { w.raw(", ") }; w.number(t) }
            w.raw("], \"gradient\": "); w.number(trace.gradients[i]); w.raw("}")
            firstFork = false
        }
        w.raw(firstFork ? "],\n" : "\n  ],\n")
        w.raw("  \"warnings\": [")
        for (k, warning) in trace.warnings.enumerated() {
            w.raw(k == 0 ? "\n    {\"kind\": \"" : ",\n    {\"kind\": \""); w.raw(warning.kind.rawValue)
            w.raw("\", \"node\": "); w.int(warning.node)
            w.raw(", \"message\": "); w.string(warning.message); w.raw("}")
        }
        w.raw(trace.warnings.isEmpty ? "]" : "\n  ]")
        if let check {
            w.raw(",\n  \"check\": [")
            for (k, e) in check.entries.enumerated() {
                w.raw(k == 0 ? "\n    {\"node\": " : ",\n    {\"node\": "); w.int(e.node)
                w.raw(", \"analytic\": "); w.number(e.analytic)
                w.raw(", \"numeric\": "); w.number(e.numeric)
                w.raw(", \"relativeError\": "); w.number(e.relativeError)
                w.raw(", \"atKink\": "); w.raw(e.atKink ? "true" : "false")
                w.raw(", \"passed\": "); w.raw(e.passed ? "true" : "false"); w.raw("}")
            }
            w.raw(check.entries.isEmpty ? "]" : "\n  ]")
        }
        w.raw("\n}\n")
    }
}

/// Where JSON bytes go, a chunk at a time.
protocol ByteSink {
    mutating func put(_ bytes: [UInt8])
}

struct StreamSink<S: TextOutputStream>: ByteSink {
    var stream: S
    mutating func put(_ bytes: [UInt8]) { stream.write(String(decoding: bytes, as: UTF8.self)) }
}

struct FileSink: ByteSink {
    let stream: FileStream
    mutating func put(_ bytes: [UInt8]) { stream.write(bytes: bytes) }
}

struct ArraySink: ByteSink {
    var bytes: [UInt8] = []
    mutating func put(_ chunk: [UInt8]) { bytes.append(contentsOf: chunk) }
}

/// Builds JSON text as bytes and hands it on in chunks of about 64 KiB.
struct JSONWriter<Sink: ByteSink> {
    private var buffer: [UInt8] = []
    var sink: Sink

    init(sink: Sink) {
        self.sink = sink
        buffer.reserveCapacity(1 << 17)
    }

    mutating func flush() {
        if !buffer.isEmpty { sink.put(buffer) }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func maybeFlush() { if buffer.count >= 1 << 16 { flush() } }

    mutating func raw(_ s: String) {
        var s = s
        s.withUTF8 { buffer.append(contentsOf: $0) }
        maybeFlush()
    }

    mutating func int(_ v: Int) {
        if v == 0 { buffer.append(UInt8(ascii: "0")); return }
        var x = v.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while x > 0 { d[count] = UInt8(ascii: "0") + UInt8(x % 10); x /= 10; count += 1 }
            if v < 0 { buffer.append(UInt8(ascii: "-")) }
            for k in stride(from: count - 1, through: 0, by: -1) { buffer.append(d[k]) }
        }
    }

    mutating func number(_ v: Double) {
        if v.isFinite, v == v.rounded(), abs(v) < 1e15 {
            if v == 0 && v.sign == .minus { raw("-0") } else { int(Int(v)) }
        } else {
            raw(jsonNumber(v))
        }
        maybeFlush()
    }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string(bytes: $0) }
    }

    /// A JSON string literal: `"`, `\`, control characters and U+2028/9 escaped.
    mutating func string<C: Collection>(bytes: C) where C.Element == UInt8 {
        buffer.append(UInt8(ascii: "\""))
        var iterator = bytes.makeIterator()
        var pending: [UInt8] = []
        while let b = iterator.next() {
            switch b {
            case UInt8(ascii: "\""): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 15)]])
            case 0xE2:
                // U+2028 and U+2029 (E2 80 A8/A9) are valid JSON but break JavaScript: escape them.
                pending = [b]
                if let b2 = iterator.next() {
                    pending.append(b2)
                    if b2 == 0x80, let b3 = iterator.next() {
                        if b3 == 0xA8 || b3 == 0xA9 {
                            buffer.append(contentsOf: Array("\\u202\(b3 == 0xA8 ? "8" : "9")".utf8))
                            continue
                        }
                        pending.append(b3)
                    }
                }
                buffer.append(contentsOf: pending)
            default: buffer.append(b)
            }
            if buffer.count >= 1 << 16 { flush() }
        }
        buffer.append(UInt8(ascii: "\""))
        maybeFlush()
    }
}

/// A JSON string literal with every character JSON requires escaped.
public func jsonString(_ s: String) -> String {
    var writer = JSONWriter(sink: ArraySink())
    writer.string(s)
    writer.flush()
    return String(decoding: writer.sink.bytes, as: UTF8.self)
}
