/// A range of the source text, by UTF-8 byte offsets, with the 1-based line and column
/// (in characters) of its start, so every diagnostic can point at it with a caret. Stored in
/// 32-bit fields: every node of a million-gate tape carries one.
package struct SourceSpan: Sendable, Hashable {
    private var start32: Int32
    private var end32: Int32
    private var line32: Int32
    private var column32: Int32

    /// UTF-8 byte offset of the first byte.
    package var start: Int { get { Int(start32) } set { start32 = Int32(clamping: newValue) } }
    /// UTF-8 byte offset just past the last byte.
    package var end: Int { get { Int(end32) } set { end32 = Int32(clamping: newValue) } }
    /// 1-based line of `start`, within the text that was parsed.
    package var line: Int { get { Int(line32) } set { line32 = Int32(clamping: newValue) } }
    /// 1-based column of `start`, in characters.
    package var column: Int { get { Int(column32) } set { column32 = Int32(clamping: newValue) } }

    /// A span from its offsets and position; values beyond 32 bits are clamped.
    package init(start: Int, end: Int, line: Int, column: Int) {
        start32 = Int32(clamping: start)
        end32 = Int32(clamping: end)
        line32 = Int32(clamping: line)
        column32 = Int32(clamping: column)
    }

    /// The smallest span that covers both.
    package func union(_ other: SourceSpan) -> SourceSpan {
        let first = start <= other.start ? self : other
        return SourceSpan(start: first.start, end: max(end, other.end), line: first.line, column: first.column)
    }
}
