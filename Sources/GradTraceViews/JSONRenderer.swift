import GradTraceCore
import GradTraceIO
/// The trace as JSON, streamed node by node into a byte buffer (schema in README.md, "JSON
/// schema"). Numbers carry full precision; non-finite ones are the strings "inf", "-inf", "nan".
public enum JSONRenderer {
    /// The value of the document's `schema` field, which names the version of the format.
    package static let schema = "gradtrace-trace/1"

    /// Writes `trace`, and `check` when given, as one JSON document into `out`, streamed so a
    /// million-node trace is never one string.
    /// `views` adds the forward-mode pass (`forwardMode`), the paths (`paths`) and the comparison
    /// of the modes (`modes`) that its `forwardWith`, `pathsFrom` and `compareModes` ask for.
    public static func render<S: TextOutputStream>(_ trace: Trace, check: GradientCheck? = nil, views: ExplainOptions? = nil, to out: inout S) {
        if let stream = out as? FileStream {
            // Straight into the file stream's buffer, without passing through String.
            var writer = JSONWriter(sink: FileSink(stream: stream))
            write(trace, check: check, views: views, into: &writer)
            writer.finish()
            return
        }
        var writer = JSONWriter(sink: StreamSink(stream: out))
        write(trace, check: check, views: views, into: &writer)
        writer.finish()
        out = writer.sink.stream
    }

    /// Where each block's fields go in the format (its field order, fixed by the schema).
    private static func position(_ block: ExplanationDocument.Block) -> Int {
        switch block {
        case .title: 0
        case .source: 1
        case .output: 2
        case .gradients: 3
        case .inputs: 4
        case .forwardPass: 5
        case .backwardSteps: 6
        case .notes: 7
        case .check: 8
        case .forwardMode: 9
        case .paths: 10
        case .modeComparison: 11
        }
    }

    /// The complete document (`ExplanationDocument.complete`) as JSON, each block's fields in the
    /// schema's order: one exhaustive `switch`, like every other view, so a new block does not
    /// compile until JSON says what it holds.
    package static func write<Sink: ByteSink>(_ trace: Trace, check: GradientCheck?, views: ExplainOptions? = nil, into w: inout JSONWriter<Sink>) {
        var options = views ?? ExplainOptions()
        options.format = NumberFormat(.shortest)
        options.check = check
        let document = ExplanationDocument.complete(trace, options: options)
        let graph = trace.graph
        let n = graph.count
        let walkthrough = document.walkthrough
        let labels = walkthrough.labels
        let uses = walkthrough.uses
        let kinds = graph.kinds
        let nodes = graph.nodes
        // Graph.operands(_:_:) with the nodes and labels held locally: on a million-gate tape the
        // general call's retains cost this loop about 3%.
        func gateOperands(_ i: Int) -> GateKind.Operands {
            let node = nodes[i]
            if node.b >= 0 && graph.extraInputs.isEmpty {
                return GateKind.Operands(a: labels.operand(Int(node.a)), b: labels.operand(Int(node.b)), parameter: node.gate.parameter)
            }
            if node.a >= 0 && node.b < 0 { return GateKind.Operands(a: labels.operand(Int(node.a)), parameter: node.gate.parameter) }
            return graph.operands(i) { labels.operand($0) }
        }
        func label(_ i: Int) -> String { labels[i] }
        let lineOffset = graph.source?.lineOffset ?? 0
        // Per kind, once: its name, and its symbol when it has no parameter.
        let kindNames = graph.kinds.map(\.name)
        let kindSymbols = graph.kinds.map { $0.hasParameter ? nil : $0.symbol(0) }

        w.raw("{\n  \"schema\": \""); w.rawString(schema); w.raw("\",\n")
        for block in document.blocks.sorted(by: { position($0) < position($1) }) {
            switch block {
            case .title:
                break  // a data format has no title
            case .source:
                if let source = graph.source {
                    w.raw("  \"source\": "); w.string(bytes: source.bytes); w.raw(",\n")
                }
            case .output:
                w.raw("  \"expanded\": "); w.raw(graph.expanded ? "true" : "false")
                let definitions = graph.definitions
                if !definitions.isEmpty {
                    w.raw(",\n  \"definitions\": [")
                    for (k, kind) in definitions.enumerated() {
                        let body = kind.body!(0)
                        w.raw(k == 0 ? "\n    {\"name\": " : ",\n    {\"name\": "); w.string(kind.name)
                        w.raw(", \"parameters\": [")
                        for (j, p) in body.parameters.enumerated() { if j > 0 { w.raw(", ") }; w.string(p) }
                        w.raw("], \"body\": "); w.string(body.text); w.raw("}")
                    }
                    w.raw("\n  ]")
                }
                w.raw(",\n  \"output\": "); w.number(trace.output)
                w.raw(",\n  \"outputName\": "); w.string(label(graph.output))
                w.raw(",\n  \"outputNode\": "); w.int(graph.output)
            case .gradients:
                w.raw(",\n  \"gradients\": {")
                for (k, id) in graph.inputs.enumerated() {
                    w.raw(k == 0 ? "\n    " : ",\n    "); w.string(label(id)); w.raw(": "); w.number(trace.gradients[id])
                }
                w.raw(graph.inputs.isEmpty ? "},\n" : "\n  },\n")
            case .inputs:
                w.raw("  \"inputs\": [")
                for (k, id) in graph.inputs.enumerated() {
                    w.raw(k == 0 ? "\n    {\"name\": " : ",\n    {\"name\": "); w.string(label(id))
                    w.raw(", \"node\": "); w.int(id)
                    w.raw(", \"value\": "); w.number(trace.values[id])
                    w.raw(", \"gradient\": "); w.number(trace.gradients[id]); w.raw("}")
                }
                w.raw(graph.inputs.isEmpty ? "],\n" : "\n  ],\n")
            case .forwardPass:
                w.raw("  \"nodes\": [")
                for i in 0..<n {
                    let node = nodes[i]
                    w.raw(i == 0 ? "\n    {\"id\": " : ",\n    {\"id\": "); w.int(i)
                    w.raw(", \"name\": ")
                    if let name = node.name { w.string(name) } else { w.raw("null") }
                    w.raw(", \"label\": "); w.string(label(i))
                    let k = Int(node.gate.kind)
                    w.raw(", \"gate\": \""); w.rawString(kindNames[k])
                    w.raw("\", \"symbol\": ")
                    if let symbol = kindSymbols[k] { w.string(symbol) } else {
                        w.string(graph.kinds[k].symbol(node.gate.parameter))
                        w.raw(", \"parameter\": "); w.number(node.gate.parameter)
                    }
                    w.raw(", \"inputs\": [")
                    if node.a >= 0 { w.int(Int(node.a)) }
                    if node.b >= 0 { w.raw(", "); w.int(Int(node.b)) }
                    if let extra = graph.extraInputs.isEmpty ? nil : graph.extraInputs[i] { for e in extra { w.raw(", "); w.int(Int(e)) } }
                    w.raw("], \"value\": "); w.number(trace.values[i])
                    w.raw(", \"gradient\": "); w.number(trace.gradients[i])
                    if let call = graph.expandedFrom(i) {
                        w.raw(", \"expandedFrom\": "); w.string(graph.kinds[Int(call.kind)].name)
                        w.raw(", \"call\": "); w.string(walkthrough.callText(call))
                    }
                    if let span = node.span {
                        w.raw(", \"line\": "); w.int(span.line + lineOffset)
                        w.raw(", \"column\": "); w.int(span.column)
                    }
                    w.raw("}")
                }
                w.raw(n == 0 ? "],\n" : "\n  ],\n")
            case .backwardSteps:
                w.raw("  \"steps\": [")
                for (k, i) in trace.steps.enumerated() {
                    let node = graph.nodes[i]
                    w.raw(k == 0 ? "\n    {\"step\": " : ",\n    {\"step\": "); w.int(k + 1)
                    w.raw(", \"node\": "); w.int(i)
                    let kind = kinds[Int(node.gate.kind)]
                    w.raw(", \"gate\": \""); w.rawString(kind.name)
                    w.raw("\", \"upstream\": "); w.number(trace.gradients[i])
                    w.raw(", \"inputs\": [")
                    let ops = gateOperands(i)
                    for slot in 0..<kind.arity {
                        w.raw(slot == 0 ? "{\"node\": " : ", {\"node\": "); w.int(graph.input(i, slot))
                        w.raw(", \"local\": "); w.number(trace.local(i, slot))
                        w.raw(", \"rule\": "); w.string(kind.rule(slot, ops))
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
            case .notes(let messages):
                w.raw("  \"warnings\": [")
                for (k, warning) in trace.warnings.enumerated() {
                    w.raw(k == 0 ? "\n    {\"kind\": \"" : ",\n    {\"kind\": \""); w.rawString(warning.kind.rawValue)
                    w.raw("\", \"node\": "); w.int(warning.node)
                    w.raw(", \"message\": "); w.string(messages[k]); w.raw("}")
                }
                w.raw(trace.warnings.isEmpty ? "]" : "\n  ]")
            case .check(let check):
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
            case .forwardMode(let forward):
                writeForwardMode(forward, into: &w)
            case .paths(let paths):
                writePaths(paths, into: &w)
            case .modeComparison(let cost):
                writeModes(cost, into: &w)
            }
        }
        w.raw("\n}\n")
    }
}

extension JSONRenderer {
    /// `forwardMode`: each node's tangent and each gate's wires.
    private static func writeForwardMode<Sink: ByteSink>(_ forward: ForwardModeWalkthrough, into w: inout JSONWriter<Sink>) {
        let trace = forward.walkthrough.trace, graph = trace.graph, walkthrough = forward.walkthrough
        let wrt = forward.tangent.wrt
        let t = forward.tangent
        w.raw(",\n  \"forwardMode\": {\"wrt\": "); w.string(walkthrough.labels[wrt])
        w.raw(", \"wrtNode\": "); w.int(wrt)
        w.raw(", \"derivative\": "); w.number(t.tangents[graph.output])
        w.raw(", \"tangents\": [")
        for i in 0..<graph.count { if i > 0 { w.raw(", ") }; w.number(t.tangents[i]) }
        w.raw("],\n    \"steps\": [")
        var k = 0
        for i in 0..<graph.count where !graph.nodes[i].gate.isLeaf {
            k += 1
            w.raw(k == 1 ? "\n      {\"step\": " : ",\n      {\"step\": "); w.int(k)
            w.raw(", \"node\": "); w.int(i)
            w.raw(", \"inputs\": [")
            for slot in 0..<graph.arity(i) {
                w.raw(slot == 0 ? "{\"node\": " : ", {\"node\": "); w.int(graph.input(i, slot))
                w.raw(", \"local\": "); w.number(trace.local(i, slot))
                w.raw(", \"tangent\": "); w.number(t.tangents[graph.input(i, slot)])
                w.raw(", \"contribution\": "); w.number(t.contribution(i, slot)); w.raw("}")
            }
            w.raw("], \"tangent\": "); w.number(t.tangents[i]); w.raw("}")
        }
        w.raw(k == 0 ? "]}" : "\n    ]}")
    }

    /// `paths`: the count, and the paths when listed.
    private static func writePaths<Sink: ByteSink>(_ paths: PathWalkthrough, into w: inout JSONWriter<Sink>) {
        let trace = paths.walkthrough.trace, walkthrough = paths.walkthrough
        let from = paths.paths.wrt
        let p = paths.paths
        w.raw(",\n  \"paths\": {\"from\": "); w.string(walkthrough.labels[from])
        w.raw(", \"fromNode\": "); w.int(from)
        w.raw(", \"count\": "); w.number(p.count)
        w.raw(", \"limit\": "); w.int(p.limit)
        w.raw(", \"gradient\": "); w.number(trace.gradients[from])
        w.raw(", \"listed\": ")
        if let list = p.paths {
            w.raw("[")
            for (k, path) in list.enumerated() {
                w.raw(k == 0 ? "\n    {\"nodes\": [" : ",\n    {\"nodes\": [")
                for (j, node) in path.nodes(from: from).enumerated() { if j > 0 { w.raw(", ") }; w.int(node) }
                w.raw("], \"locals\": [")
                for (j, l) in path.locals.enumerated() { if j > 0 { w.raw(", ") }; w.number(l) }
                w.raw("], \"product\": "); w.number(path.product); w.raw("}")
            }
            w.raw(list.isEmpty ? "]}" : "\n  ]}")
        } else {
            w.raw("null}")
        }
    }

    /// `modes`: passes and operation counts of each mode.
    private static func writeModes<Sink: ByteSink>(_ c: ModeCost, into w: inout JSONWriter<Sink>) {
        w.raw(",\n  \"modes\": {\"inputs\": "); w.int(c.inputs)
        w.raw(", \"outputs\": "); w.int(c.outputs)
        w.raw(", \"gates\": "); w.int(c.gates)
        w.raw(", \"wires\": "); w.int(c.wires)
        w.raw(",\n    \"forward\": {\"passes\": "); w.int(c.forwardPasses)
        w.raw(", \"multiplications\": "); w.int(c.forwardMultiplications)
        w.raw(", \"additions\": "); w.int(c.forwardAdditions)
        w.raw("},\n    \"reverse\": {\"passes\": "); w.int(c.reversePasses)
        w.raw(", \"multiplications\": "); w.int(c.reverseMultiplications)
        w.raw(", \"additions\": "); w.int(c.reverseAdditions); w.raw("}}")
    }
}

/// Where JSON bytes go, a chunk at a time.
package protocol ByteSink {
    mutating func put(_ bytes: [UInt8])
}

package struct StreamSink<S: TextOutputStream>: ByteSink {
    package var stream: S
    package mutating func put(_ bytes: [UInt8]) { stream.write(String(decoding: bytes, as: UTF8.self)) }
}

package struct FileSink: ByteSink {
    package let stream: FileStream
    package mutating func put(_ bytes: [UInt8]) { stream.write(bytes: bytes) }
}

package struct ArraySink: ByteSink {
    package var bytes: [UInt8] = []
    package mutating func put(_ chunk: [UInt8]) { bytes.append(contentsOf: chunk) }
}

/// Builds JSON text as bytes in a fixed buffer and hands it on in chunks of about 64 KiB.
/// Noncopyable: it owns its buffer, which a copy would share, and frees it when it goes away.
package struct JSONWriter<Sink: ByteSink>: ~Copyable {
    private static var capacity: Int { 1 << 17 }
    private static var threshold: Int { 1 << 16 }
    private let storage: UnsafeMutablePointer<UInt8>
    private var count = 0
    package var sink: Sink

    package init(sink: Sink) {
        self.sink = sink
        storage = .allocate(capacity: Self.capacity)
    }

    deinit { storage.deallocate() }

    /// Hands on what is buffered.
    package mutating func flush() {
        if count > 0 { sink.put(Array(UnsafeBufferPointer(start: storage, count: count))) }
        count = 0
    }

    /// Hands on the rest: call it once at the end, before reading the sink.
    package mutating func finish() {
        flush()
    }

    @inline(__always) private mutating func room(_ n: Int) {
        if count + n > Self.threshold {
            flush()
        }
    }

    @inline(__always) private mutating func byte(_ b: UInt8) {
        storage[count] = b
        count += 1
    }

    package mutating func raw(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        if n > Self.threshold { return rawString(s.description) }
        room(n)
        (storage + count).update(from: s.utf8Start, count: n)
        count += n
    }

    package mutating func rawString(_ s: String) {
        var s = s
        s.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                room(min(bytes.count - offset, Self.threshold))
                let n = min(bytes.count - offset, Self.capacity - count)
                (storage + count).update(from: bytes.baseAddress! + offset, count: n)
                count += n
                offset += n
            }
        }
    }

    package mutating func int(_ v: Int) {
        room(24)
        if v < 0 { byte(UInt8(ascii: "-")) }
        var x = v.magnitude
        if x == 0 { byte(UInt8(ascii: "0")); return }
        var digits = 0
        var y = x
        while y > 0 { digits += 1; y /= 10 }
        var at = count + digits - 1
        while x > 0 {
            storage[at] = UInt8(ascii: "0") + UInt8(x % 10)
            x /= 10
            at -= 1
        }
        count += digits
    }

    package mutating func number(_ v: Double) {
        if v.isFinite, v == v.rounded(), abs(v) < 1e15 {
            if v == 0 && v.sign == .minus { raw("-0") } else { int(Int(v)) }
        } else if v.isFinite {
            rawString(v.description)
        } else if v.isNaN {
            raw("\"nan\"")
        } else {
            raw(v < 0 ? "\"-inf\"" : "\"inf\"")
        }
    }

    package mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { bytes in
            // Most strings need no escaping: copy them whole.
            let plain = bytes.count < Self.threshold && !bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xE2 }
            if plain {
                room(bytes.count + 2)
                byte(UInt8(ascii: "\""))
                if let base = bytes.baseAddress { (storage + count).update(from: base, count: bytes.count) }
                count += bytes.count
                byte(UInt8(ascii: "\""))
            } else {
                string(bytes: bytes)
            }
        }
    }

    /// A JSON string literal: `"`, `\`, control characters and U+2028/9 escaped.
    package mutating func string<C: Collection>(bytes: C) where C.Element == UInt8 {
        room(1)
        byte(UInt8(ascii: "\""))
        var iterator = bytes.makeIterator()
        let hex = Array("0123456789abcdef".utf8)
        while let b = iterator.next() {
            room(8)
            switch b {
            case UInt8(ascii: "\""): byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "\\"))
            case UInt8(ascii: "\n"): byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): byte(UInt8(ascii: "\\")); byte(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                for c in [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 15)]] { byte(c) }
            case 0xE2:
                // U+2028 and U+2029 (E2 80 A8/A9) are valid JSON but break JavaScript: escape them.
                guard let b2 = iterator.next() else { byte(b); continue }
                guard b2 == 0x80, let b3 = iterator.next() else { byte(b); byte(b2); continue }
                if b3 == 0xA8 || b3 == 0xA9 {
                    for c in "\\u202\(b3 == 0xA8 ? "8" : "9")".utf8 { byte(c) }
                } else {
                    byte(b); byte(b2); byte(b3)
                }
            default: byte(b)
            }
        }
        room(1)
        byte(UInt8(ascii: "\""))
    }
}

/// A JSON string literal with every character JSON requires escaped.
package func jsonString(_ s: String) -> String {
    var writer = JSONWriter(sink: ArraySink())
    writer.string(s)
    writer.finish()
    return String(decoding: writer.sink.bytes, as: UTF8.self)
}
