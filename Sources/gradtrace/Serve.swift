import ArgumentParser
import Dispatch
import Foundation
import GradTrace
import GradTraceServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the live classroom page: type an expression, see its circuit and backward pass.",
        discussion: """
        Listens on http://127.0.0.1:8080 (this computer only) and prints the address; it opens \
        nothing. For a classroom, --host 0.0.0.0 --port 9000 listens on every network interface: \
        anyone who can reach this computer can then use the page (it says so when it starts). \
        Browsers may reach it by the address they connected to (http://192.168.1.20:9000/) or, \
        on this computer, as localhost; for a name (http://teacher.local:9000/) give \
        --allow-host teacher.local. Any other Host is refused, so a page of another site cannot \
        reach the server through DNS rebinding. Everything the page needs is inside the gradtrace \
        binary; it fetches nothing from the internet. Ctrl-C (SIGINT) or SIGTERM stops the server \
        within a second, letting requests in flight finish meanwhile.

        Each request is limited (header \(ConnectionLimits().headerBytes / 1024) KiB, body \
        \(ServerLimits().bodyBytes / 1024) KiB, expression \(ServerLimits().sourceBytes / 1024) KiB, \
        \(ServerLimits().nodes) nodes, diagrams of \(ServerLimits().diagramGates) gates, \
        \(Int(ServerLimits().wallSeconds)) seconds) and gets a clear error past a limit; one \
        address may hold \(ConnectionLimits().perAddress) connections and \(NetworkLimits().sessionsPerAddress) \
        training sessions.
        """
    )

    @Option(name: .spec(ServeRequest.host), help: ArgumentHelp(ServeRequest.host))
    var host = ServeRequest.host.defaultValue!

    @Option(name: .spec(ServeRequest.port), help: ArgumentHelp(ServeRequest.port))
    var port = Int(ServeRequest.port.defaultValue!)!

    @Option(name: .spec(ServeRequest.allowHost), help: ArgumentHelp(ServeRequest.allowHost))
    var allowedHosts: [String] = []

    func validate() throws {
        try checkOptions { () throws(OptionError) in _ = try ServeRequest.port.check(port) }
    }

    func run() async throws {
        let server: ClassroomServer
        // Diagrams are drawn by child processes running this same program (`graphviz-worker`),
        // replaced now and then, so the server's memory stays flat however many it draws.
        // /proc/self/exe is this program even if its file has been replaced since it started.
        let me = FileManager.default.isExecutableFile(atPath: "/proc/self/exe") ? "/proc/self/exe" : Bundle.main.executablePath
        do {
            server = try ClassroomServer(.init(host: host, port: UInt16(port), allowedHosts: allowedHosts, graphvizWorker: me.map { [$0, "graphviz-worker"] }))
        } catch {
            throw CommandFailure(message: error.description, status: 2)
        }
        let host = self.host, port = self.port
        Task.detached {
            guard let bound = try? await server.waitUntilListening() else { return }
            let shown = host.contains(":") ? "[\(host)]" : host
            Terminal.printNote("serving http://\(shown):\(bound)/  (Ctrl-C stops it)")
            if !(IPv4Loopback.contains(host) || host == "::1" || host == "localhost") {
                Terminal.printNote("listening beyond this computer (\(host)): anyone who can reach it on the network can use the page")
            }
        }
        // Stop cleanly on SIGINT and SIGTERM: stop listening, let requests in flight finish for
        // half a second (then they are cancelled), end the drawing processes. A second signal
        // ends the program at once.
        let stopping = StopOnce()
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                guard stopping.first() else {
                    server.killDrawingProcesses()
                    Foundation.exit(130)
                }
                Terminal.printNote("stopping")
                Task.detached { await server.stop(grace: 0.5) }
                // Whatever still runs after 0.9 s (a layout cannot be interrupted) does not keep the program.
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.9) {
                    server.killDrawingProcesses()
                    Foundation.exit(0)
                }
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        do {
            try await server.run()
        } catch where !stopping.happened {
            throw CommandFailure(message: "cannot serve on \(host):\(port): \(error)")
        } catch {}
        server.killDrawingProcesses()
    }
}

private enum IPv4Loopback {
    static func contains(_ host: String) -> Bool { host.hasPrefix("127.") }
}

private final class StopOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    /// True for the first call only.
    func first() -> Bool { lock.withLock { count += 1; return count == 1 } }
    var happened: Bool { lock.withLock { count > 0 } }
}
