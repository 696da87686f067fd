/// A lesson source: front matter, the teacher's prose, and `gradtrace` blocks that become
/// diagrams and walkthroughs.
public struct Lesson: Sendable {
    public var path: String
    /// The output folder's name: the file name without `.md`, or front matter `slug:`.
    public var slug: String
    public var title: String
    public var summary: String?
    public var segments: [Segment]

    public enum Segment: Sendable {
        case prose(String)
        case circuit(CircuitBlock)
    }

    public var circuits: [CircuitBlock] {
        segments.compactMap { if case .circuit(let block) = $0 { return block } else { return nil } }
    }
}

/// A fenced ```` ```gradtrace ```` block: the program and its options.
public struct CircuitBlock: Sendable {
    public var source: SourceText
    /// 1-based line of the opening fence in the lesson file.
    public var line: Int
    public var options: Options

    public struct Options: Sendable, Equatable {
        public var precision: Int?
        public var expand = false
        public var check = false
        public var showGradients = true
        public var frames = false
        public var worksheet: WorksheetKind?
        public var title: String?
        public var rankdir = "LR"

        public init() {}
    }

    public enum WorksheetKind: String, Sendable, Equatable {
        /// Values given, gradients blank.
        case gradients
        /// Inputs given; every other value and every gradient blank.
        case values
    }
}
