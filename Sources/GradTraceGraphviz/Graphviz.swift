import CGraphviz
import Foundation

/// Renders DOT text to SVG, PNG or PDF in-process through Graphviz's C library (libgvc and
/// libcgraph). This is the one file that touches Graphviz pointers; it frees each one.
///
/// Graphviz keeps global state and is not thread-safe, so every call goes through one lock
/// and one context for the whole process (Graphviz's own advice: one `gvContext` a process).
public enum Graphviz {
    /// What Graphviz renders to: SVG text, or PNG or PDF bytes (through cairo).
    public enum Format: String, Sendable, CaseIterable { case svg, png, pdf }

    /// Why Graphviz could not draw: no context, a missing layout or renderer plugin, or DOT it could not read.
    public struct Failure: Error, CustomStringConvertible {
        /// The message, with how to install what is missing.
        public var description: String
    }

    /// Diagrams of more gates than this are refused: the layout gets slow and the picture unreadable.
    package static let maxGates = 500
    /// Frames (one diagram, so one layout, per backward step) are drawn for circuits of at most
    /// this many gates: a 119-gate circuit took 95 s.
    package static let maxFrameGates = 40

    private static let lock = NSLock()
    nonisolated(unsafe) private static var context: OpaquePointer?

    /// `engine` is a Graphviz layout: "dot" for circuits, "nop" for charts, whose nodes carry
    /// fixed positions.
    public static func render(dot: String, format: Format, engine: String = "dot") throws(Failure) -> [UInt8] {
        let renderer = format == .svg ? "svg" : "\(format.rawValue):cairo"
        var bytes = try render(dot: dot, renderer: renderer, engine: engine)
        if format == .pdf { fixPDFDates(&bytes) }
        return bytes
    }

    private static func render(dot: String, renderer: String, engine: String) throws(Failure) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if context == nil {
            agseterr(AGMAX)  // our DOT is generated: Graphviz's warnings would only be noise
            context = gvContext()
        }
        guard let gvc = context else {
            throw Failure(description: "could not start Graphviz; install it with: apt-get install libgvc6")
        }
        guard let graph = dot.withCString({ agmemread($0) }) else {
            throw Failure(description: "Graphviz could not read the generated DOT (please report this as a bug)")
        }
        defer { agclose(graph) }
        guard gvLayout(gvc, graph, engine) == 0 else {
            throw Failure(description: "Graphviz's \(engine) layout is not available; install it with: apt-get install libgvc6")
        }
        defer { gvFreeLayout(gvc, graph) }
        var data: UnsafeMutablePointer<CChar>?
        var length: UInt32 = 0
        guard gvRenderData(gvc, graph, renderer, &data, &length) == 0, let data else {
            let name = renderer.split(separator: ":")[0]
            throw Failure(description: "Graphviz has no \(name) renderer here; install its plugins with: apt-get install libgvc6 (then run: dot -c), or use --format dot or svg")
        }
        defer { gvFreeRenderData(data) }
        return [UInt8](UnsafeRawBufferPointer(start: data, count: Int(length)))
    }

    /// Where Graphviz's dot layout puts things, in points with y up (as TikZ has it): the
    /// bounding box, each node's centre and size by name, and each edge's spline and label
    /// position in the order the DOT declares them.
    package struct Layout: Sendable {
        package struct Node: Sendable {
            package var x, y, width, height: Double
            /// Where an external label (a gate's name) goes.
            package var xlabel: (x: Double, y: Double)?
        }
        package struct Edge: Sendable {
            package var tail: String, head: String
            /// The spline's points: a start, then three per Bézier segment (Graphviz's `pos`).
            package var points: [(x: Double, y: Double)]
            /// Where the arrowhead ends, when there is one.
            package var arrowEnd: (x: Double, y: Double)?
            /// The label's centre.
            package var label: (x: Double, y: Double)?
        }
        /// A cluster (the box of an expanded call): its name, its box and its label's centre.
        package struct Cluster: Sendable {
            package var name: String
            package var x0, y0, x1, y1: Double
            package var label: (x: Double, y: Double)?
        }
        package var width: Double, height: Double
        package var nodes: [String: Node]
        package var clusters: [Cluster] = []
        package var edges: [Edge]
    }

    /// Lays `dot` out with the dot engine and reads the positions back (Graphviz's json0 output).
    package static func layout(dot: String) throws(Failure) -> Layout {
        let bytes = try render(dot: dot, renderer: "json0", engine: "dot")
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw Failure(description: "Graphviz's layout could not be read (please report this as a bug)")
        }
        func numbers(_ text: Any?) -> [Double] {
            (text as? String ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).compactMap { Double($0) }
        }
        let box = numbers(object["bb"])
        var names: [Int: String] = [:]
        var nodes: [String: Layout.Node] = [:]
        var clusters: [Layout.Cluster] = []
        for case let node as [String: Any] in object["objects"] as? [Any] ?? [] {
            guard let name = node["name"] as? String, let id = node["_gvid"] as? Int else { continue }
            names[id] = name
            let pos = numbers(node["pos"])
            if pos.count != 2, name.hasPrefix("cluster") {
                let bb = numbers(node["bb"]), lp = numbers(node["lp"])
                if bb.count == 4 {
                    clusters.append(Layout.Cluster(name: name, x0: bb[0], y0: bb[1], x1: bb[2], y1: bb[3], label: lp.count == 2 ? (lp[0], lp[1]) : nil))
                }
                continue
            }
            guard pos.count == 2 else { continue }
            let xlp = numbers(node["xlp"])
            nodes[name] = Layout.Node(x: pos[0], y: pos[1], width: 72 * (Double(node["width"] as? String ?? "") ?? 0),
                                      height: 72 * (Double(node["height"] as? String ?? "") ?? 0),
                                      xlabel: xlp.count == 2 ? (xlp[0], xlp[1]) : nil)
        }
        var edges: [(Int, Layout.Edge)] = []
        for case let edge as [String: Any] in object["edges"] as? [Any] ?? [] {
            guard let tail = edge["tail"] as? Int, let head = edge["head"] as? Int else { continue }
            var spline = (edge["pos"] as? String ?? "").split(separator: " ")
            var arrow: (x: Double, y: Double)?
            if let first = spline.first, first.hasPrefix("e,") {
                let p = numbers(String(first.dropFirst(2)))
                if p.count == 2 { arrow = (p[0], p[1]) }
                spline.removeFirst()
            }
            if let first = spline.first, first.hasPrefix("s,") { spline.removeFirst() }
            let points = spline.map { numbers(String($0)) }.filter { $0.count == 2 }.map { (x: $0[0], y: $0[1]) }
            let lp = numbers(edge["lp"])
            edges.append((edge["_gvid"] as? Int ?? edges.count,
                          Layout.Edge(tail: names[tail] ?? "", head: names[head] ?? "", points: points, arrowEnd: arrow,
                                      label: lp.count == 2 ? (lp[0], lp[1]) : nil)))
        }
        return Layout(width: box.count == 4 ? box[2] : 0, height: box.count == 4 ? box[3] : 0, nodes: nodes,
                      clusters: clusters, edges: edges.sorted { $0.0 < $1.0 }.map(\.1))
    }

    /// cairo stamps each PDF with the time it was made (and ignores SOURCE_DATE_EPOCH), so two
    /// runs differ. The date is overwritten with a fixed one of the same length, which keeps
    /// every byte offset in the cross-reference table valid.
    package static func fixPDFDates(_ bytes: inout [UInt8]) {
        let fixed = Array("20000101000000".utf8)
        for key in ["/CreationDate (D:", "/ModDate (D:"] {
            let pattern = Array(key.utf8)
            var i = 0
            while let found = find(pattern, in: bytes, from: i) {
                var j = found + pattern.count, k = 0
                while j < bytes.count && bytes[j] != UInt8(ascii: ")") {
                    if bytes[j] >= UInt8(ascii: "0") && bytes[j] <= UInt8(ascii: "9") {
                        bytes[j] = k < fixed.count ? fixed[k] : UInt8(ascii: "0")
                        k += 1
                    }
                    j += 1
                }
                i = j
            }
        }
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard pattern.count <= bytes.count, start <= bytes.count - pattern.count else { return nil }
        var i = start
        while i <= bytes.count - pattern.count {
            if bytes[i] == pattern[0] && Array(bytes[i..<(i + pattern.count)]) == pattern { return i }
            i += 1
        }
        return nil
    }
}
