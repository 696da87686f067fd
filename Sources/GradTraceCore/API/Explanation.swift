/// The one entry point from source text to an explanation: parse, bind, trace, and optionally
/// check, with the limits enforced in one place. The CLI, the lesson builder, the benchmark and
/// any server call this, so they all accept and refuse the same inputs.
public struct Explanation: Sendable {
    /// What a caller may ask for at most.
    public struct Limits: Sendable {
        /// Bytes of source text.
        public var sourceBytes: Int
        /// Nodes on the tape.
        public var nodes: Int
        /// Gates in a drawn diagram (layout time and legibility grow with it).
        public var diagramGates: Int
        /// Wires out of one value in a drawn diagram. Graphviz's dot layout time grows steeply
        /// with fan-out (one value feeding 40 gates: 0.4 s; 60: 3 s; 80: over 20 s).
        public var diagramFanOut: Int

        /// Limits with the given maxima; by default 256 MiB of source (`SourceReader.maxBytes`),
        /// 50 million nodes, and diagrams of 500 gates with no value feeding more than 48.
        public init(sourceBytes: Int? = nil, nodes: Int = 50_000_000, diagramGates: Int = 500, diagramFanOut: Int = 48) {
            self.sourceBytes = sourceBytes ?? SourceReader.maxBytes
            self.nodes = nodes
            self.diagramGates = diagramGates
            self.diagramFanOut = diagramFanOut
        }

        /// The default limits, the ones the CLI, the lesson builder and the benchmark use.
        public static let standard = Limits()
    }

    /// How much of the numerical gradient check to run.
    public enum Check: Sendable, Equatable {
        /// No check.
        case none
        /// Up to `GradientCheck.defaultLimit` nodes, an even spread of them beyond that.
        case sample
        /// Every node, however many: each check re-runs the tape, so this is quadratic in its length.
        case all
    }

    /// The circuit parsed from the source: the tape every view reads.
    public let graph: Graph
    /// Every node's value and gradient, from one forward and one backward pass with the bindings applied.
    public let trace: Trace
    /// The numerical gradient check, or nil when `Check.none` was asked for.
    public let check: GradientCheck?
    /// The limits this explanation was made under; `requireDrawable()` checks the diagram size against them.
    public let limits: Limits

    /// Parses `source`, binds `bindings` (they override values bound in the text), traces it
    /// and runs the check asked for.
    public init(source: SourceText, bindings: [String: Double] = [:], expansion: Graph.Expansion = .none,
                check: Check = .none, limits: Limits = .standard) throws(Diagnostic) {
        let graph = try Explanation.graph(source: source, expansion: expansion, limits: limits)
        self.graph = graph
        trace = try Tracer(bindings: bindings).trace(graph)
        switch check {
        case .none: self.check = nil
        case .sample: self.check = GradientCheck(trace)
        case .all: self.check = GradientCheck(trace, all: true)
        }
        self.limits = limits
    }

    /// Parses `source` under `limits`, without binding or tracing it (training binds it row by row).
    public static func graph(source: SourceText, expansion: Graph.Expansion = .none, limits: Limits = .standard) throws(Diagnostic) -> Graph {
        if source.bytes.count > limits.sourceBytes {
            throw Diagnostic("the source is \(source.bytes.count) bytes; the limit is \(limits.sourceBytes)", file: source.name,
                             help: "split it into smaller parts")
        }
        let graph = try Parser.parse(source, expansion: expansion)
        if graph.count > limits.nodes {
            throw Diagnostic("the circuit has \(graph.count) nodes; the limit is \(limits.nodes)", file: source.name)
        }
        return graph
    }
}
