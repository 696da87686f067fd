import GradTraceCore
import GradTraceTraining
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
        /// A `gradtrace-network` block.
        case network(NetworkBlock)
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

/// A fenced ```` ```gradtrace-network ```` block: a model (`input`, `param`, a per-example loss)
/// trained on data, shown as NetworkReport shows a `gradtrace train --data` run: the epoch table,
/// charts, decision boundary, network diagram, dead units.
///
///     ```gradtrace-network data="moons(n=100, noise=0.1, seed=1)" lr="1 - 0.9*k/100" steps=100 l2=1e-4 classify=score show=loss,boundary
public struct NetworkBlock: Sendable {
    /// The model program; diagnostics give the lesson file's own line numbers.
    public var source: SourceText
    /// 1-based line of the opening fence in the lesson file.
    public var line: Int
    /// The options of its info string.
    public var options: Options

    /// What a block can show, in the order the page shows them.
    public enum Figure: String, Sendable, CaseIterable {
        /// The epoch table (training and validation loss and accuracy).
        case epochs
        /// Loss per epoch.
        case loss
        /// Accuracy per epoch (with `classify=`).
        case accuracy
        /// RMS gradient per layer, first and last epoch: the table.
        case layers
        /// RMS gradient per layer, every epoch: the chart.
        case gradients
        /// The decision regions (data with columns x1, x2 and `classify=`).
        case boundary
        /// The layered diagram of the trained network.
        case network
        /// Dead ReLUs per layer.
        case dead
    }

    /// The options of a `gradtrace-network` block's info string.
    public struct Options: Sendable, Equatable {
        /// `data="moons(n=100, noise=0.1, seed=1)"` or a CSV file in the lessons folder (required).
        public var data = ""
        /// `lr=0.1` or `lr="1 - 0.9*k/100"` (required).
        public var learningRate = ""
        /// `steps=N`: updates (default 100).
        public var steps: Int?
        /// `epochs=N`: passes over the training rows, instead of steps.
        public var epochs: Int?
        /// `batch=N`: rows per update (default: every row, full batch).
        public var batch: Int?
        /// `optimizer=sgd|momentum|nesterov|rmsprop|adam`.
        public var optimizer: String?
        /// `momentum=μ` (momentum and Nesterov; 0.9 when not given).
        public var momentum: Double?
        /// `l2=λ`.
        public var l2: Double?
        /// `l1=λ`.
        public var l1: Double?
        /// `seed=N`: the parameters' initial values, the batches' order and the validation split.
        public var seed: UInt64 = 0
        /// `classify=score`, `classify="p > 0.5"` or a vector name (argmax).
        public var classify: String?
        /// `validate=0.3`: that share of the rows is held out and scored after every epoch.
        public var validate: Double?
        /// `params=W1,b1`: train only these (default: every declared `param`).
        public var parameters: [String]?
        /// `show=loss,accuracy,…`: what to show (default `NetworkBlock.defaultFigures`).
        public var show: [Figure] = NetworkBlock.defaultFigures
        /// Whether `show=` was given: then a figure the run cannot make is an error, not skipped.
        public var showGiven = false
        /// `precision=N`: N decimals (else 6 significant figures).
        public var precision: Int?
        /// `digits=N`: significant figures.
        public var digits: Int?
        /// `title="…"`: the section's title.
        public var title: String?

        /// Every option at its default.
        public init() {}
    }

    /// Whether `data=` names a file (a path or a `.csv` name, even one that starts like a
    /// generator, `moons.csv`) rather than a generator.
    package static func isFile(_ data: String) -> Bool { data.contains("/") || data.lowercased().hasSuffix(".csv") }

    /// What a block shows without `show=`.
    public static let defaultFigures: [Figure] = [.epochs, .loss, .accuracy, .boundary, .dead]
}
