import Foundation
import GradTrace
import Testing
@testable import GradTraceServer

/// The served diagrams are drawn by `gradtrace graphviz-worker` child processes, replaced after a
/// number of layouts so that Graphviz 2.42's per-layout leak cannot grow the server. What a child
/// draws must be what the library draws in-process, byte for byte.
@Suite(.enabled(if: gradtraceExecutable != nil || ProcessInfo.processInfo.environment["CI"] == "true"))
struct GraphvizProcessesTests {
    static func dot(_ source: String, _ bindings: [String: Double] = [:]) throws -> String {
        let e = try Explanation(source: SourceText(source), bindings: bindings)
        return DotRenderer.render(e.trace, options: DotOptions())
    }

    static func processes(size: Int = 2, layouts: Int = 1_000, seconds: Double = 60) throws -> GraphvizProcesses {
        let exe = try #require(gradtraceExecutable, "swift test builds the gradtrace executable")
        return GraphvizProcesses(command: [exe, "graphviz-worker"], processes: size, layoutsPerProcess: layouts, seconds: seconds)
    }

    static func neuron(w0: Double) throws -> String {
        try dot("1/(1+exp(-(w0*x0+w1*x1+w2)))", ["w0": w0, "x0": -1, "w1": -3, "x1": -2, "w2": -3])
    }

    /// Runs blocking work on a thread of its own, off Swift's cooperative pool (and off
    /// Dispatch's, which under the whole suite can make work wait tens of seconds to start).
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    @Test func aChildDrawsWhatTheLibraryDrawsByteForByte() async throws {
        let pool = try Self.processes()
        defer { pool.stop() }
        let dot = try Self.neuron(w0: 2)
        for format in Graphviz.Format.allCases {
            let here = try Graphviz.render(dot: dot, format: format)
            let there = try await Self.blocking { try pool.render(dot: dot, format: format) }
            #expect(there == here, "\(format)")
        }
        #expect(pool.started == 1, "one child drew all three")
    }

    @Test func childrenAreReplacedAfterTheirShareAndAnswersStayTheSame() async throws {
        let pool = try Self.processes(size: 2, layouts: 3)
        defer { pool.stop() }
        let dots = try (0..<10).map { try Self.neuron(w0: Double($0) / 4) }
        let expected = try dots.map { try Graphviz.render(dot: $0, format: .svg) }
        // Two callers at a time, as two requests would be.
        @Sendable func half(_ h: Int) throws -> [(Int, [UInt8])] {
            var out: [(Int, [UInt8])] = []
            for k in (h * 5)..<(h * 5 + 5) { out.append((k, try pool.render(dot: dots[k], format: .svg))) }
            return out
        }
        async let a = Self.blocking { try half(0) }
        async let b = Self.blocking { try half(1) }
        let drawn = try await a + b
        for (k, bytes) in drawn { #expect(bytes == expected[k], "diagram \(k)") }
        // 10 layouts, at most 3 a child: at least 4 children, at most 2 alive at any time.
        #expect(pool.started >= 4)
        #expect(pool.processIDs.count <= 2)
    }

    @Test func aChildHoldsNoneOfTheServersDescriptors() async throws {
        let pool = try Self.processes(size: 1)
        defer { pool.stop() }
        // A socket of ours open while the child starts: the child must not keep it.
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        _ = try await Self.blocking { try pool.render(dot: try Self.neuron(w0: 1), format: .svg) }
        let pid = try #require(pool.processIDs.first)
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap(Int32.init).sorted()
        #expect(open == [0, 1, 2], "the child has only its pipes and standard error")
    }

    @Test func aKilledChildIsReplacedAndALayoutPastItsTimeIsCutOff() async throws {
        let pool = try Self.processes(size: 1, seconds: 1)
        defer { pool.stop() }
        let small = try Self.neuron(w0: 3)
        _ = try await Self.blocking { try pool.render(dot: small, format: .svg) }
        let first = try #require(pool.processIDs.first)
        kill(first, SIGKILL)
        try await Task.sleep(for: .milliseconds(100))
        let again = try await Self.blocking { try pool.render(dot: small, format: .svg) }
        #expect(again == (try Graphviz.render(dot: small, format: .svg)), "a new child drew it")
        #expect(!pool.processIDs.contains(first))

        // One value feeding 80 gates: Graphviz takes tens of seconds over it (the server refuses
        // to draw it; here it is sent anyway). The child is killed at the limit.
        let slow = try Self.dot(Array(repeating: "x", count: 80).joined(separator: " + "), ["x": 1])
        let failure = try await Self.blocking { () -> GraphvizProcesses.Failure? in
            do { _ = try pool.render(dot: slow, format: .svg) } catch let error as GraphvizProcesses.Failure { return error }
            return nil
        }
        #expect(failure?.timedOut == true, "cut off: the layout did not finish")
        #expect(pool.processIDs.isEmpty, "the late child was killed")
        let afterwards = try await Self.blocking { try pool.render(dot: small, format: .svg) }
        #expect(afterwards == again)
    }

    @Test func aStoppedServerLeavesNoChildren() async throws {
        let exe = try #require(gradtraceExecutable)
        let server = try ClassroomServer(.init(host: "127.0.0.1", port: 0, graphvizWorker: [exe, "graphviz-worker"]))
        let task = Task { try await server.run() }
        let port = try await server.waitUntilListening(timeout: 300)
        let body = try JSONSerialization.data(withJSONObject: ["source": "(x + y) * z", "values": ["x": -2, "y": 5, "z": -4]])
        #expect(try await post(port, "/api/explain", body: body).status == 200)
        let pids = server.graphvizProcesses.processIDs
        #expect(pids.count == 1)
        await server.stop(grace: 0)
        task.cancel()
        // `stop` ends idle children at once and a busy one when its layout is done (its
        // contract), so the child may need a moment; that it ends at all is what is checked.
        let deadline = Date(timeIntervalSinceNow: 5)
        while Date() < deadline && !(server.graphvizProcesses.processIDs.isEmpty && pids.allSatisfy { kill($0, 0) != 0 }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(server.graphvizProcesses.processIDs.isEmpty)
        for pid in pids { #expect(kill(pid, 0) != 0, "child \(pid) has exited") }
    }
}
