import Foundation
@testable import GradTrace

func trace(_ text: String, _ bindings: [String: Double] = [:], expand: Bool = false) throws -> Trace {
    let graph = try Parser.parse(SourceText(text), expand: expand)
    return try Tracer(bindings: bindings).trace(graph)
}

/// The node whose label (name, or the source text for it) is `label`.
func node(_ trace: Trace, _ label: String) -> Int? {
    let labels = Labels(trace.graph)
    return (0..<trace.graph.count).first { labels[$0] == label }
}

func relativeDifference(_ a: Double, _ b: Double) -> Double {
    let scale = max(abs(a), abs(b))
    return scale == 0 ? 0 : abs(a - b) / scale
}

/// The message of the diagnostic that parsing and tracing `text` throws.
func diagnostic(_ text: String, _ bindings: [String: Double] = [:]) -> Diagnostic? {
    do {
        _ = try trace(text, bindings)
        return nil
    } catch {
        return error as? Diagnostic
    }
}

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let sharedFolder = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

/// The kind name and parameter of node `i` (`addConst`, 1).
func gate(_ t: Trace, _ i: Int) -> (name: String, parameter: Double) {
    (t.graph.kind(i).name, t.graph.nodes[i].gate.parameter)
}

extension Trace {
    /// The warnings as the views word them.
    var messages: [String] {
        let w = Walkthrough(self)
        return warnings.map(w.message)
    }
}
