import Foundation
import GradTrace

/// What one request may ask of the server. Every request is held to these; past any of them
/// it gets a JSON error that says which limit and what to do, and the server goes on serving
/// everyone else.
package struct ServerLimits: Sendable {
    /// Bytes of a request body (the JSON of an explain request).
    package var bodyBytes = 64 * 1024
    /// Bytes of the expression's source text.
    package var sourceBytes = 16 * 1024
    /// Nodes on the tape (after `expand`).
    package var nodes = 5_000
    /// Gates in a drawn diagram; a larger circuit is explained without one.
    package var diagramGates = 250
    /// Wires out of one value in a drawn diagram (the library's `diagramFanOut`, 48 for the CLI).
    /// Graphviz's layout time explodes with fan-out (a value feeding 40 gates: 0.4 s; 60: 3 s;
    /// 80: over 20 s), so a circuit with a wider fork is explained without a diagram.
    package var diagramFanOut = 32
    /// Bindings sent with one request.
    package var bindings = 500
    /// Seconds one computation may take before the request is answered with an error.
    package var wallSeconds: Double = 5
    /// Computations running at once (each on its own thread, off the server's event loop).
    package var concurrentComputations = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Processes drawing diagrams at once (when the server has a worker command), and how many
    /// diagrams each draws before it is replaced (Graphviz 2.42 keeps ≈ 8.7 KB of every layout).
    package var graphvizProcesses = max(2, ProcessInfo.processInfo.activeProcessorCount)
    package var layoutsPerProcess = 1_000
    /// Requests waiting for a computation slot; past this a request is told the server is busy.
    package var waitingComputations = 256
    /// Responses kept for identical requests (a class sharing one example asks the same thing).
    package var cachedResponses = 512
    /// Bytes of cached responses in all.
    package var cacheBytes = 64 * 1024 * 1024
    /// The network page: sessions, steps per second, network and data size (NetworkService.swift).
    package var network = NetworkLimits()
    /// What one connection may send and how long it may take (`ConnectionGuard`).
    package var connections = ConnectionLimits()

    package init() {}

    /// The library's limits for one explanation under these.
    var explanation: Explanation.Limits {
        Explanation.Limits(sourceBytes: sourceBytes, nodes: nodes, diagramGates: diagramGates, diagramFanOut: diagramFanOut)
    }
}

/// What a connection may do before the server stops listening to it. These hold for every
/// client, before any route runs: `ConnectionGuard` checks them on SwiftNIO's parsed request
/// parts, and answers with the status below and closes the connection where the stream can no
/// longer be trusted (the rest of an oversized or malformed request is never parsed).
package struct ConnectionLimits: Sendable {
    /// Bytes of the request line and header lines (431): SwiftNIO counts the target, the header
    /// names and the values, not the separators; `headerFields` bounds what those can add.
    package var headerBytes = 16 * 1024
    /// Header lines in one request (431).
    package var headerFields = 100
    /// Seconds from the first byte of a request to the end of its header (408).
    package var headerSeconds: Double = 10
    /// Seconds from the end of the header to the end of the body (408).
    package var bodySeconds: Double = 30
    /// Seconds a connection may wait for its next request (then it is closed, silently).
    package var idleSeconds: Double = 30
    /// Open connections from one address, and in all; past them a new connection is answered
    /// 503 and closed.
    package var perAddress = 128
    package var total = 2_048
    /// Seconds a WebSocket has to answer the server's close before the connection is dropped.
    package var webSocketCloseSeconds: Double = 0.5

    package init() {}
}
