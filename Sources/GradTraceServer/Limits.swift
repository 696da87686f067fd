import Foundation
import GradTrace

/// What one request may ask of the server. Every request is held to these; past any of them
/// it gets a JSON error that says which limit and what to do, and the server goes on serving
/// everyone else.
public struct ServerLimits: Sendable {
    /// Bytes of a request body (the JSON of an explain request).
    public var bodyBytes = 64 * 1024
    /// Bytes of the expression's source text.
    public var sourceBytes = 16 * 1024
    /// Nodes on the tape (after `expand`).
    public var nodes = 5_000
    /// Gates in a drawn diagram; a larger circuit is explained without one.
    public var diagramGates = 250
    /// Wires out of one value in a drawn diagram (the library's `diagramFanOut`, 48 for the CLI).
    /// Graphviz's layout time explodes with fan-out (a value feeding 40 gates: 0.4 s; 60: 3 s;
    /// 80: over 20 s), so a circuit with a wider fork is explained without a diagram.
    public var diagramFanOut = 32
    /// Bindings sent with one request.
    public var bindings = 500
    /// Seconds one computation may take before the request is answered with an error.
    public var wallSeconds: Double = 5
    /// Computations running at once (each on its own thread, off the server's event loop).
    public var concurrentComputations = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Processes drawing diagrams at once (when the server has a worker command), and how many
    /// diagrams each draws before it is replaced (Graphviz 2.42 keeps ≈ 8.7 KB of every layout).
    public var graphvizProcesses = max(2, ProcessInfo.processInfo.activeProcessorCount)
    public var layoutsPerProcess = 1_000
    /// Requests waiting for a computation slot; past this a request is told the server is busy.
    public var waitingComputations = 256
    /// Responses kept for identical requests (a class sharing one example asks the same thing).
    public var cachedResponses = 512
    /// Bytes of cached responses in all.
    public var cacheBytes = 64 * 1024 * 1024
    /// The network page: sessions, steps per second, network and data size (NetworkService.swift).
    public var network = NetworkLimits()

    public init() {}

    /// The library's limits for one explanation under these.
    var explanation: Explanation.Limits {
        Explanation.Limits(sourceBytes: sourceBytes, nodes: nodes, diagramGates: diagramGates, diagramFanOut: diagramFanOut)
    }
}
