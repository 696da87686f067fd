import Foundation

// libFuzzer target for the expression parser and everything that reads a parsed graph:
// lowering (plain and --expand), the tracer, the gradient check and the text, Markdown, JSON
// and DOT renderers, forward mode and the paths among them. Built by fuzz/run.sh with -sanitize=fuzzer,address.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpression(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The same bytes as a data file and as a parameters file: errors, never a crash.
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? Dataset.csv(text, file: "<fuzz>")
    _ = try? ParameterFile.read(text, file: "<fuzz>")
    guard let source = try? SourceReader.decode(Data(bytes), name: "<fuzz>") else { return 0 }
    for expand in [false, true] {
        guard let graph = try? Parser.parse(source, expand: expand) else { continue }
        if graph.count > 20_000 { continue }
        var bindings: [String: Double] = [:]
        for (k, name) in graph.inputNames.enumerated() { bindings[name] = Double(k % 7) * 0.37 - 1.1 }
        guard let trace = try? Tracer(bindings: bindings).trace(graph) else { continue }
        let check = graph.count <= 200 ? GradientCheck(trace) : nil
        var out = ""
        TextRenderer.render(trace, options: ExplainOptions(check: check), to: &out)
        MarkdownRenderer.render(trace, options: ExplainOptions(format: NumberFormat(precision: 3), check: check), to: &out)
        LaTeXRenderer.render(trace, options: ExplainOptions(format: NumberFormat(precision: 3), check: check), to: &out)
        out += HTMLRenderer.walkthrough(trace, options: ExplainOptions(format: NumberFormat(digits: 2)))
        JSONRenderer.render(trace, check: check, to: &out)
        DotRenderer.render(trace, options: DotOptions(), to: &out)
        if !trace.steps.isEmpty { DotRenderer.render(trace, options: DotOptions(frame: 1), to: &out) }
        // Forward mode, the paths and the comparison, in every view, from the first input.
        if let x = graph.inputs.first {
            var views = ExplainOptions(format: NumberFormat(precision: 2))
            views.forwardWith = x
            views.pathsFrom = x
            views.compareModes = true
            TextRenderer.render(trace, options: views, to: &out)
            MarkdownRenderer.render(trace, options: views, to: &out)
            out += HTMLRenderer.walkthrough(trace, options: views)
            JSONRenderer.render(trace, views: views, to: &out)
            var dot = DotOptions(frame: 1)
            dot.tangentWith = x
            DotRenderer.render(trace, options: dot, to: &out)
            if let path = Paths(trace, wrt: x, limit: 8).paths?.first {
                var highlighted = DotOptions()
                highlighted.path = (1, 1, path)
                DotRenderer.render(trace, options: highlighted, to: &out)
            }
        }
        // Every path through the one backward kernel gives bit-identical gradients (any nan
        // counts as the same: the optimiser may swap a commutative product's operands, which
        // changes only a nan's payload): the tracer twice, the training evaluator, and the
        // gradient check's analytic column.
        func same(_ a: [Double], _ b: [Double]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
        }
        if let again = try? Tracer(bindings: bindings).trace(graph) { precondition(same(again.gradients, trace.gradients)) }
        if let inputs = try? Tracer(bindings: bindings).inputValues(for: graph) {
            var evaluator = Evaluator(graph: graph, inputs: inputs)
            evaluator.run()
            precondition(same(evaluator.gradients, trace.gradients), "the evaluator and the tracer disagree")
        }
        for e in check?.entries ?? [] { precondition(same([e.analytic], [trace.gradients[e.node]])) }
    }
    return 0
}
