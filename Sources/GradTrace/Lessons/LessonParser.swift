/// Reads a lesson file. Errors are `Diagnostic`s with the file's own line and column. A loop
/// over lines; nothing recurses.
///
///     ---
///     title: The chain rule
///     summary: One sentence.
///     ---
///     Prose ...
///     ```gradtrace precision=2 worksheet title="The circuit"
///     x = -2; y = 5; z = -4
///     f = (x + y) * z
///     ```
public enum LessonParser {
    public static let frontMatterKeys = ["title", "summary", "slug"]
    public static let optionNames = ["precision", "expand", "check", "no-gradients", "frames", "worksheet", "title", "rankdir"]

    public static func parse(_ source: SourceText, fileName: String) throws(Diagnostic) -> Lesson {
        let text = String(decoding: source.bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var s = String(line)
            if s.hasSuffix("\r") { s.removeLast() }
            return s
        }
        func error(_ message: String, line: Int, column: Int = 1, length: Int = 1, help: String? = nil) -> Diagnostic {
            let shown = line - 1 < lines.count ? lines[line - 1] : ""
            return Diagnostic(message, file: source.name, line: line, column: column, sourceLine: shown, caretLength: length, help: help)
        }

        var slug = fileName.hasSuffix(".md") ? String(fileName.dropLast(3)) : fileName
        var title: String?
        var summary: String?
        var index = 0
        if lines.first == "---" {
            index = 1
            var closed = false
            while index < lines.count {
                let line = lines[index]
                index += 1
                if line == "---" { closed = true; break }
                if line.trimmed(" \t").isEmpty { continue }
                guard let colon = line.firstIndex(of: ":") else {
                    throw error("expected 'key: value' in the front matter", line: index, help: "the keys are \(frontMatterKeys.joined(separator: ", "))")
                }
                let key = line[..<colon].trimmed(" \t")
                var value = line[line.index(after: colon)...].trimmed(" \t")
                if value.count >= 2, value.hasPrefix("\"") && value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                switch key {
                case "title": title = value
                case "summary": summary = value
                case "slug":
                    guard isSafeName(value) else {
                        throw error("slug '\(value)' must be a plain folder name", line: index, column: line.distance(from: line.startIndex, to: colon) + 3,
                                    length: value.count, help: "letters, digits, '-' and '_' only: the lesson is written to output/<slug>/ and nowhere else")
                    }
                    slug = value
                default:
                    let help = closestMatch(to: key, in: frontMatterKeys).map { "did you mean '\($0)'?" } ?? "the keys are \(frontMatterKeys.joined(separator: ", "))"
                    throw error("unknown front matter key '\(key)'", line: index, length: key.count, help: help)
                }
            }
            if !closed { throw error("the front matter opened on line 1 is never closed", line: 1, length: 3, help: "end it with a line '---'") }
        }
        guard isSafeName(slug) else {
            throw Diagnostic("the lesson file name '\(fileName)' cannot be an output folder name", file: source.name,
                             help: "rename it with letters, digits, '-' and '_' only, or set 'slug:' in the front matter")
        }

        var segments: [Lesson.Segment] = []
        var prose: [String] = []
        func flushProse() {
            let body = prose.joined(separator: "\n")
            if !body.trimmed(" \t\n").isEmpty { segments.append(.prose(body)) }
            prose = []
        }
        while index < lines.count {
            let line = lines[index]
            index += 1
            let trimmed = line.drop { $0 == " " }
            let fence = trimmed.prefix { $0 == "`" || $0 == "~" }
            guard fence.count >= 3, Set(fence).count == 1, line.count - trimmed.count <= 3 else {
                prose.append(line)
                continue
            }
            let info = trimmed.dropFirst(fence.count).trimmed(" \t")
            let openLine = index
            // Find the closing fence: the same character, at least as long, nothing after it.
            var body: [String] = []
            var closed = false
            while index < lines.count {
                let candidate = lines[index].trimmed(" ")
                index += 1
                if candidate.count >= fence.count && candidate.allSatisfy({ $0 == fence.first! }) { closed = true; break }
                body.append(lines[index - 1])
            }
            let word = info.prefix { $0 != " " && $0 != "\t" }
            if word == "gradtrace" {
                if !closed {
                    throw error("this gradtrace block is never closed", line: openLine, column: line.count - trimmed.count + 1, length: fence.count,
                                help: "end it with a line \(String(fence))")
                }
                let optionsColumn = line.count - info.count + 1 + String(word).count
                let options = try parseOptions(String(info.dropFirst(word.count)), line: openLine, column: optionsColumn, error: error)
                flushProse()
                let bodySource = SourceText(body.joined(separator: "\n"), name: source.name, lineOffset: openLine)
                segments.append(.circuit(CircuitBlock(source: bodySource, line: openLine, options: options)))
            } else {
                if word.hasPrefix("gradtrace") || closestMatch(to: String(word), in: ["gradtrace"]) != nil, !word.isEmpty {
                    throw error("unknown block kind '\(word)'", line: openLine, column: line.count - info.count + 1, length: word.count,
                                help: "did you mean 'gradtrace'?")
                }
                prose.append(line)
                prose.append(contentsOf: body)
                if closed { prose.append(lines[index - 1]) }
            }
        }
        flushProse()
        let finalTitle = title ?? firstHeading(segments) ?? slug
        return Lesson(path: source.name, slug: slug, title: finalTitle, summary: summary, segments: segments)
    }

    static func firstHeading(_ segments: [Lesson.Segment]) -> String? {
        for case .prose(let text) in segments {
            for line in text.split(separator: "\n") where line.hasPrefix("# ") { return String(line.dropFirst(2)) }
        }
        return nil
    }

    /// Output folder names: letters, digits, `-`, `_`; no dots, so never `..`, no slashes.
    public static func isSafeName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 100 && s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }

    static func parseOptions(_ text: String, line: Int, column: Int,
                             error: (String, Int, Int, Int, String?) -> Diagnostic) throws(Diagnostic) -> CircuitBlock.Options {
        var options = CircuitBlock.Options()
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            if chars[i] == " " || chars[i] == "\t" { i += 1; continue }
            let start = i
            while i < chars.count && chars[i] != "=" && chars[i] != " " && chars[i] != "\t" { i += 1 }
            let key = String(chars[start..<i])
            var value: String?
            if i < chars.count && chars[i] == "=" {
                i += 1
                if i < chars.count && chars[i] == "\"" {
                    i += 1
                    var v = ""
                    var closed = false
                    while i < chars.count {
                        if chars[i] == "\\" && i + 1 < chars.count { v.append(chars[i + 1]); i += 2; continue }
                        if chars[i] == "\"" { closed = true; i += 1; break }
                        v.append(chars[i]); i += 1
                    }
                    if !closed { throw error("unterminated quoted value for '\(key)'", line, column + start, i - start, "close it with \"") }
                    value = v
                } else {
                    let vs = i
                    while i < chars.count && chars[i] != " " && chars[i] != "\t" { i += 1 }
                    value = String(chars[vs..<i])
                }
            }
            let col = column + start
            let len = i - start
            func flag() throws(Diagnostic) {
                if value != nil { throw error("'\(key)' takes no value", line, col, len, "write just \(key)") }
            }
            switch key {
            case "precision":
                guard let v = value.flatMap({ Int($0) }), (0...17).contains(v) else {
                    throw error("precision needs a whole number from 0 to 17", line, col, len, "e.g. precision=2")
                }
                options.precision = v
            case "expand": try flag(); options.expand = true
            case "check": try flag(); options.check = true
            case "no-gradients": try flag(); options.showGradients = false
            case "frames": try flag(); options.frames = true
            case "worksheet":
                if let value {
                    guard let kind = CircuitBlock.WorksheetKind(rawValue: value) else {
                        throw error("worksheet is 'gradients' or 'values', not '\(value)'", line, col, len, "write worksheet, worksheet=gradients or worksheet=values")
                    }
                    options.worksheet = kind
                } else {
                    options.worksheet = .gradients
                }
            case "title":
                guard let value else { throw error("title needs a value", line, col, len, "write title=\"...\"") }
                options.title = value
            case "rankdir":
                guard let value, value == "LR" || value == "TB" else { throw error("rankdir is LR or TB", line, col, len, nil) }
                options.rankdir = value
            default:
                let help = closestMatch(to: key, in: optionNames).map { "did you mean '\($0)'?" } ?? "the options are \(optionNames.joined(separator: ", "))"
                throw error("unknown option '\(key)'", line, col, len, help)
            }
        }
        return options
    }
}
