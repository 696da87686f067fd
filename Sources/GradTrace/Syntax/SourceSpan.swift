/// A range of the source text, by UTF-8 byte offsets, with the 1-based line and column
/// (in characters) of its start, so every diagnostic can point at it with a caret.
public struct SourceSpan: Sendable, Hashable {
    public var start: Int
    public var end: Int
    public var line: Int
    public var column: Int

    public init(start: Int, end: Int, line: Int, column: Int) {
        self.start = start
        self.end = end
        self.line = line
        self.column = column
    }

    /// The smallest span that covers both.
    public func union(_ other: SourceSpan) -> SourceSpan {
        let first = start <= other.start ? self : other
        return SourceSpan(start: first.start, end: max(end, other.end), line: first.line, column: first.column)
    }
}
