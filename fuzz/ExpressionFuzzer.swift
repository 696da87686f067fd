import Foundation

// libFuzzer target for the expression parser and everything that reads a parsed graph:
// lowering (plain and --expand), the tracer, the gradient check and the text, Markdown, JSON
// and DOT renderers. Built by fuzz/run.sh with -sanitize=fuzzer,address.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpression(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let source = try? SourceReader.decode(Data(bytes), name: "<fuzz>") else { return 0 }
    for expand in [false, true] {
        guard let graph = try? Parser.parse(source, expand: expand) else { continue }
        var bindings: [String: Double] = [:]
        for (k, name) in graph.inputNames.enumerated() { bindings[name] = Double(k % 7) * 0.37 - 1.1 }
        guard let trace = try? Tracer(bindings: bindings).trace(graph) else { continue }
        let check = graph.count <= 200 ? GradientCheck(trace) : nil
        var out = ""
        TextRenderer.render(trace, options: ExplainOptions(check: check), to: &out)
        MarkdownRenderer.render(trace, options: ExplainOptions(format: NumberFormat(precision: 3), check: check), to: &out)
        JSONRenderer.render(trace, check: check, to: &out)
        DotRenderer.render(trace, options: DotOptions(), to: &out)
        if !trace.steps.isEmpty { DotRenderer.render(trace, options: DotOptions(frame: 1), to: &out) }
        // Backward twice on one graph gives the same gradients.
        if let again = try? Tracer(bindings: bindings).trace(graph) {
            precondition(zip(again.gradients, trace.gradients).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        }
    }
    return 0
}
