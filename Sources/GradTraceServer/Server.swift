import Foundation
import GradTrace
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `gradtrace serve`: the live classroom pages over HTTP, on Hummingbird 2 (SwiftNIO's HTTP/1.1
/// parser) with its WebSocket upgrade. Every connection first passes `ConnectionGuard` (sizes,
/// time-outs, Host and Origin, connection caps); then `Router` finds the route of `Pages.all`,
/// adds the security headers, and computations run off the event loop through `Workers`.
package final class ClassroomServer: Sendable {
    /// Where to listen and what to allow.
    package struct Configuration: Sendable {
        /// An IPv4 or IPv6 address (`localhost` is 127.0.0.1). Loopback unless told otherwise.
        package var host: String
        /// 0 picks a free port (tests); `port` then tells which.
        package var port: UInt16
        /// Names (or `name:port`) a request's Host may carry besides this server's own address:
        /// what a classroom types in its browsers (`--allow-host`). Every other Host is refused
        /// (421), so a page of another site cannot reach this server through DNS rebinding.
        package var allowedHosts: [String]
        package var limits: ServerLimits
        /// The command that starts a process drawing diagrams (`gradtrace graphviz-worker`, see
        /// `GraphvizProcesses`); nil draws them in this process, whose memory then grows with
        /// every new diagram.
        package var graphvizWorker: [String]?

        package init(host: String = "127.0.0.1", port: UInt16 = 8080, allowedHosts: [String] = [], limits: ServerLimits = ServerLimits(),
                    graphvizWorker: [String]? = nil) {
            self.host = host
            self.port = port
            self.allowedHosts = allowedHosts
            self.limits = limits
            self.graphvizWorker = graphvizWorker
        }
    }

    /// A host that is not an address this server can listen on, or a name `--allow-host` cannot take.
    package struct BadHost: Error, CustomStringConvertible {
        package var description: String
    }

    private let graphviz: GraphvizProcesses
    private let address: String
    private let policy: HostPolicy
    private let router: Router
    private let sessions: NetworkSessions
    private let counts: ConnectionCounts
    private let listening = Listening()
    package let configuration: Configuration

    package init(_ configuration: Configuration) throws(BadHost) {
        self.configuration = configuration
        var host = configuration.host == "localhost" ? "127.0.0.1" : configuration.host
        host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard IPAddressBytes(host) != nil else {
            throw BadHost(description: "'\(configuration.host)' is not an IP address to listen on (try 127.0.0.1, 0.0.0.0 or ::1)")
        }
        address = host
        var names: [HostPolicy.Name] = []
        for name in configuration.allowedHosts {
            guard let parsed = HostPolicy.Name(name) else {
                throw BadHost(description: "--allow-host '\(name)' is not a host name (a name such as teacher.local or classroom.example.org, or name:port)")
            }
            names.append(parsed)
        }
        let listening = self.listening
        policy = HostPolicy(names: names, port: { listening.port })
        let limits = configuration.limits
        graphviz = GraphvizProcesses(command: configuration.graphvizWorker, processes: limits.graphvizProcesses,
                                     layoutsPerProcess: limits.layoutsPerProcess, seconds: limits.wallSeconds)
        sessions = NetworkSessions(limits: limits.network)
        counts = ConnectionCounts(limits: limits.connections)
        let context = ServerContext(limits: limits, workers: Workers(limits: limits), cache: ResponseCache(limits: limits), graphviz: graphviz,
                                    navigation: Pages.all.map { ($0.title, $0.path) })
        var routes = Pages.all.flatMap { $0.routes(context) }
        routes += SharedAssets.routes
        routes.append(Route("GET", "/api/health") { _ in .json(200, Data(#"{"ok":true}"#.utf8)) })
        routes += sessions.routes
        router = Router(routes: routes, limits: limits)
    }

    /// Listens and serves until `stop()`; throws if the address cannot be bound.
    package func run() async throws {
        Self.raiseOpenFileLimit()
        let router = self.router, sessions = self.sessions, limits = configuration.limits
        let settings = ConnectionGuard.Settings(limits: limits.connections, policy: policy, counts: counts,
                                                socketPath: NetworkSessions.socketPath, bodyLimit: { router.bodyLimit(path: $0) })
        let responder = CallbackResponder<BasicRequestContext> { request, _ in await router.respond(to: request) }
        var webSocket = WebSocketServerConfiguration(maxFrameSize: limits.network.messageBytes, autoPing: .enabled(timePeriod: .seconds(30)),
                                                     closeTimeout: .milliseconds(Int64(limits.connections.webSocketCloseSeconds * 1000)))
        webSocket.validateUTF8 = true
        let http1 = HTTP1Channel.Configuration(httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.connections.headerBytes,
                                                                               maxHeaderListSize: limits.connections.headerBytes,
                                                                               maxHeaderFieldCount: limits.connections.headerFields))
        let channelConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(http1: http1, ws: webSocket)
        let server = HTTPServerBuilder { responder in
            ConnectionGuard(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, configuration: channelConfiguration) { head, channel, _ in
                    guard head.path?.split(separator: "?", maxSplits: 1).first.map(String.init) == NetworkSessions.socketPath else { return .dontUpgrade }
                    let address = channel.remoteAddress?.ipAddress ?? "?"
                    return .upgrade([:]) { inbound, outbound, _ in
                        try await sessions.serve(inbound: inbound, outbound: outbound, address: address, channel: channel)
                    }
                },
                settings: settings)
        }
        let quiet = Logger(label: "gradtrace-serve") { _ in SwiftLogNoOpLogHandler() }
        let listening = self.listening
        let app = Application(responder: responder, server: server,
                              configuration: ApplicationConfiguration(address: .hostname(address, port: Int(configuration.port)), backlog: 1024),
                              onServerRunning: { channel in listening.bound(channel.localAddress?.port ?? 0) },
                              eventLoopGroupProvider: .singleton, logger: quiet)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: quiet))
        let task = Task { try await group.run() }
        guard listening.start(group, task) else { task.cancel(); return }
        do {
            try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        } catch {
            listening.ended(error)
            graphviz.stop()
            throw error
        }
        listening.ended(nil)
        graphviz.stop()
    }

    /// Waits until the server is listening and returns its port.
    package func waitUntilListening(timeout: Double = 10) async throws -> UInt16 {
        UInt16(try await listening.wait(timeout: timeout))
    }

    /// Stops listening, lets requests in flight finish for up to `grace` seconds (they are then
    /// cancelled: a computation still running is answered 503 and the connection closed), then
    /// ends the drawing processes. Returns when `run()` has ended, or at most `grace` + 1 s later.
    package func stop(grace: Double = 0.5) async {
        await listening.stop(grace: grace)
        graphviz.stop()
    }

    /// The processes drawing diagrams (tests).
    var graphvizProcesses: GraphvizProcesses { graphviz }

    /// Ends every drawing process at once (`serve`, on its way out: a layout under way is not waited for).
    package func killDrawingProcesses() { graphviz.kill() }

    /// The child's side of `Configuration.graphvizWorker`: draws diagrams asked on standard
    /// input until it closes. `gradtrace graphviz-worker` runs this.
    package static func graphvizWorkerMain() -> Int32 { GraphvizProcesses.childMain() }

    /// Many connections at once need many descriptors: use the whole hard limit.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// The server's life: the port once bound, the run to stop, and who waits for either.
private final class Listening: @unchecked Sendable {
    private let lock = NSLock()
    private var boundPort: Int?
    private var failure: (any Error)?
    private var group: ServiceGroup?
    private var task: Task<Void, any Error>?
    private var stopRequested = false
    private var finished = false
    private var waiters: [CheckedContinuation<Int, any Error>] = []
    private var endWaiters: [CheckedContinuation<Void, Never>] = []

    var port: Int { lock.withLock { boundPort ?? 0 } }

    /// Keeps the run to stop; false when `stop` came first.
    func start(_ group: ServiceGroup, _ task: Task<Void, any Error>) -> Bool {
        lock.withLock {
            self.group = group
            self.task = task
            return !stopRequested
        }
    }

    func bound(_ port: Int) {
        let waiting: [CheckedContinuation<Int, any Error>] = lock.withLock {
            boundPort = port
            defer { waiters = [] }
            return waiters
        }
        waiting.forEach { $0.resume(returning: port) }
    }

    /// The run ended (with an error, or normally).
    func ended(_ error: (any Error)?) {
        let (waiting, ending): ([CheckedContinuation<Int, any Error>], [CheckedContinuation<Void, Never>]) = lock.withLock {
            if boundPort == nil { failure = error ?? CancellationError() }
            finished = true
            defer { waiters = []; endWaiters = [] }
            return (waiters, endWaiters)
        }
        waiting.forEach { $0.resume(throwing: error ?? CancellationError()) }
        ending.forEach { $0.resume() }
    }

    func wait(timeout: Double) async throws -> Int {
        let deadline = Task {
            try await Task.sleep(for: .seconds(timeout))
            self.timedOut(timeout)
        }
        defer { deadline.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            if let boundPort {
                lock.unlock()
                continuation.resume(returning: boundPort)
            } else if let failure {
                lock.unlock()
                continuation.resume(throwing: failure)
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }

    private func timedOut(_ timeout: Double) {
        let waiting: [CheckedContinuation<Int, any Error>] = lock.withLock {
            defer { waiters = [] }
            return waiters
        }
        waiting.forEach { $0.resume(throwing: ClassroomServer.BadHost(description: "the server did not start listening within \(Int(timeout)) s")) }
    }

    /// Graceful shutdown; after `grace` seconds the run is cancelled; returns when it has ended,
    /// or a second after that at most.
    func stop(grace: Double) async {
        let (group, task): (ServiceGroup?, Task<Void, any Error>?) = lock.withLock {
            stopRequested = true
            return (self.group, self.task)
        }
        guard let group, let task else { return }
        await group.triggerGracefulShutdown()
        if await waitForEnd(seconds: grace) { return }
        task.cancel()
        _ = await waitForEnd(seconds: 1)
    }

    /// True when the run ended within `seconds`.
    private func waitForEnd(seconds: Double) async -> Bool {
        let timer = Task {
            try? await Task.sleep(for: .seconds(seconds))
            let ending: [CheckedContinuation<Void, Never>] = self.lock.withLock {
                defer { self.endWaiters = [] }
                return self.endWaiters
            }
            ending.forEach { $0.resume() }
        }
        defer { timer.cancel() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if finished {
                lock.unlock()
                continuation.resume()
            } else {
                endWaiters.append(continuation)
                lock.unlock()
            }
        }
        return lock.withLock { finished }
    }
}
