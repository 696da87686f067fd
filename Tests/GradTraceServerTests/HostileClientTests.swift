import Foundation
import Testing
@testable import GradTraceServer

/// Clients that try to hurt the server, on loopback, each bounded in bytes and time: long and
/// many header lines, slow headers, oversized and lying bodies, bad chunks, wrong Host and Origin,
/// a WebSocket frame announcing 1 GiB and a fragmented message growing without end. Each checks
/// the status (or close code) it gets, that the server's memory stays bounded, and that
/// `/api/health` keeps answering meanwhile (a probe from 127.0.0.1; the attacks come from
/// 127.0.0.2, so the per-address caps do not hide the probe).
///
/// Most run against a real `gradtrace serve` child process (its default limits; its memory read
/// from /proc, untouched by the other tests running in this process); those about time-outs and
/// caps run an in-process server with small limits.
@Suite(.serialized, .enabled(if: gradtraceExecutable != nil || ProcessInfo.processInfo.environment["CI"] == "true"))
struct HostileClientTests {
    // MARK: Header

    @Test func longHeaderLinesAre431AndHealthGoesOn() async throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let outcome = try await server.under { port in
            // Eight clients at once, each a 1 MiB request line, then a 1 MiB header value.
            try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await blocking {
                            let line = hostileRequest(port, Data("GET /".utf8) + Data(repeating: 0x61, count: 1 << 20) + Data(" HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8))
                            let value = hostileRequest(port, Data("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX-Long: ".utf8) + Data(repeating: 0x61, count: 1 << 20) + Data("\r\n\r\n".utf8))
                            return [line.status, value.status]
                        }
                    }
                }
                var all: [Int] = []
                for try await statuses in group { all += statuses }
                return all
            }
        }
        #expect(outcome.result == Array(repeating: 431, count: 16))
        outcome.expectHealthy(growth: 16 << 20)
    }

    @Test func manyHeadersAre431() async throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let outcome = try await server.under { port in
            try await blocking {
                let many = (0..<101).map { "X-\($0): y\r\n" }.joined()
                let tiny = hostileRequest(port, Data("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\(many)\r\n".utf8))
                let lots = hostileRequest(port, Data("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n".utf8) + Data(String(repeating: "X: y\r\n", count: 100_000).utf8) + Data("\r\n".utf8))
                let justUnder = hostileRequest(port, Data("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\((0..<90).map { "X-\($0): y\r\n" }.joined())Connection: close\r\n\r\n".utf8))
                return [tiny.status, lots.status, justUnder.status]
            }
        }
        #expect(outcome.result == [431, 431, 200])
        outcome.expectHealthy(growth: 16 << 20)
    }

    // MARK: Body

    @Test func anOversizedBodyIs413AndTheRestIsNeverParsed() async throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let outcome = try await server.under { port in
            try await blocking { () -> [String] in
                // 100 MB declared; what follows the header is a request of its own. Were it parsed, a second answer would come.
                let smuggled = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n"
                var declared = Data("POST /api/explain HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 100000000\r\n\r\n".utf8)
                declared += Data(String(repeating: smuggled, count: 1_000).utf8)
                let a = hostileRequest(port, declared)
                // The same body sent whole, 70 MB (past the 64 MiB the old server drained), with no length declared: chunked.
                var chunked = Data("POST /api/explain HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                for _ in 0..<17 { chunked += Data("1000\r\n".utf8) + Data(repeating: 0x61, count: 4096) + Data("\r\n".utf8) }
                let b = hostileRequest(port, chunked, then: Data(repeating: 0x61, count: 70 << 20))
                return [a.statusLine, "\(a.responses)", "\(a.error["kind"] ?? "")", b.statusLine, "\(b.responses)", a.headers["connection"] ?? ""]
            }
        }
        #expect(outcome.result == ["HTTP/1.1 413 Content Too Large", "1", "limit", "HTTP/1.1 413 Content Too Large", "1", "close"])
        outcome.expectHealthy(growth: 16 << 20)
    }

    @Test func malformedFramingIs400WithAJSONError() async throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let outcome = try await server.under { port in
            try await blocking { () -> [Int] in
                let host = "Host: 127.0.0.1:\(port)\r\n"
                let requests = [
                    "POST /api/explain HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",  // a chunk size that is not hex
                    "POST /api/explain HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",  // no CRLF after the chunk
                    "POST /api/explain HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",  // duplicate Content-Length
                    "POST /api/explain HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",  // conflicting
                    "POST /api/explain HTTP/1.1\r\n\(host)Content-Length: 5, 5\r\n\r\nhello",
                    "POST /api/explain HTTP/1.1\r\n\(host)Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\r\n\r\n",  // not HTTP at all (a TLS hello)
                    "GET /api/health HTTP/1.1\r\n\r\n",  // no Host
                ]
                return requests.map { request -> Int in
                    let r = hostileRequest(port, Data(request.utf8))
                    return r.status == 400 && r.error["kind"] as? String == "request" && r.headers["connection"] == "close" ? 400 : r.status
                }
            }
        }
        #expect(outcome.result == Array(repeating: 400, count: 8))
        outcome.expectHealthy(growth: 16 << 20)
    }

    @Test func anUnknownHTTPVersionIs505() async throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let outcome = try await server.under { port in
            try await blocking {
                ["9.9", "2.0", "1.2"].map { hostileRequest(port, Data("GET /api/health HTTP/\($0)\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)).statusLine }
            }
        }
        #expect(outcome.result == Array(repeating: "HTTP/1.1 505 HTTP Version Not Supported", count: 3))
        outcome.expectHealthy(growth: 16 << 20)
    }

    // MARK: Host and Origin

    @Test func anotherHostIs421AndAnotherOriginIs403() async throws {
        let server = try ServeProcess(arguments: ["--allow-host", "teacher.local"])
        defer { server.stop() }
        let outcome = try await server.under { port in
            try await blocking { () -> [String] in
                func health(_ headers: String) -> String {
                    hostileRequest(port, Data("GET /api/health HTTP/1.1\r\n\(headers)Connection: close\r\n\r\n".utf8), from: "127.0.0.1").statusLine
                }
                let socket = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                func upgrade(_ origin: String) -> String {
                    hostileRequest(port, Data("GET /api/network/live HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: \(origin)\r\n\(socket)\r\n".utf8), from: "127.0.0.1", firstLineOnly: true).statusLine
                }
                return [
                    health("Host: rebound.example:\(port)\r\n"),  // DNS rebinding: another site's name
                    health("Host: 127.0.0.1:\(port + 1)\r\n"),  // another port
                    health("Host: 127.0.0.2:\(port)\r\n"),  // not the address the connection reached
                    health("Host: localhost:\(port)\r\n"),
                    health("Host: teacher.local:\(port)\r\n"),  // --allow-host
                    health("Host: TEACHER.local.:\(port)\r\n"),
                    health("Host: 127.0.0.1:\(port)\r\nOrigin: http://evil.example\r\n"),
                    upgrade("http://evil.example"),
                    upgrade("http://127.0.0.1:\(port + 1)"),  // the host alone is not the origin
                    upgrade("https://127.0.0.1:\(port)"),  // nor is another scheme
                    upgrade("null"),
                    upgrade("http://127.0.0.1:\(port)"),
                ]
            }
        }
        let misdirected = "HTTP/1.1 421 Misdirected Request", forbidden = "HTTP/1.1 403 Forbidden", ok = "HTTP/1.1 200 OK"
        #expect(outcome.result == [misdirected, misdirected, misdirected, ok, ok, ok, forbidden, forbidden, forbidden, forbidden, forbidden,
                                   "HTTP/1.1 101 Switching Protocols"])
        outcome.expectHealthy(growth: 16 << 20)
    }

    // MARK: WebSocket

    @Test func aFrameAnnouncing1GiBIsClosedFromItsHeader() async throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let outcome = try await server.under { port in
            try await blocking { () -> [String] in
                // The header alone: a text frame of 2^30 bytes, masked.
                let ws = try RawWebSocket(port: port)
                defer { ws.close() }
                try ws.write([0x81, 0x80 | 127] + withUnsafeBytes(of: UInt64(1 << 30).bigEndian, Array.init) + [1, 2, 3, 4])
                let first = ws.closeCode()
                // Then the header and as much of the gigabyte as the server takes before it closes.
                let streaming = try RawWebSocket(port: port)
                defer { streaming.close() }
                let taken = streaming.stream(header: [0x82, 0x80 | 127] + withUnsafeBytes(of: UInt64(1 << 30).bigEndian, Array.init) + [1, 2, 3, 4], upTo: 256 << 20)
                return ["\(first.map(String.init) ?? "none")", taken < 64 << 20 ? "closed early" : "took \(taken) bytes"]
            }
        }
        #expect(outcome.result == ["1009", "closed early"])
        outcome.expectHealthy(growth: 10 << 20)
    }

    @Test func aFragmentedMessageGrowingWithoutEndIsClosedAt128KiB() async throws {
        let server = try ServeProcess()
        defer { server.stop() }
        let outcome = try await server.under { port in
            try await blocking { () -> [String] in
                let ws = try RawWebSocket(port: port)
                defer { ws.close() }
                // A text frame without FIN, then 16 KiB continuations without FIN, until the server closes (at most 64 MiB).
                var sent = 0, code: Int?
                var opcode: UInt8 = 0x01
                while sent < 64 << 20 && code == nil {
                    let payload = [UInt8](repeating: 0x61, count: 16 << 10)
                    guard (try? ws.write(RawWebSocket.frame(opcode: opcode, fin: false, payload))) != nil else { break }
                    opcode = 0x00
                    sent += payload.count
                    code = ws.closeCode(wait: 0)
                }
                if code == nil { code = ws.closeCode() }
                return ["\(code.map(String.init) ?? "none")", sent <= 1 << 20 ? "closed near 128 KiB" : "sent \(sent)"]
            }
        }
        #expect(outcome.result == ["1009", "closed near 128 KiB"])
        outcome.expectHealthy(growth: 10 << 20)
    }

    // MARK: Stopping

    /// SIGTERM stops `gradtrace serve` with a request in flight: the request is answered, the
    /// program exits with status 0, and its drawing processes are gone. (The time it takes is
    /// measured by bench/serve_stop.py; the bound here only says it did not hang: the old server
    /// took about 7 s.)
    @Test func sigtermAnswersWhatIsInFlightAndLeavesNoDrawingProcesses() async throws {
        let server = try ServeProcess()
        _ = try await post(server.port, "/api/explain", json: neuron)
        let children = ServeProcess.children(of: server.process.processIdentifier)
        #expect(!children.isEmpty, "diagrams are drawn by child processes")
        // A new circuit (not cached: it is parsed, traced and laid out), small enough to finish
        // within the stop's grace period; the signal comes once its request has been sent.
        let body = try JSONSerialization.data(withJSONObject: ["source": "(a + b) * c + exp(a)", "values": ["a": 1.5, "b": -2, "c": 3]])
        async let inFlight = post(server.port, "/api/explain", body: body)
        try await Task.sleep(for: .milliseconds(10))
        kill(server.process.processIdentifier, SIGTERM)
        let exited = try await blocking { () -> Bool in
            let deadline = Date(timeIntervalSinceNow: 5)
            while server.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            return !server.process.isRunning
        }
        #expect(exited, "serve ended on SIGTERM")
        #expect(server.process.terminationStatus == 0)
        #expect([200, 503].contains((try? await inFlight)?.status ?? -1), "the request under way was answered")
        try await Task.sleep(for: .milliseconds(300))
        #expect(children.allSatisfy { !ServeProcess.alive($0) }, "no drawing process is left")
    }

    // MARK: Time-outs and caps (an in-process server with small limits)

    static var quick: ServerLimits {
        var limits = ServerLimits()
        limits.connections.headerSeconds = 1
        limits.connections.bodySeconds = 1
        limits.connections.idleSeconds = 1
        limits.connections.perAddress = 8
        return limits
    }

    @Test func slowHeadersAndLyingBodiesAre408AndIdleConnectionsClose() async throws {
        try await withServer(Self.quick) { port in
            let probe = HealthProbe(port: port)
            defer { probe.stop() }
            let statuses = try await blocking { () -> [Int] in
                // One header byte every 100 ms: 4 s of header, against 1 s allowed.
                let slow = try connectSocket(port, timeout: 30, from: "127.0.0.2")
                defer { close(slow) }
                var dripped = 0
                for byte in Array("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nX: \(String(repeating: "y", count: 40))\r\n\r\n".utf8) {
                    guard sendAll(slow, [byte]) else { break }
                    dripped += 1
                    Thread.sleep(forTimeInterval: 0.1)
                    if readable(slow) { break }
                }
                let header = (try? readResponse(slow))?.status ?? -1
                // A body declared as 1,000 bytes, of which 10 come.
                let lying = try connectSocket(port, timeout: 30, from: "127.0.0.2")
                defer { close(lying) }
                _ = sendAll(lying, Array("POST /api/explain HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 1000\r\n\r\n{\"source\":".utf8))
                let body = (try? readResponse(lying))?.status ?? -1
                // A connection that sends nothing is closed (no answer).
                let idle = try connectSocket(port, timeout: 30, from: "127.0.0.2")
                defer { close(idle) }
                var byte: UInt8 = 0
                let idleRead = read(idle, &byte, 1)
                return [header, dripped < 60 ? 1 : 0, body, idleRead == 0 ? 1 : 0]
            }
            #expect(statuses == [408, 1, 408, 1], "408 for the header (cut off before it ended), 408 for the body, the idle connection closed")
            probe.expectHealthy()
        }
    }

    @Test func connectionsAndSessionsAreCappedPerAddress() async throws {
        var limits = Self.quick
        limits.connections.idleSeconds = 30
        limits.network.sessions = 4
        limits.network.sessionsPerAddress = 2
        try await withServer(limits) { port in
            let probe = HealthProbe(port: port)
            defer { probe.stop() }
            // Eight connections from 127.0.0.3, each shown to be admitted by an answer, then kept open.
            let held = try await blocking {
                try (0..<8).map { _ -> Int32 in
                    let fd = try connectSocket(port, timeout: 10, from: "127.0.0.3")
                    _ = sendAll(fd, Array("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8))
                    guard try readResponse(fd).status == 200 else { throw ClientError(description: "not admitted") }
                    return fd
                }
            }
            defer { held.forEach { close($0) } }
            let ninth = try await blocking { () -> Response in
                let fd = try connectSocket(port, timeout: 10, from: "127.0.0.3")
                defer { close(fd) }
                return try readResponse(fd)
            }
            #expect(ninth.status == 503 && ninth.error["kind"] as? String == "busy")
            #expect(try await get(port, "/api/health").status == 200, "another address is served")
            // Sessions: two from 127.0.0.4, the third refused with its reason; one from 127.0.0.5 still opens.
            let a = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath, from: "127.0.0.4") }
            defer { a.close() }
            let b = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath, from: "127.0.0.4") }
            defer { b.close() }
            let c = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath, from: "127.0.0.4") }
            defer { c.close() }
            let refused = try #require(try await c.next(nil)["error"] as? [String: Any])
            #expect(refused["kind"] as? String == "limit" && (refused["message"] as? String)?.contains("from your address") == true, "\(refused)")
            let d = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath, from: "127.0.0.5") }
            defer { d.close() }
            try await blocking { try d.send(["type": "start", "options": NetworkPageTests.options]) }
            _ = try await d.next("ready")
            probe.expectHealthy()
        }
    }
}

// MARK: - Tools

/// `gradtrace serve --port 0` as a child process: its port (from the line it prints) and its memory.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: UInt16

    init(arguments: [String] = []) throws {
        guard let executable = gradtraceExecutable else { throw ClientError(description: "gradtrace is not built") }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--port", "0"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date(timeIntervalSinceNow: 120)
        while !text.contains("\n") && Date() < deadline {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: #"127\.0\.0\.1:([0-9]+)/"#, options: .regularExpression),
              let port = UInt16(text[range].dropFirst("127.0.0.1:".count).dropLast()) else {
            process.terminate()
            throw ClientError(description: "serve did not say where it listens: \(text)")
        }
        self.port = port
    }

    /// The processes `pid` started and that are still there.
    /// The children of `pid`, whichever of its threads started them: `/proc/PID/task/TID/children`
    /// lists only those of thread TID, and the server spawns its drawing processes from whichever
    /// thread first needs one.
    static func children(of pid: Int32) -> [Int32] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "").split(separator: " ").compactMap { Int32($0) }
        }.sorted()
    }

    /// True while `pid` runs (a zombie, ended but not yet reaped, is not running).
    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !(stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true)
    }

    /// The server's resident memory now, and its peak (VmRSS and VmHWM, bytes).
    var memory: (resident: Int, peak: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    struct Outcome<T: Sendable>: Sendable {
        var result: T
        var before: (resident: Int, peak: Int)
        var after: (resident: Int, peak: Int)
        var health: [Int]
        var slowestHealth: Double
        var running: Bool

        /// /api/health answered 200 every time it was asked during the attack (and was asked),
        /// never stalled (a generous bound: the point is that it answered), the server's memory
        /// (resident, and its peak) grew by less than `growth`, and it is still running.
        func expectHealthy(growth: Int, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(!health.isEmpty && health.allSatisfy { $0 == 200 }, "health during the attack: \(health.filter { $0 != 200 }.count) of \(health.count) failed", sourceLocation: sourceLocation)
            #expect(slowestHealth < 10, "the slowest health answer took \(slowestHealth) s", sourceLocation: sourceLocation)
            #expect(after.resident - before.resident < growth, "resident memory \(before.resident >> 20) → \(after.resident >> 20) MiB", sourceLocation: sourceLocation)
            #expect(after.peak - before.peak < growth, "peak memory \(before.peak >> 20) → \(after.peak >> 20) MiB", sourceLocation: sourceLocation)
            #expect(running, "the server is still running", sourceLocation: sourceLocation)
        }
    }

    /// Runs `attack` while a probe asks for /api/health, and reads the memory before and after.
    func under<T: Sendable>(_ attack: @escaping @Sendable (UInt16) async throws -> T) async throws -> Outcome<T> {
        // A first request of each kind, so that what is allocated once (pools, caches) is in `before`.
        _ = try await get(port, "/api/health")
        _ = try await post(port, "/api/explain", body: Data("{}".utf8))
        let before = memory
        let probe = HealthProbe(port: port)
        let result = try await attack(port)
        probe.stop()
        return Outcome(result: result, before: before, after: memory, health: probe.statuses, slowestHealth: probe.slowest, running: process.isRunning)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// Asks for /api/health from 127.0.0.1 every 20 ms on a thread of its own, until stopped.
final class HealthProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var results: [Int] = []
    private var worst = 0.0
    private let finished = DispatchSemaphore(value: 0)

    init(port: UInt16) {
        Thread.detachNewThread { [self] in
            while !lock.withLock({ done }) || lock.withLock({ results.isEmpty }) {
                let start = Date()
                let status = (try? sendBlocking(port, raw: Data("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8), timeout: 30))?.status ?? -1
                let took = Date().timeIntervalSince(start)
                lock.withLock {
                    results.append(status)
                    worst = max(worst, took)
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
            finished.signal()
        }
    }

    private var joined = false

    /// Stops the probe and waits for its last request (once; later calls return at once).
    func stop() {
        let first: Bool = lock.withLock {
            done = true
            defer { joined = true }
            return !joined
        }
        if first { finished.wait() }
    }

    var statuses: [Int] { lock.withLock { results } }
    var slowest: Double { lock.withLock { worst } }

    func expectHealthy(sourceLocation: SourceLocation = #_sourceLocation) {
        stop()
        #expect(!statuses.isEmpty && statuses.allSatisfy { $0 == 200 }, "health: \(statuses.filter { $0 != 200 }.count) of \(statuses.count) failed", sourceLocation: sourceLocation)
        #expect(slowest < 10, "the slowest health answer took \(slowest) s", sourceLocation: sourceLocation)
    }
}

/// What a hostile request got back: the first response (if any) and how many responses came in all.
struct HostileResponse {
    var status = -1
    var statusLine = ""
    var headers: [String: String] = [:]
    var error: [String: Any] = [:]
    var responses = 0
}

/// Sends `request` (then `then`, if given) from 127.0.0.2, reading while it writes, until the
/// server answers and closes; counts the responses. Writes that fail (the server closed) end the sending.
func hostileRequest(_ port: UInt16, _ request: Data, then more: Data? = nil, from source: String = "127.0.0.2", firstLineOnly: Bool = false) -> HostileResponse {
    guard let fd = try? connectSocket(port, timeout: 20, from: source) else { return HostileResponse() }
    defer { close(fd) }
    var received = [UInt8]()
    var chunks = [request] + (more.map { [$0] } ?? [])
    outer: while !chunks.isEmpty {
        let data = chunks.removeFirst()
        var offset = 0
        while offset < data.count {
            let end = min(data.count, offset + 65536)
            guard sendAll(fd, Array(data[offset..<end])) else { break outer }
            offset = end
            drain(fd, into: &received)
            if firstLineOnly && received.contains(10) { break outer }
        }
    }
    if !(firstLineOnly && received.contains(10)) {
        shutdown(fd, Int32(SHUT_WR))  // sent all: the server may close as soon as it has answered
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
            if firstLineOnly && received.contains(10) { break }
        }
    }
    var out = HostileResponse()
    let text = String(decoding: received, as: UTF8.self)
    out.responses = text.components(separatedBy: "HTTP/1.1 ").count - 1
    out.statusLine = text.components(separatedBy: "\r\n").first ?? ""
    if let response = parse(received) {
        out.status = response.status
        out.headers = response.headers
        out.error = response.error
    }
    return out
}

/// Writes all of `bytes`; false when the connection is closed (no SIGPIPE).
func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n <= 0 { return false }
        offset += n
    }
    return true
}

/// Appends what can be read now without waiting.
func drain(_ fd: Int32, into received: inout [UInt8]) {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        if n <= 0 { return }
        received.append(contentsOf: buffer[0..<n])
    }
}

func readable(_ fd: Int32) -> Bool {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, 0) > 0
}

/// A WebSocket to the network page's socket, opened by hand, for frames no client library sends.
final class RawWebSocket {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16, from source: String = "127.0.0.2") throws {
        fd = try connectSocket(port, timeout: 10, from: source)
        let request = "GET \(NetworkSessions.socketPath) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: http://127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        guard sendAll(fd, Array(request.utf8)) else { throw ClientError(description: "write failed") }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !(buffer.count >= 4 && (0...(buffer.count - 4)).contains { buffer[$0..<$0 + 4] == [13, 10, 13, 10] }) {
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { throw ClientError(description: "no upgrade") }
            buffer += chunk[0..<n]
        }
        let end = (0...(buffer.count - 4)).first { buffer[$0..<$0 + 4] == [13, 10, 13, 10] }!
        guard String(decoding: buffer[0..<end], as: UTF8.self).hasPrefix("HTTP/1.1 101") else { throw ClientError(description: "not upgraded") }
        buffer.removeFirst(end + 4)
    }

    static func frame(opcode: UInt8, fin: Bool, _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 { out.append(0x80 | UInt8(payload.count)) } else if payload.count <= 0xffff {
            out += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        } else {
            out.append(0x80 | 127)
            out += withUnsafeBytes(of: UInt64(payload.count).bigEndian, Array.init)
        }
        let mask: [UInt8] = [9, 8, 7, 6]
        return out + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    func write(_ bytes: [UInt8]) throws {
        guard sendAll(fd, bytes) else { throw ClientError(description: "the server closed the connection") }
    }

    /// Writes `header` then zero bytes of payload, up to `limit`, until a write fails; the bytes written.
    func stream(header: [UInt8], upTo limit: Int) -> Int {
        guard sendAll(fd, header) else { return 0 }
        let chunk = [UInt8](repeating: 0, count: 1 << 16)
        var sent = 0
        while sent < limit, sendAll(fd, chunk) { sent += chunk.count }
        return sent
    }

    /// The code of the server's close frame, waiting up to `wait` seconds (nil: none came, or the connection ended without one).
    func closeCode(wait: Double = 10) -> Int? {
        let deadline = Date(timeIntervalSinceNow: wait)
        var chunk = [UInt8](repeating: 0, count: 65536)
        repeat {
            // Frames from the server: skip text (a session's messages), stop at a close.
            while buffer.count >= 2 {
                let opcode = buffer[0] & 0x0f
                var length = Int(buffer[1] & 0x7f), offset = 2
                if length == 126 { guard buffer.count >= 4 else { break }; length = Int(buffer[2]) << 8 | Int(buffer[3]); offset = 4 }
                if length == 127 { guard buffer.count >= 10 else { break }; length = buffer[2..<10].reduce(0) { $0 << 8 | Int($1) }; offset = 10 }
                guard buffer.count >= offset + length else { break }
                if opcode == 8 { return length >= 2 ? Int(buffer[offset]) << 8 | Int(buffer[offset + 1]) : 1005 }
                buffer.removeFirst(offset + length)
            }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let remaining = max(0, deadline.timeIntervalSinceNow)
            guard poll(&p, 1, Int32(remaining * 1000)) > 0 else { continue }
            let n = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if n <= 0 { return nil }
            buffer += chunk[0..<n]
        } while Date() < deadline
        return nil
    }

    func close() { Foundation.close(fd) }
}
