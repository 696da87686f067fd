import ArgumentParser
import Dispatch
import Foundation
import GradTrace
import GradTraceServer

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the live classroom page: type an expression, see its circuit and backward pass.",
        discussion: """
        Listens on http://127.0.0.1:8080 (this computer only) and prints the address; it opens \
        nothing. For a classroom, --host 0.0.0.0 --port 9000 listens on every network interface: \
        anyone who can reach this computer can then use the page. Everything the page needs is \
        inside the gradtrace binary; it fetches nothing from the internet. Ctrl-C (SIGINT) or \
        SIGTERM stops the server, letting requests in flight finish.

        Each request is limited (body \(ServerLimits().bodyBytes / 1024) KiB, expression \
        \(ServerLimits().sourceBytes / 1024) KiB, \(ServerLimits().nodes) nodes, diagrams of \
        \(ServerLimits().diagramGates) gates, \(Int(ServerLimits().wallSeconds)) seconds) and \
        gets a clear error past a limit.
        """
    )

    @Option(name: .long, help: "The address to listen on: 127.0.0.1 (default), 0.0.0.0 for every interface, ::1.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "The port (0 picks a free one).")
    var port: UInt16 = 8080

    func run() throws {
        let server: ClassroomServer
        // Diagrams are drawn by child processes running this same program (`graphviz-worker`),
        // replaced now and then, so the server's memory stays flat however many it draws.
        // /proc/self/exe is this program even if its file has been replaced since it started.
        let me = FileManager.default.isExecutableFile(atPath: "/proc/self/exe") ? "/proc/self/exe" : Bundle.main.executablePath
        do { server = try ClassroomServer(.init(host: host, port: port, graphvizWorker: me.map { [$0, "graphviz-worker"] })) } catch {
            throw CommandFailure(message: error.description, status: 2)
        }
        let finished = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task.detached {
            // After a stop, FlyingFox ends run() with an error ("disconnected"): that is the normal end.
            do { try await server.run() } catch where !failure.stopping { failure.set("cannot serve on \(host):\(port): \(error)") } catch {}
            finished.signal()
        }
        Task.detached {
            guard let bound = try? await server.waitUntilListening() else { return }
            let shown = host.contains(":") ? "[\(host)]" : host
            Terminal.printNote("serving http://\(shown):\(bound)/  (Ctrl-C stops it)")
            if host == "0.0.0.0" || host == "::" {
                Terminal.printNote("listening on every network interface: anyone who can reach this computer can use the page")
            }
        }
        // Stop cleanly on SIGINT and SIGTERM: stop listening, let requests in flight finish.
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                failure.stop()
                Terminal.printNote("stopping")
                Task.detached { await server.stop(grace: 1) }
                // A computation cannot be interrupted (Graphviz lays out to the end), and FlyingFox
                // waits for its request: end anyway once the grace period is over.
                DispatchQueue.global().asyncAfter(deadline: .now() + 2) { finished.signal() }
            }
            source.resume()
            sources.append(source)
        }
        finished.wait()
        sources.forEach { $0.cancel() }
        if let message = failure.message { throw CommandFailure(message: message) }
    }
}

private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    private var stopped = false
    func set(_ message: String) { lock.lock(); text = message; lock.unlock() }
    func stop() { lock.lock(); stopped = true; lock.unlock() }
    var stopping: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
    var message: String? { lock.lock(); defer { lock.unlock() }; return text }
}
