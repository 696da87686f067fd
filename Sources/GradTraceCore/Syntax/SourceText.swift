/// The text being parsed, with its name (file path or `<input>`), kept as UTF-8 bytes.
/// It can cut out a line or a span for diagnostics and labels.
public struct SourceText: Sendable {
    /// The name diagnostics give the text: a file path, `<input>`, `<expression>` or `<stdin>`.
    public let name: String
    /// The text as UTF-8 bytes; spans index into these.
    package let bytes: [UInt8]
    /// Where lines of the original file start, when this text is a block cut out of a larger
    /// file (a lesson): diagnostics then report the file's own line numbers.
    package let lineOffset: Int

    /// The text of a Swift string, named `name`.
    public init(_ text: String, name: String = "<input>", lineOffset: Int = 0) {
        self.init(bytes: Array(text.utf8), name: name, lineOffset: lineOffset)
    }

    /// From bytes already checked to be UTF-8.
    public init(bytes: [UInt8], name: String = "<input>", lineOffset: Int = 0) {
        self.name = name
        self.bytes = bytes
        self.lineOffset = lineOffset
    }

    /// The text `span` covers, clamped to the source.
    package func text(of span: SourceSpan) -> String {
        let lo = max(0, min(span.start, bytes.count))
        let hi = max(lo, min(span.end, bytes.count))
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    /// The whole line that holds byte offset `offset`, without its newline.
    package func line(containing offset: Int) -> String {
        var lo = max(0, min(offset, bytes.count))
        while lo > 0 && bytes[lo - 1] != UInt8(ascii: "\n") { lo -= 1 }
        var hi = lo
        while hi < bytes.count && bytes[hi] != UInt8(ascii: "\n") { hi += 1 }
        var line = String(decoding: bytes[lo..<hi], as: UTF8.self)
        if line.hasSuffix("\r") { line.removeLast() }
        return line
    }
}
