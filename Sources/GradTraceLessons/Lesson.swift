import GradTraceCore
import GradTraceTraining
/// A lesson source: front matter, the teacher's prose, and `gradtrace` blocks that become
/// diagrams and walkthroughs.
package struct Lesson: Sendable {
    /// The lesson file's path, as it was read.
    package var path: String
    /// The output folder's name: the file name without `.md`, or front matter `slug:`.
    package var slug: String
    /// Front matter `title:`, else the prose's first `# ` heading (then taken out of the prose), else the slug.
    package var title: String
    /// Front matter `summary:`: one sentence for the index pages.
    package var summary: String?
    /// The lesson in order: the prose between blocks, and the blocks.
    package var segments: [Segment]
    /// The file line on which each `.prose` segment starts, in order (for errors found in prose).
    package var proseLines: [Int] = []

    /// One part of a lesson.
    package enum Segment: Sendable {
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
    package var circuits: [CircuitBlock] {
        segments.compactMap { if case .circuit(let block) = $0 { return block } else { return nil } }
    }
}

/// A fenced ```` ```gradtrace ```` block: the program and its options.
package struct CircuitBlock: Sendable {
    /// The block's program; diagnostics give the lesson file's own line numbers.
    package var source: SourceText
    /// 1-based line of the opening fence in the lesson file.
    package var line: Int
    /// The options of its info string.
    package var options: Options

    /// The options of a `gradtrace` block's info string.
    package struct Options: Sendable, Equatable {
        /// `precision=N`: N decimals (else 4 significant figures, as in diagrams).
        package var precision: Int?
        /// `digits=N`: significant figures instead of decimals.
        package var digits: Int?
        /// `expand` draws every composite as its body; `expand=softplus,sigmoid` only those.
        package var expand: Graph.Expansion = .none
        /// `check`: add the numerical gradient check.
        package var check = false
        /// `no-gradients` makes this false: the forward pass only.
        package var showGradients = true
        /// `frames`: one diagram per backward step (`figure-N-step-K`).
        package var frames = false
        /// `worksheet[=gradients|values]`: the block becomes the lesson's worksheet and answer key.
        package var worksheet: WorksheetKind?
        /// How `--seed` draws new values for the worksheet (`vary=`, `fixed=`, `step=`).
        package var variant = Variant.Rules()
        /// `title="…"`: the block's title.
        package var title: String?
        /// `rankdir=LR|TB`: the diagram's direction.
        package var rankdir = "LR"
        /// `plot=depth series=s,r`: |∂f/∂node| along the nodes named s1, s2, … and r1, r2, …
        package var depthSeries: [String]?
        /// `mode=forward`: the forward-mode (tangent) pass instead of the backward pass.
        package var forward = false
        /// `wrt=x`: the input forward mode differentiates with respect to (needed with several inputs).
        package var wrt: String?
        /// `paths=x`: every path from input x to the output, with its product, and their sum.
        package var paths: String?
        /// `path-limit=N`: the most paths listed.
        package var pathLimit = Paths.defaultLimit
        /// `compare`: the comparison of forward and reverse mode.
        package var compare = false

        /// Every option at its default.
        package init() {}
    }

    /// What a worksheet leaves blank.
    package enum WorksheetKind: String, Sendable, Equatable {
        /// Values given, gradients blank.
        case gradients
        /// Inputs given; every other value and every gradient blank.
        case values
    }
}

/// A fenced ```` ```gradtrace-train ```` block: a loss program and how to train it. Several
/// learning rates or momenta (`lr=0.05,0.5,5`) give several runs drawn on one chart.
package struct TrainingBlock: Sendable {
    /// The loss program; diagnostics give the lesson file's own line numbers.
    package var source: SourceText
    /// 1-based line of the opening fence in the lesson file.
    package var line: Int
    /// The options of its info string.
    package var options: Options

    /// The options of a `gradtrace-train` block's info string.
    package struct Options: Sendable, Equatable {
        /// `params=w1,w2`: the inputs to train (required).
        package var parameters: [String] = []
        /// `lr=0.05,0.5,5`: one run per learning rate (required).
        package var learningRates: [Double] = []
        /// `steps=N`: the most updates per run.
        package var steps = 100
        /// `momentum=0.9` or a list: one run per value; 0 is plain gradient descent.
        package var momenta: [Double] = [0]
        /// `nesterov`: runs with a momentum above 0 use Nesterov's.
        package var nesterov = false
        /// `stop-below=L`: a run stops once its loss is below L.
        package var stopBelow: Double?
        /// `precision=N`: N decimals (else 6 significant figures).
        package var precision: Int?
        /// `digits=N`: significant figures instead of decimals.
        package var digits: Int?
        /// Explain step 1 gate by gate.
        package var explain = false
        /// `title="…"`: the section's title.
        package var title: String?
        /// A worksheet and answer key: step 1's gradients and one update of every parameter, by hand.
        package var worksheet = false

        /// Every option at its default.
        package init() {}
    }
}

/// A fenced ```` ```gradtrace-network ```` block: a model (`input`, `param`, a per-example loss)
/// trained on data, shown as NetworkReport shows a `gradtrace train --data` run: the epoch table,
/// charts, decision boundary, network diagram, dead units.
///
///     ```gradtrace-network data="moons(n=100, noise=0.1, seed=1)" lr="1 - 0.9*k/100" steps=100 l2=1e-4 classify=score show=loss,boundary
package struct NetworkBlock: Sendable {
    /// The model program; diagnostics give the lesson file's own line numbers.
    package var source: SourceText
    /// 1-based line of the opening fence in the lesson file.
    package var line: Int
    /// The options of its info string.
    package var options: Options

    /// What a block can show, in the order the page shows them.
    package enum Figure: String, Sendable, CaseIterable {
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
    package struct Options: Sendable, Equatable {
        /// `data="moons(n=100, noise=0.1, seed=1)"` or a CSV file in the lessons folder (required).
        package var data = ""
        /// `lr=0.1` or `lr="1 - 0.9*k/100"` (required).
        package var learningRate = ""
        /// `steps=N`: updates (default 100).
        package var steps: Int?
        /// `epochs=N`: passes over the training rows, instead of steps.
        package var epochs: Int?
        /// `batch=N`: rows per update (default: every row, full batch).
        package var batch: Int?
        /// `optimizer=sgd|momentum|nesterov|rmsprop|adam`.
        package var optimizer: String?
        /// `momentum=μ` (momentum and Nesterov; 0.9 when not given).
        package var momentum: Double?
        /// `l2=λ`.
        package var l2: Double?
        /// `l1=λ`.
        package var l1: Double?
        /// `seed=N`: the parameters' initial values, the batches' order and the validation split.
        package var seed: UInt64 = 0
        /// `classify=score`, `classify="p > 0.5"` or a vector name (argmax).
        package var classify: String?
        /// `validate=0.3`: that share of the rows is held out and scored after every epoch.
        package var validate: Double?
        /// `params=W1,b1`: train only these (default: every declared `param`).
        package var parameters: [String]?
        /// `show=loss,accuracy,…`: what to show (default `NetworkBlock.defaultFigures`).
        package var show: [Figure] = NetworkBlock.defaultFigures
        /// Whether `show=` was given: then a figure the run cannot make is an error, not skipped.
        package var showGiven = false
        /// `precision=N`: N decimals (else 6 significant figures).
        package var precision: Int?
        /// `digits=N`: significant figures.
        package var digits: Int?
        /// `title="…"`: the section's title.
        package var title: String?

        /// Every option at its default.
        package init() {}
    }

    /// Whether `data=` names a file (a path or a `.csv` name, even one that starts like a
    /// generator, `moons.csv`) rather than a generator.
    package static func isFile(_ data: String) -> Bool { data.contains("/") || data.lowercased().hasSuffix(".csv") }

    /// What a block shows without `show=`.
    package static let defaultFigures: [Figure] = [.epochs, .loss, .accuracy, .boundary, .dead]
}
