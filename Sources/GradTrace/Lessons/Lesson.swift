/// A lesson source: front matter, the teacher's prose, and `gradtrace` blocks that become
/// diagrams and walkthroughs.
public struct Lesson: Sendable {
    public var path: String
    /// The output folder's name: the file name without `.md`, or front matter `slug:`.
    public var slug: String
    public var title: String
    public var summary: String?
    public var segments: [Segment]
    /// The file line on which each `.prose` segment starts, in order (for errors found in prose).
    public var proseLines: [Int] = []

    public enum Segment: Sendable {
        case prose(String)
        case circuit(CircuitBlock)
        case training(TrainingBlock)
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
        /// `digits=N`: significant figures instead of decimals.
        public var digits: Int?
        /// `expand` draws every composite as its body; `expand=softplus,sigmoid` only those.
        public var expand: Graph.Expansion = .none
        public var check = false
        public var showGradients = true
        public var frames = false
        public var worksheet: WorksheetKind?
        /// How `--seed` draws new values for the worksheet (`vary=`, `fixed=`, `step=`).
        public var variant = Variant.Rules()
        public var title: String?
        public var rankdir = "LR"
        /// `plot=depth series=s,r`: |∂f/∂node| along the nodes named s1, s2, … and r1, r2, …
        public var depthSeries: [String]?

        public init() {}
    }

    public enum WorksheetKind: String, Sendable, Equatable {
        /// Values given, gradients blank.
        case gradients
        /// Inputs given; every other value and every gradient blank.
        case values
    }
}

/// A fenced ```` ```gradtrace-train ```` block: a loss program and how to train it. Several
/// learning rates or momenta (`lr=0.05,0.5,5`) give several runs drawn on one chart.
public struct TrainingBlock: Sendable {
    public var source: SourceText
    public var line: Int
    public var options: Options

    public struct Options: Sendable, Equatable {
        public var parameters: [String] = []
        public var learningRates: [Double] = []
        public var steps = 100
        public var momenta: [Double] = [0]
        public var nesterov = false
        public var stopBelow: Double?
        public var precision: Int?
        /// `digits=N`: significant figures instead of decimals.
        public var digits: Int?
        /// Explain step 1 gate by gate.
        public var explain = false
        public var title: String?
        /// A worksheet and answer key: step 1's gradients and one update of every parameter, by hand.
        public var worksheet = false

        public init() {}
    }
}
