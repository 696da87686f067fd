import Foundation

// libFuzzer target for the lesson parser: front matter, fences, block options, and each
// block's program. Built by fuzz/run.sh with -sanitize=fuzzer,address.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLesson(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let source = try? SourceReader.decode(Data(bytes), name: "lessons/fuzz.md") else { return 0 }
    guard let lesson = try? LessonParser.parse(source, fileName: "fuzz.md") else { return 0 }
    precondition(LessonParser.isSafeName(lesson.slug), "a lesson slug must never leave the output folder")
    for block in lesson.circuits {
        guard let graph = try? Parser.parse(block.source, expansion: block.options.expand) else { continue }
        var out = ""
        if let trace = try? Tracer().trace(graph) {
            MarkdownRenderer.render(trace, options: ExplainOptions(format: NumberFormat(precision: block.options.precision)), to: &out)
            out += HTMLRenderer.walkthrough(trace, options: ExplainOptions())
        }
    }
    return 0
}
