import FlyingFox
import FlyingSocks
import Foundation
import GradTrace

/// `gradtrace serve`: the live classroom pages over HTTP. Pages and their routes come from
/// `Pages.all`; every request goes through one `Router` that enforces the body limit and adds
/// the security headers; computations run off the event loop through `Workers`.
package final class ClassroomServer: Sendable {
    /// Where to listen and what to allow.
    package struct Configuration: Sendable {
        /// An IPv4 or IPv6 address (`localhost` is 127.0.0.1). Loopback unless told otherwise.
        package var host: String
        /// 0 picks a free port (tests); `port` then tells which.
        package var port: UInt16
        package var limits: ServerLimits
        /// The command that starts a process drawing diagrams (`gradtrace graphviz-worker`, see
        /// `GraphvizProcesses`); nil draws them in this process, whose memory then grows with
        /// every new diagram.
        package var graphvizWorker: [String]?

        package init(host: String = "127.0.0.1", port: UInt16 = 8080, limits: ServerLimits = ServerLimits(), graphvizWorker: [String]? = nil) {
            self.host = host
            self.port = port
            self.limits = limits
            self.graphvizWorker = graphvizWorker
        }
    }

    /// A host that is not an address this server can listen on.
    package struct BadHost: Error, CustomStringConvertible {
        package var description: String
    }

    private let server: HTTPServer
    private let graphviz: GraphvizProcesses
    package let configuration: Configuration

    package init(_ configuration: Configuration) throws(BadHost) {
        self.configuration = configuration
        let host = configuration.host == "localhost" ? "127.0.0.1" : configuration.host
        let address: any SocketAddress
        do {
            if host.contains(":") {
                address = try sockaddr_in6.inet6(ip6: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: configuration.port)
            } else {
                address = try sockaddr_in.inet(ip4: host, port: configuration.port)
            }
        } catch {
            throw BadHost(description: "'\(configuration.host)' is not an IP address to listen on (try 127.0.0.1, 0.0.0.0 or ::1)")
        }
        let limits = configuration.limits
        graphviz = GraphvizProcesses(command: configuration.graphvizWorker, processes: limits.graphvizProcesses,
                                     layoutsPerProcess: limits.layoutsPerProcess, seconds: limits.wallSeconds)
        let context = ServerContext(limits: limits, workers: Workers(limits: limits), cache: ResponseCache(limits: limits), graphviz: graphviz,
                                    navigation: Pages.all.map { ($0.title, $0.path) })
        var routes = Pages.all.flatMap { $0.routes(context) }
        routes += SharedAssets.routes
        routes.append(Route("GET", "/api/health") { _ in .json(200, Data(#"{"ok":true}"#.utf8)) })
        let router = Router(routes: routes, limits: configuration.limits)
        // The handler time-out is a backstop above the computation limit, which answers first.
        server = HTTPServer(address: address, timeout: max(15, configuration.limits.wallSeconds * 3), logger: .disabled, handler: NetworkSocketRouter(next: router, limits: configuration.limits))
    }

    /// Listens and serves until `stop()`; throws if the address cannot be bound.
    package func run() async throws {
        Self.raiseOpenFileLimit()
        let server = self.server
        Task {
            try? await server.waitUntilListening(timeout: 10)
            if case .ip4(_, let port)? = await server.listeningAddress { Self.disableNagle(port: port) }
            if case .ip6(_, let port)? = await server.listeningAddress { Self.disableNagle(port: port) }
        }
        try await server.run()
    }

    /// FlyingFox writes a reply's head and body in two writes, and does not set TCP_NODELAY: Nagle's
    /// algorithm then holds the body until the client's delayed ACK, 40 ms on Linux, for every
    /// reply. Linux copies TCP_NODELAY from a listening socket to the sockets it accepts, so it is
    /// set on ours, found among this process's descriptors by its port.
    static func disableNagle(port: UInt16) {
        for fd in Int32(0)..<Int32(4096) {
            var listening: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0, listening == 1 else { continue }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            guard named == 0 else { continue }
            let family = Int32(storage.ss_family)
            let boundPort: UInt16 = withUnsafePointer(to: &storage) { pointer in
                switch family {
                case AF_INET: return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
                case AF_INET6: return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
                default: return 0
                }
            }
            guard boundPort == port else { continue }
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Waits until the server is listening and returns its port.
    package func waitUntilListening(timeout: Double = 10) async throws -> UInt16 {
        try await server.waitUntilListening(timeout: timeout)
        switch await server.listeningAddress {
        case .ip4(_, let port)?, .ip6(_, let port)?: return port
        default: return configuration.port
        }
    }

    /// Stops listening, lets requests in flight finish for up to `grace` seconds, then ends.
    package func stop(grace: Double = 3) async {
        await server.stop(timeout: grace)
        graphviz.stop()
    }

    /// The processes drawing diagrams (tests).
    var graphvizProcesses: GraphvizProcesses { graphviz }

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
