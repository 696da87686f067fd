import GradTraceCore

/// An explanation as one list of blocks, in the order every view shows them. Text, Markdown,
/// HTML and LaTeX serialise it, and JSON its complete form (every block, in the schema's field
/// order), each with one exhaustive `switch` over `Block` and no `default:`, so a new block is
/// a compile error in every view until it says how to show it, and no view decides on its own
/// which parts an explanation has. Handouts, answer keys, the stepper's lines and the live
/// page's walkthrough are the HTML view's.
package struct ExplanationDocument {
    /// One part of an explanation.
    package enum Block {
        /// The title: the one given, else nil (views that need one use `Walkthrough.typedDefinition` of the output).
        case title(String?)
        /// The source text as typed.
        case source(String)
        /// The inputs' values (absent when there are none).
        case inputs
        /// Every node's value, in order.
        case forwardPass
        /// The tangents of forward mode, with respect to one input.
        case forwardMode(ForwardModeWalkthrough)
        /// Each gate's local × upstream, from the output back.
        case backwardSteps
        /// The inputs' gradients.
        case gradients
        /// Every path from one input to the output, and their sum.
        case paths(PathWalkthrough)
        /// Forward against reverse mode: passes and operations.
        case modeComparison(ModeCost)
        /// The numerical gradient check.
        case check(GradientCheck)
        /// What the trace warns about, worded.
        case notes([String])
        /// The output's value.
        case output
    }

    /// What every block reads: names, steps and rounded numbers.
    package let walkthrough: Walkthrough
    /// The blocks, in order.
    package let blocks: [Block]

    /// The complete document a data format serialises: every block, even the empty ones
    /// (no inputs, no warnings) and the backward pass with forward mode, plus the derivative
    /// views and the check that `options` ask for.
    package static func complete(_ trace: Trace, options: ExplainOptions) -> ExplanationDocument {
        ExplanationDocument(trace, options: options, complete: true)
    }

    /// The document `options` ask for: the forward pass, then forward mode or the backward pass
    /// (unless gradients are off), the paths, the comparison, the check, the notes and the output.
    package init(_ trace: Trace, options: ExplainOptions) {
        self.init(trace, options: options, complete: false)
    }

    private init(_ trace: Trace, options: ExplainOptions, complete: Bool) {
        let w = Walkthrough(trace, format: options.format)
        walkthrough = w
        let graph = trace.graph
        var blocks: [Block] = [.title(options.title)]
        if let source = graph.source { blocks.append(.source(String(decoding: source.bytes, as: UTF8.self))) }
        if complete || !graph.inputs.isEmpty { blocks.append(.inputs) }
        blocks.append(.forwardPass)
        if let wrt = options.forwardWith { blocks.append(.forwardMode(ForwardModeWalkthrough(w, wrt: wrt))) }
        if complete || (options.forwardWith == nil && options.showGradients) { blocks += [.backwardSteps, .gradients] }
        if let from = options.pathsFrom { blocks.append(.paths(PathWalkthrough(w, wrt: from, limit: options.pathLimit))) }
        if options.compareModes { blocks.append(.modeComparison(ModeCost(graph))) }
        if let check = options.check { blocks.append(.check(check)) }
        if complete || !trace.warnings.isEmpty { blocks.append(.notes(trace.warnings.map(w.message))) }
        blocks.append(.output)
        self.blocks = blocks
    }
}
