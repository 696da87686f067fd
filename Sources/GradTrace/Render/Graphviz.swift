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
    public static let maxGates = 500
    /// Frames (one diagram, so one layout, per backward step) are drawn for circuits of at most
    /// this many gates: a 119-gate circuit took 95 s.
    public static let maxFrameGates = 40

    private static let lock = NSLock()
    nonisolated(unsafe) private static var context: OpaquePointer?

    /// `engine` is a Graphviz layout: "dot" for circuits, "nop" for charts, whose nodes carry
    /// fixed positions.
    public static func render(dot: String, format: Format, engine: String = "dot") throws(Failure) -> [UInt8] {
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
        let renderer = format == .svg ? "svg" : "\(format.rawValue):cairo"
        guard gvRenderData(gvc, graph, renderer, &data, &length) == 0, let data else {
            throw Failure(description: "Graphviz has no \(format.rawValue) renderer here; install its plugins with: apt-get install libgvc6 (then run: dot -c), or use --format dot or svg")
        }
        defer { gvFreeRenderData(data) }
        var bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: Int(length)))
        if format == .pdf { fixPDFDates(&bytes) }
        return bytes
    }

    /// cairo stamps each PDF with the time it was made (and ignores SOURCE_DATE_EPOCH), so two
    /// runs differ. The date is overwritten with a fixed one of the same length, which keeps
    /// every byte offset in the cross-reference table valid.
    static func fixPDFDates(_ bytes: inout [UInt8]) {
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
