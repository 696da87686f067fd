/// A lesson source: front matter, the teacher's prose, and `gradtrace` blocks that become
/// diagrams and walkthroughs.
public struct Lesson: Sendable {
    /// The lesson file's path, as it was read.
    public var path: String
    /// The output folder's name: the file name without `.md`, or front matter `slug:`.
    public var slug: String
    /// Front matter `title:`, else the prose's first `# ` heading (then taken out of the prose), else the slug.
    public var title: String
    /// Front matter `summary:`: one sentence for the index pages.
    public var summary: String?
    /// The lesson in order: the prose between blocks, and the blocks.
    public var segments: [Segment]
    /// The file line on which each `.prose` segment starts, in order (for errors found in prose).
    public var proseLines: [Int] = []

    /// One part of a lesson.
    public enum Segment: Sendable {
        /// Markdown as the teacher wrote it.
        case prose(String)
        /// A `gradtrace` block.
        case circuit(CircuitBlock)
        /// A `gradtrace-train` block.
        case training(TrainingBlock)
    }

    /// The `gradtrace` blocks, in order.
    public var circuits: [CircuitBlock] {
        segments.compactMap { if case .circuit(let block) = $0 { return block } else { return nil } }
    }
}

/// A fenced ```` ```gradtrace ```` block: the program and its options.
public struct CircuitBlock: Sendable {
    /// The block's program; diagnostics give the lesson file's own line numbers.
    public var source: SourceText
    /// 1-based line of the opening fence in the lesson file.
    public var line: Int
    /// The options of its info string.
    public var options: Options

    /// The options of a `gradtrace` block's info string.
    public struct Options: Sendable, Equatable {
        /// `precision=N`: N decimals (else 4 significant figures, as in diagrams).
        public var precision: Int?
        /// `digits=N`: significant figures instead of decimals.
        public var digits: Int?
        /// `expand` draws every composite as its body; `expand=softplus,sigmoid` only those.
        public var expand: Graph.Expansion = .none
        /// `check`: add the numerical gradient check.
        public var check = false
        /// `no-gradients` makes this false: the forward pass only.
        public var showGradients = true
        /// `frames`: one diagram per backward step (`figure-N-step-K`).
        public var frames = false
        /// `worksheet[=gradients|values]`: the block becomes the lesson's worksheet and answer key.
        public var worksheet: WorksheetKind?
        /// How `--seed` draws new values for the worksheet (`vary=`, `fixed=`, `step=`).
        public var variant = Variant.Rules()
        /// `title="…"`: the block's title.
        public var title: String?
        /// `rankdir=LR|TB`: the diagram's direction.
        public var rankdir = "LR"
        /// `plot=depth series=s,r`: |∂f/∂node| along the nodes named s1, s2, … and r1, r2, …
        public var depthSeries: [String]?
        /// `mode=forward`: the forward-mode (tangent) pass instead of the backward pass.
        public var forward = false
        /// `wrt=x`: the input forward mode differentiates with respect to (needed with several inputs).
        public var wrt: String?
        /// `paths=x`: every path from input x to the output, with its product, and their sum.
        public var paths: String?
        /// `path-limit=N`: the most paths listed.
        public var pathLimit = Paths.defaultLimit
        /// `compare`: the comparison of forward and reverse mode.
        public var compare = false

        /// Every option at its default.
        public init() {}
    }

    /// What a worksheet leaves blank.
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
    /// The loss program; diagnostics give the lesson file's own line numbers.
    public var source: SourceText
    /// 1-based line of the opening fence in the lesson file.
    public var line: Int
    /// The options of its info string.
    public var options: Options

    /// The options of a `gradtrace-train` block's info string.
    public struct Options: Sendable, Equatable {
        /// `params=w1,w2`: the inputs to train (required).
        public var parameters: [String] = []
        /// `lr=0.05,0.5,5`: one run per learning rate (required).
        public var learningRates: [Double] = []
        /// `steps=N`: the most updates per run.
        public var steps = 100
        /// `momentum=0.9` or a list: one run per value; 0 is plain gradient descent.
        public var momenta: [Double] = [0]
        /// `nesterov`: runs with a momentum above 0 use Nesterov's.
        public var nesterov = false
        /// `stop-below=L`: a run stops once its loss is below L.
        public var stopBelow: Double?
        /// `precision=N`: N decimals (else 6 significant figures).
        public var precision: Int?
        /// `digits=N`: significant figures instead of decimals.
        public var digits: Int?
        /// Explain step 1 gate by gate.
        public var explain = false
        /// `title="…"`: the section's title.
        public var title: String?
        /// A worksheet and answer key: step 1's gradients and one update of every parameter, by hand.
        public var worksheet = false

        /// Every option at its default.
        public init() {}
    }
}
