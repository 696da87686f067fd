import Foundation

// libFuzzer target for the prose path: a lesson's front matter and blocks (LessonParser), its
// Markdown prose through cmark-gfm (Prose.problems, Prose.html, Prose.markdown), the `$…$` math
// converter, and the page and index HTML around it. Besides crashes and hangs it checks that
// the HTML holds only the tags and attributes cmark and the math converter make, and no link
// or image target outside the allow-list: lesson text can never become markup.
// Built by fuzz/run.sh with -sanitize=fuzzer,address and cmark-gfm linked.

let allowedTags: Set<String> = ["p", "em", "strong", "a", "img", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
                                "li", "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "del", "span", "sub", "sup"]
let allowedAttributes: Set<String> = ["href", "src", "alt", "title", "class", "start", "align"]

/// Every tag in `html` is one cmark or the math converter writes, with only their attributes,
/// and every href and src passes the allow-list.
func checkMarkup(_ html: String) {
    let s = Array(html.unicodeScalars)
    var i = 0
    while i < s.count {
        guard s[i] == "<" else { i += 1; continue }
        i += 1
        if i < s.count && s[i] == "/" { i += 1 }
        var name = ""
        while i < s.count, s[i].properties.isAlphabetic || ("0"..."9").contains(s[i]) { name.unicodeScalars.append(s[i]); i += 1 }
        precondition(allowedTags.contains(name), "unexpected tag <\(name)> in \(html.prefix(300))")
        while i < s.count && s[i] != ">" {
            if s[i] == " " || s[i] == "/" { i += 1; continue }
            var attribute = ""
            while i < s.count, s[i] != "=" && s[i] != ">" && s[i] != " " { attribute.unicodeScalars.append(s[i]); i += 1 }
            precondition(allowedAttributes.contains(attribute), "unexpected attribute '\(attribute)' on <\(name)>")
            precondition(i + 1 < s.count && s[i] == "=" && s[i + 1] == "\"", "unquoted attribute '\(attribute)'")
            i += 2
            var value = ""
            while i < s.count && s[i] != "\"" { value.unicodeScalars.append(s[i]); precondition(s[i] != "<" && s[i] != ">"); i += 1 }
            i += 1
            if attribute == "href" || attribute == "src" {
                let decoded = value.replacingOccurrences(of: "&amp;", with: "&")
                precondition(Prose.targetProblem(decoded, image: name == "img") == nil, "disallowed target \(value)")
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let source = try? SourceReader.decode(Data(bytes), name: "lessons/fuzz.md") else { return 0 }
    var texts = [String(decoding: bytes, as: UTF8.self)]
    var title = "fuzz", summary: String?
    if let lesson = try? LessonParser.parse(source, fileName: "fuzz.md") {
        for case .prose(let prose) in lesson.segments { texts.append(prose) }
        precondition(lesson.proseLines.count == texts.count - 1)
        title = lesson.title
        summary = lesson.summary
    }
    for text in texts {
        for problem in Prose.problems(text) { precondition(problem.line >= 1) }
        let html = Prose.html(text)
        checkMarkup(html)
        _ = Prose.markdown(text)
        let page = HTML.page(title: title, css: "", body: html)
        precondition(page.components(separatedBy: "<script").count == 1, "a script in a page without one")
    }
    for file in LessonIndex.files([LessonIndex.Entry(slug: "fuzz", title: title, summary: summary, files: ["README.md", "handout.html"])]) {
        precondition(!file.bytes.isEmpty)
    }
    return 0
}
