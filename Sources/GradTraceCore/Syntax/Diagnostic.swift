/// An error in the user's input, in the style of Rust's and Swift's compilers:
///
///     error: unknown function 'sigmod'
///      --> <input>:1:1
///       |
///     1 | sigmod(x)
///       | ^^^^^^
///       = help: did you mean 'sigmoid'?
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, one line (long runs of name characters are shortened).
    public var message: String
    /// The file it is about: a path, `<input>`, `<stdin>` or `<command line>`.
    public var file: String
    /// 1-based line and column in `file`; nil when the error is not about a place in the text
    /// (a missing command-line value, say).
    public var line: Int?
    /// 1-based column, in characters, of the start of the offending text.
    public var column: Int?
    /// The source line shown under the message, when there is one.
    package var sourceLine: String?
    /// How many characters the `^^^` underline covers (at least 1).
    package var caretLength: Int
    /// A suggestion shown as `= help: …` (a likely typo's fix, the expected syntax).
    public var help: String?

    /// A diagnostic from its parts; `caretLength` below 1 is raised to 1.
    package init(_ message: String, file: String = "<input>", line: Int? = nil, column: Int? = nil,
                sourceLine: String? = nil, caretLength: Int = 1, help: String? = nil) {
        self.message = Diagnostic.shortened(message)
        self.file = file
        self.line = line
        self.column = column
        self.sourceLine = sourceLine
        self.caretLength = max(1, caretLength)
        self.help = help.map(Diagnostic.shortened)
    }

    /// A message stays readable when the input has a name a megabyte long: runs of more than 60
    /// name characters are cut to their first 40.
    package static func shortened(_ text: String) -> String {
        guard text.utf8.count > 80 else { return text }
        var out = "", run = ""
        func flush() {
            if run.count > 60 { out += run.prefix(40) + "…(\(run.count) characters)" } else { out += run }
            run = ""
        }
        for ch in text {
            if ch.isASCII && (ch.isLetter || ch.isNumber || ch == "_") { run.append(ch) } else { flush(); out.append(ch) }
        }
        flush()
        return out
    }

    /// A diagnostic that points at `span` of `source`.
    package init(_ message: String, at span: SourceSpan, in source: SourceText, help: String? = nil) {
        let line = source.line(containing: span.start)
        let spanText = source.text(of: span)
        let firstLine = spanText.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        self.init(message, file: source.name, line: span.line + source.lineOffset, column: span.column,
                  sourceLine: line, caretLength: firstLine.count, help: help)
    }

    /// `file:line:column`, or just the file when the error has no place in the text.
    package var location: String {
        guard let line else { return file }
        return "\(file):\(line):\(column ?? 1)"
    }

    /// The full multi-line rendering, without colour.
    public var description: String {
        var out = "error: \(message)\n"
        if let line {
            let gutter = String(line).count
            let pad = String(repeating: " ", count: gutter)
            out += "\(pad)--> \(location)\n"
            if let sourceLine {
                let shown = Diagnostic.printable(sourceLine)
                let col = max(1, column ?? 1)
                let caretPad = String(repeating: " ", count: min(col - 1, shown.count))
                let available = max(1, shown.count - (col - 1))
                out += "\(pad) |\n\(line) | \(shown)\n\(pad) | \(caretPad)\(String(repeating: "^", count: min(caretLength, available)))\n"
            }
        }
        if let help { out += "  = help: \(help)\n" }
        return out
    }

    /// Source lines are shown with tabs as spaces and control characters as `?`, and cut
    /// to 200 characters, so a hostile line cannot garble the terminal.
    package static func printable(_ line: String) -> String {
        var out = ""
        for ch in line.prefix(200) {
            if ch == "\t" { out += " " } else if ch.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value != 127 }) { out.append(ch) } else { out += "?" }
        }
        return out
    }
}

/// Suggests the closest of `candidates` to `word`, if one is close enough to be a likely typo.
package func closestMatch(to word: String, in candidates: [String]) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(word.lowercased(), candidate.lowercased())
        // Close means one edit for names of three letters or more (two from eight); for shorter
        // names only a doubled or dropped letter: y for x is no typo, zz for z is.
        let shortest = min(word.count, candidate.count)
        let limit = shortest >= 8 ? 2 : shortest >= 3 ? 1 : (word.count != candidate.count ? 1 : 0)
        if distance <= limit, best == nil || distance < best!.1 {
            best = (candidate, distance)
        }
    }
    return best?.0
}

/// Edit distance counting an insertion, a deletion, a substitution or a swap of two
/// neighbouring characters as one edit (optimal string alignment).
package func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.prefix(64)), b = Array(b.prefix(64))
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
