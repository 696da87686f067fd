import CCmarkGFM
import Foundation
import GradTraceGraphviz
import GradTraceViews

/// A teacher's Markdown prose, made safe to publish: HTML for handouts (`html`) and Markdown for
/// the walkthrough page README.md (`markdown`).
///
/// The Markdown is read by cmark-gfm, GitHub's CommonMark library (with its table and
/// strikethrough extensions), never by our own code. Before cmark sees the text, `$…$` math is
/// taken out (so its `_` and `*` are not read as emphasis) and every `<` is hidden, so raw HTML
/// and `<…>` autolinks never exist: they come out as text. In the parsed tree, links may point only
/// to http, https, mailto or relative targets, and images only to relative or `data:image/…`
/// targets (a handout never fetches anything); anything else is dropped, its text kept, and
/// `problems` reports it with its line so a build can refuse the lesson before writing a file.
/// Attribute values are escaped by cmark; math is inserted as nodes of the tree, never by
/// text substitution, so it cannot end up inside an attribute. cmark's own "safe" mode (raw
/// HTML omitted, javascript: URLs blanked) is not needed for the HTML: the tree it renders has
/// no raw HTML and only allowed targets, by the steps above.
///
/// Bounded work: math conversion is linear; cmark is linear on all but a few shapes in the
/// version Debian ships (see ARCHITECTURE.md), which `problems` refuses and `html` does not feed
/// to it: more than `maxNesting` block quotes or list markers on one line, or more than
/// `maxPipes` `|` on one line.
package enum Prose {
    package static let maxNesting = 32
    package static let maxPipes = 256

    /// Something in the prose a lesson may not publish. `line` counts from the prose's first line (1).
    package struct Problem: Sendable, Equatable, CustomStringConvertible {
        package var line: Int
        package var message: String
        package var help: String?
        /// The text to point at on that line, when there is one.
        package var excerpt: String?

        package var description: String { "line \(line): \(message)" }
    }

    /// What a lesson's prose cannot publish: unsafe or remote link and image targets, and
    /// structures nested or wide enough to make the Markdown parser slow.
    package static func problems(_ markdown: String) -> [Problem] {
        let limits = limitProblems(markdown)
        if !limits.isEmpty { return limits }
        let prepared = Prepared(markdown)
        var found: [Problem] = []
        Document.with(prepared.text) { root, _ in
            let iterator = NodeWalk(root)
            while let (node, entering) = iterator.next() {
                guard entering else { continue }
                let type = cmark_node_get_type(node)
                guard type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE else { continue }
                let url = prepared.restore(string(cmark_node_get_url(node)))
                let isImage = type == CMARK_NODE_IMAGE
                if let (message, help) = targetProblem(url, image: isImage) {
                    found.append(Problem(line: prepared.originalLine(Document.line(of: node)), message: message, help: help, excerpt: url))
                }
            }
        }
        return found
    }

    /// The prose as HTML for a handout page: safe whatever the input (see the type's comment).
    package static func html(_ markdown: String) -> String {
        guard limitProblems(markdown).isEmpty else {
            // Too deeply nested for the parser: shown as typed.
            return "<pre class=\"unrendered\">" + HTML.escape(markdown) + "</pre>"
        }
        let prepared = Prepared(markdown)
        var html = Document.with(prepared.text) { root, extensions in
            Transform(prepared: prepared, mode: .html).apply(root)
            return take(cmark_render_html(root, CMARK_OPT_UNSAFE, extensions))
        }
        html = prepared.restoreRemaining(html, mode: .html)
        return html.trimmingTrailingNewlines()
    }

    /// The prose as Markdown for the walkthrough page (README.md): the same document with raw
    /// HTML shown as text and disallowed link and image targets dropped. Math is kept as typed
    /// for GitHub to render.
    package static func markdown(_ markdown: String) -> String {
        guard limitProblems(markdown).isEmpty else {
            return "```text\n" + markdown.replacingOccurrences(of: "```", with: "'''") + "\n```"
        }
        let prepared = Prepared(markdown)
        var text = Document.with(prepared.text) { root, _ in
            Transform(prepared: prepared, mode: .markdown).apply(root)
            return take(cmark_render_commonmark(root, CMARK_OPT_DEFAULT, 0))
        }
        text = prepared.restoreRemaining(text, mode: .markdown)
        return text.trimmingTrailingNewlines()
    }

    /// A small LaTeX subset as HTML: Unicode symbols, `<sub>` and `<sup>`. Math nested deeper
    /// than `ProseMath.maxDepth` braces is shown as typed.
    package static func mathHTML(_ latex: String) -> String {
        ProseMath.convert(latex, mode: .html) ?? HTML.escape(latex)
    }

    /// A small LaTeX subset as Unicode text: `\frac{\partial f}{\partial x}` → `∂f/∂x`.
    package static func unicodeMath(_ latex: String) -> String {
        ProseMath.convert(latex, mode: .plain) ?? latex
    }

    // MARK: Targets

    /// Why a link or image target is not allowed, or nil when it is.
    package static func targetProblem(_ url: String, image: Bool) -> (String, String)? {
        // As a browser reads it: surrounding spaces and controls dropped, tabs and newlines removed.
        var scalars = Array(url.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" })
        while let first = scalars.first, first.value <= 0x20 { scalars.removeFirst() }
        while let last = scalars.last, last.value <= 0x20 { scalars.removeLast() }
        let target = String(String.UnicodeScalarView(scalars)).lowercased()
        let shown = url.count > 60 ? String(url.prefix(60)) + "…" : url
        let linkHelp = "links may go to http:, https:, mailto: or a relative path"
        let imageHelp = "put the image beside the lesson and use a relative path, or a data:image/png (jpeg, gif, webp) URL"
        if target.hasPrefix("//") || target.hasPrefix("\\\\") || target.hasPrefix("/\\") || target.hasPrefix("\\/") {
            return image ? ("image '\(shown)' would be fetched from the network", imageHelp)
                         : ("link target '\(shown)' has no scheme; write https:// (or http://)", linkHelp)
        }
        guard let scheme = scheme(of: target) else { return nil }  // a relative path
        if image {
            if scheme == "http" || scheme == "https" {
                return ("image '\(shown)' would be fetched from the network", imageHelp)
            }
            if scheme == "data", ["png", "jpeg", "gif", "webp"].contains(where: { target.hasPrefix("data:image/\($0);") || target.hasPrefix("data:image/\($0),") }) {
                return nil
            }
            return ("image source '\(shown)' is not allowed", imageHelp)
        }
        if ["http", "https", "mailto"].contains(scheme) { return nil }
        return ("link target '\(shown)' is not allowed (\(scheme): links can run code or leave the page)", linkHelp)
    }

    /// `scheme` of `scheme:rest`, lowercased, or nil for a relative reference.
    package static func scheme(of target: String) -> String? {
        var name = ""
        for ch in target.unicodeScalars {
            if ch == ":" { return name.isEmpty ? nil : name }
            let isLetter = ("a"..."z").contains(ch)
            if isLetter || (!name.isEmpty && (("0"..."9").contains(ch) || ch == "+" || ch == "-" || ch == ".")) {
                name.unicodeScalars.append(ch)
            } else {
                return nil
            }
        }
        return nil
    }

    // MARK: Limits

    package static func limitProblems(_ markdown: String) -> [Problem] {
        var problems: [Problem] = []
        var lineNumber = 0
        for line in markdown.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = Array(line)
            let depth = containerDepth(bytes)
            if depth > maxNesting {
                problems.append(Problem(line: lineNumber, message: "block quotes and lists nested \(depth) deep on one line; at most \(maxNesting)",
                                        help: "Markdown this deep is unreadable (and slow to parse)"))
            }
            let pipes = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "|") ? 1 : 0) }
            if pipes > maxPipes {
                problems.append(Problem(line: lineNumber, message: "\(pipes) '|' on one line; a table may have at most \(maxPipes) columns",
                                        help: "split the table"))
            }
        }
        return problems
    }

    /// How many block-quote and list markers open a line (`> > - 1. text` is 4).
    package static func containerDepth(_ u: [UInt8]) -> Int {
        // A thematic break (`- - -`, `***`) opens nothing.
        let marks = u.filter { $0 != 32 && $0 != 9 }
        if marks.count >= 3, let first = marks.first, "-*_".utf8.contains(first), marks.allSatisfy({ $0 == first }) { return 0 }
        func isSpace(_ k: Int) -> Bool { k >= u.count || u[k] == 32 || u[k] == 9 }
        var i = 0, depth = 0
        while i < u.count {
            var spaces = 0
            while i < u.count, u[i] == 32 || u[i] == 9, spaces < 4 { i += 1; spaces += 1 }
            guard i < u.count else { break }
            let c = u[i]
            if c == UInt8(ascii: ">") { depth += 1; i += 1; continue }
            if (c == UInt8(ascii: "-") || c == UInt8(ascii: "*") || c == UInt8(ascii: "+")) && isSpace(i + 1) { depth += 1; i += 1; continue }
            var j = i
            while j < u.count, j - i < 9, (48...57).contains(u[j]) { j += 1 }
            if j > i, j < u.count, u[j] == UInt8(ascii: ".") || u[j] == UInt8(ascii: ")"), isSpace(j + 1) { depth += 1; i = j + 1; continue }
            break
        }
        return depth
    }

    // MARK: Preparation

    /// The prose with math replaced by placeholders and `<` hidden, and a map back to it.
    package struct Prepared {
        /// `\u{E001}k\u{E002}` stands for math span k; `\u{E000}` for `<`. The input's own
        /// characters in U+E000…U+E002 become U+FFFD, so no placeholder can be forged.
        package static let less: Unicode.Scalar = "\u{E000}", open: Unicode.Scalar = "\u{E001}", close: Unicode.Scalar = "\u{E002}"

        package struct Math {
            package var source: String
            package var latex: String
            package var display: Bool
        }

        package var text = ""
        package var math: [Math] = []
        /// The original line of each line of `text` (math spans may hold line breaks).
        package var lines: [Int] = [1]

        package init(_ markdown: String) {
            let s = Array(markdown.unicodeScalars)
            let n = s.count
            // Next `$`, next `$$` and next blank line at or after each position: one pass from the end.
            var nextDollar = [Int](repeating: n, count: n + 2)
            var nextDouble = [Int](repeating: n, count: n + 2)
            var nextBreak = [Int](repeating: n, count: n + 2)
            var k = n - 1
            while k >= 0 {
                nextDollar[k] = s[k] == "$" ? k : nextDollar[k + 1]
                nextDouble[k] = s[k] == "$" && k + 1 < n && s[k + 1] == "$" ? k : nextDouble[k + 1]
                nextBreak[k] = s[k] == "\n" && k + 1 < n && s[k + 1] == "\n" ? k : nextBreak[k + 1]
                k -= 1
            }
            var out = String.UnicodeScalarView()
            var line = 1
            var i = 0
            while i < n {
                let c = s[i]
                if c == "$" {
                    let display = i + 1 < n && s[i + 1] == "$"
                    let start = i + (display ? 2 : 1)
                    let end = display ? nextDouble[start] : nextDollar[start]
                    // Math never spans a blank line; inline math is not empty (`$$` opens display math).
                    if end < n && nextBreak[start] > end {
                        let width = display ? 2 : 1
                        let latex = String(String.UnicodeScalarView(s[start..<end]))
                        let source = String(String.UnicodeScalarView(s[i..<(end + width)]))
                        math.append(Math(source: source, latex: latex, display: display))
                        out.append(Prepared.open)
                        out.append(contentsOf: String(math.count - 1).unicodeScalars)
                        out.append(Prepared.close)
                        line += latex.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                        i = end + width
                        continue
                    }
                    out.append(contentsOf: (display ? "$$" : "$").unicodeScalars)
                    i += display ? 2 : 1
                    continue
                }
                switch c.value {
                case 0x3C: out.append(Prepared.less)
                case 0xE000...0xE002: out.append("\u{FFFD}")
                case 0x0A:
                    out.append(c)
                    line += 1
                    lines.append(line)
                default: out.append(c)
                }
                i += 1
            }
            text = String(out)
        }

        package func originalLine(_ preparedLine: Int) -> Int {
            guard preparedLine >= 1 else { return 1 }
            return lines[min(preparedLine, lines.count) - 1]
        }

        /// `text` as the author typed it: `<` back (as `less`), and each math placeholder
        /// replaced by `replace(k)` (by default the math as typed).
        package func restore(_ text: String, less: String = "<", _ replace: ((Int) -> String)? = nil) -> String {
            guard text.unicodeScalars.contains(where: { (0xE000...0xE002).contains($0.value) }) else { return text }
            var out = String.UnicodeScalarView()
            var index: Int?
            for c in text.unicodeScalars {
                if let k = index {
                    if c.isASCII, let digit = Int(String(c)) {
                        index = k * 10 + digit
                        continue
                    }
                    index = nil
                    if c == Prepared.close {
                        if k < math.count { out.append(contentsOf: (replace?(k) ?? math[k].source).unicodeScalars) }
                        continue
                    }
                }
                switch c {
                case Prepared.less: out.append(contentsOf: less.unicodeScalars)
                case Prepared.open: index = 0
                case Prepared.close: break
                default: out.append(c)
                }
            }
            return String(out)
        }

        /// Placeholders left in rendered output. In HTML, math in text has become nodes already
        /// and nothing is expected here; whatever is comes out escaped. In Markdown, math safe to
        /// keep as typed is put back here, after cmark escaped the text around it.
        package func restoreRemaining(_ rendered: String, mode: Transform.Mode) -> String {
            restore(rendered, less: "&lt;") { k in
                if mode == .markdown && Transform.keepsTyped(math[k]) { return math[k].source }
                return HTML.escape(Prose.unicodeMath(math[k].latex))
            }
        }
    }

    // MARK: The tree

    /// The edits made to the parsed tree before it is rendered.
    package struct Transform {
        package enum Mode { case html, markdown }
        package let prepared: Prepared
        package let mode: Mode

        /// Math that can go back into Markdown exactly as typed: nothing in it that Markdown or
        /// HTML would read as a link, a tag or a code span.
        package static func keepsTyped(_ math: Prepared.Math) -> Bool {
            !math.source.contains(where: { "<>[]`&".contains($0) })
        }

        package func apply(_ root: OpaquePointer) {
            var texts: [(OpaquePointer, inImage: Bool)] = []
            var literals: [OpaquePointer] = []
            var raw: [OpaquePointer] = []
            var targets: [OpaquePointer] = []
            let walk = NodeWalk(root)
            var imageDepth = 0
            while let (node, entering) = walk.next() {
                let type = cmark_node_get_type(node)
                if type == CMARK_NODE_IMAGE { imageDepth += entering ? 1 : -1 }
                guard entering else { continue }
                switch type {
                case CMARK_NODE_TEXT: texts.append((node, imageDepth > 0))
                case CMARK_NODE_CODE, CMARK_NODE_CODE_BLOCK: literals.append(node)
                case CMARK_NODE_HTML_INLINE, CMARK_NODE_HTML_BLOCK: raw.append(node)
                case CMARK_NODE_LINK, CMARK_NODE_IMAGE: targets.append(node)
                default: break
                }
            }
            // Code as typed (math in code is not math).
            for node in literals {
                cmark_node_set_literal(node, prepared.restore(string(cmark_node_get_literal(node))))
                if cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK {
                    cmark_node_set_fence_info(node, prepared.restore(string(cmark_node_get_fence_info(node))))
                }
            }
            // Raw HTML cannot be parsed (every `<` is hidden); if some ever is, it becomes text.
            for node in raw {
                let text = cmark_node_new(CMARK_NODE_TEXT)!
                cmark_node_set_literal(text, prepared.restore(string(cmark_node_get_literal(node))))
                if cmark_node_get_type(node) == CMARK_NODE_HTML_BLOCK {
                    let paragraph = cmark_node_new(CMARK_NODE_PARAGRAPH)!
                    cmark_node_append_child(paragraph, text)
                    cmark_node_replace(node, paragraph)
                } else {
                    cmark_node_replace(node, text)
                }
                cmark_node_free(node)
            }
            for (node, inImage) in texts { text(node, inImage: inImage) }
            // Targets last: dropping an image frees its alt text nodes, handled above. Innermost
            // first (reverse document order): dropping an image frees any link inside it.
            for node in targets.reversed() {
                let isImage = cmark_node_get_type(node) == CMARK_NODE_IMAGE
                let url = prepared.restore(string(cmark_node_get_url(node)))
                cmark_node_set_title(node, prepared.restore(string(cmark_node_get_title(node))))
                if Prose.targetProblem(url, image: isImage) == nil {
                    cmark_node_set_url(node, url)
                } else if isImage {
                    // A dropped image leaves its description.
                    let alt = cmark_node_new(CMARK_NODE_TEXT)!
                    cmark_node_set_literal(alt, plainText(node))
                    cmark_node_replace(node, alt)
                    cmark_node_free(node)
                } else {
                    // A dropped link leaves its text.
                    while let child = cmark_node_first_child(node) { cmark_node_insert_before(node, child) }
                    cmark_node_unlink(node)
                    cmark_node_free(node)
                }
            }
        }

        /// A text node: `<` restored, and each math placeholder made into math.
        package func text(_ node: OpaquePointer, inImage: Bool) {
            let literal = string(cmark_node_get_literal(node))
            guard literal.unicodeScalars.contains(where: { (0xE000...0xE002).contains($0.value) }) else { return }
            if inImage {
                // Alt text is an attribute: plain Unicode math.
                cmark_node_set_literal(node, prepared.restore(literal) { Prose.unicodeMath(prepared.math[$0].latex) })
                return
            }
            if mode == .markdown {
                // Math that is safe as typed keeps its placeholder, put back after rendering; the rest is text.
                let kept = prepared.restore(literal) { k in
                    Transform.keepsTyped(prepared.math[k]) ? "\u{E001}\(k)\u{E002}" : prepared.math[k].source
                }
                cmark_node_set_literal(node, kept)
                return
            }
            // HTML: split into text and math nodes. The math is an inline HTML node (table cells
            // can hold no other kind), which is why the page is rendered with CMARK_OPT_UNSAFE:
            // every HTML node in the tree is then one of these, the parser's own having become text.
            var pending = ""
            func flush() {
                guard !pending.isEmpty else { return }
                let t = cmark_node_new(CMARK_NODE_TEXT)!
                cmark_node_set_literal(t, pending)
                cmark_node_insert_before(node, t)
                pending = ""
            }
            var index: Int?
            for c in literal.unicodeScalars {
                if let k = index {
                    if let digit = Int(String(c)), c.isASCII {
                        index = k * 10 + digit
                        continue
                    }
                    index = nil
                    if c == Prepared.close {
                        if k < prepared.math.count {
                            flush()
                            let m = prepared.math[k]
                            let html = HTML.element("span", [("class", m.display ? "math display" : "math")], Prose.mathHTML(m.latex))
                            let math = cmark_node_new(CMARK_NODE_HTML_INLINE)!
                            cmark_node_set_literal(math, html)
                            cmark_node_insert_before(node, math)
                        }
                        continue
                    }
                }
                switch c {
                case Prepared.less: pending += "<"
                case Prepared.open: index = 0
                case Prepared.close: break
                default: pending.unicodeScalars.append(c)
                }
            }
            flush()
            cmark_node_unlink(node)
            cmark_node_free(node)
        }

        /// The text of a node's descendants (an image's description).
        package func plainText(_ node: OpaquePointer) -> String {
            var out = ""
            let walk = NodeWalk(node)
            while let (child, entering) = walk.next() {
                guard entering else { continue }
                let type = cmark_node_get_type(child)
                if type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE { out += string(cmark_node_get_literal(child)) }
                if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK { out += " " }
            }
            return out
        }
    }

    /// A cmark document: parsed, handed to `body`, freed. cmark-gfm's extension registry is
    /// global, so every use goes through one lock (as Graphviz does).
    package enum Document {
        private static let lock = NSLock()
        nonisolated(unsafe) private static var registered = false

        package static func with<T>(_ text: String, _ body: (OpaquePointer, UnsafeMutablePointer<cmark_llist>?) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            if !registered {
                cmark_gfm_core_extensions_ensure_registered()
                registered = true
            }
            let parser = cmark_parser_new(CMARK_OPT_DEFAULT)!
            defer { cmark_parser_free(parser) }
            for name in ["table", "strikethrough"] {
                if let ext = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, ext) }
            }
            let utf8 = Array(text.utf8)
            utf8.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { if let base = $0.baseAddress { cmark_parser_feed(parser, base, $0.count) } }
            }
            let root = cmark_parser_finish(parser)!
            defer { cmark_node_free(root) }
            return body(root, cmark_parser_get_syntax_extensions(parser))
        }

        /// The line a node starts on (an inline node without a position: its block's).
        package static func line(of node: OpaquePointer) -> Int {
            var current: OpaquePointer? = node
            while let n = current {
                let line = Int(cmark_node_get_start_line(n))
                if line > 0 { return line }
                current = cmark_node_parent(n)
            }
            return 1
        }
    }

    /// Depth-first walk of a subtree, entering and leaving each node; no recursion.
    package final class NodeWalk {
        private let iterator: OpaquePointer

        package init(_ root: OpaquePointer) { iterator = cmark_iter_new(root) }

        deinit { cmark_iter_free(iterator) }

        package func next() -> (OpaquePointer, Bool)? {
            let event = cmark_iter_next(iterator)
            guard event == CMARK_EVENT_ENTER || event == CMARK_EVENT_EXIT else { return nil }
            return (cmark_iter_get_node(iterator), event == CMARK_EVENT_ENTER)
        }
    }
}

private func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
}

/// A string cmark allocated, copied and freed.
private func take(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    defer { free(pointer) }
    return String(cString: pointer)
}
