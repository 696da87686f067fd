import CSystemCalls
import Foundation
import GradTrace

/// Draws the server's diagrams in child processes (`gradtrace graphviz-worker`), each replaced
/// after `layoutsPerProcess` layouts.
///
/// Why: Debian 12's Graphviz (libgvc 2.42) never frees part of what it allocates for an HTML
/// label (its HTML parser's cells and pango's markup strings): about 8.7 KB per diagram. A
/// command ends and gives that back; a server that draws every new expression a class types
/// would grow without end. A process that is replaced now and then gives it back too. It also
/// makes a layout interruptible (a child past its time is killed) and lets two diagrams be laid
/// out at once (the library's in-process Graphviz draws one at a time, behind one lock).
///
/// Without a command (`command == nil`, a library user's server), and on systems other than
/// Linux (the spawning below is Linux's), diagrams are drawn in this process by `Graphviz.render`.
final class GraphvizProcesses: Sendable {
    private let pool: Pool?
    private let seconds: Double

    init(command: [String]?, processes: Int, layoutsPerProcess: Int, seconds: Double) {
        self.seconds = seconds
        #if os(Linux)
        pool = command.map { Pool(command: $0, size: max(1, processes), layoutsPerProcess: max(1, layoutsPerProcess)) }
        if command != nil { signal(SIGPIPE, SIG_IGN) }  // a child that died must give EPIPE, not end the server
        #else
        pool = nil
        #endif
    }

    /// The time a computation running on this thread must end by (`Workers` sets it), so that a
    /// layout is cut off when its request is, not `seconds` after the layout began.
    static let deadlineKey = "GradTraceServer.deadline"

    /// Why a diagram was not drawn: Graphviz's failure, or a layout past the time limit (its
    /// process was killed).
    struct Failure: Error {
        var message: String
        var timedOut = false

        /// The reply for a request whose diagram this was: 503 "timeout", or 500 "render".
        func reply(_ what: String) -> Reply {
            timedOut ? .error(503, kind: "timeout", "\(what): \(message)", help: "try a smaller expression, or turn off expand")
                     : .error(500, kind: "render", "\(what): \(message)")
        }
    }

    /// SVG text or PNG/PDF bytes of `dot`, as `Graphviz.render` gives them, within the time limit.
    func render(dot: String, format: Graphviz.Format) throws(Failure) -> [UInt8] {
        // When no child can be started (the command is gone), the diagram is still drawn, here.
        let deadline = Thread.current.threadDictionary[Self.deadlineKey] as? Date ?? Date(timeIntervalSinceNow: seconds)
        guard let pool, let bytes = try pool.render(Wire.request(dot: dot, format: format), until: deadline) else {
            do { return try Graphviz.render(dot: dot, format: format) } catch { throw Failure(message: error.description) }
        }
        return bytes
    }

    /// Ends the children: idle ones now, busy ones when their layout is done.
    func stop() { pool?.stop() }

    /// Ends every child now, busy ones too (a server on its way out: it does not wait for a layout).
    func kill() {
        pool?.stop()
        #if canImport(Glibc)
        for pid in processIDs { Glibc.kill(pid, SIGKILL) }
        #endif
    }

    /// How many children have been started so far, and the ones running now (tests).
    var started: Int { pool?.started ?? 0 }
    var processIDs: Set<Int32> { pool?.processIDs ?? [] }

    /// The child's side: reads requests from standard input and answers on standard output until
    /// standard input closes. `gradtrace graphviz-worker` runs this; nothing else writes to its
    /// standard output.
    static func childMain() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        // Spawning closes what the server had open (close-from); where the C library cannot,
        // the child does it: a client's socket must close when the server closes it.
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(entry), fd > 2 { close(fd) }
        }
        while let request = Wire.readRequest(fd: 0) {
            var reply: [UInt8]
            do {
                let bytes = try Graphviz.render(dot: request.dot, format: request.format)
                reply = [0] + Wire.length(bytes.count) + bytes
            } catch {
                let message = Array(error.description.utf8)
                reply = [1] + Wire.length(message.count) + message
            }
            guard Wire.writeAll(fd: 1, reply) else { return 0 }
        }
        return 0
    }

    /// The bytes between the two: a request is the format's name and the DOT text, each as a
    /// 4-byte little-endian length and its UTF-8; a reply is one byte
    /// (0 drawn, 1 Graphviz's failure message) and the bytes, length first.
    enum Wire {
        static let maxBytes = 256 << 20

        static func length(_ n: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(n).littleEndian) { Array($0) } }

        static func request(dot: String, format: Graphviz.Format) -> [UInt8] {
            var out: [UInt8] = []
            for field in [format.rawValue, dot] {
                let bytes = Array(field.utf8)
                out += length(bytes.count) + bytes
            }
            return out
        }

        static func readRequest(fd: Int32) -> (dot: String, format: Graphviz.Format)? {
            var fields: [String] = []
            for _ in 0..<2 {
                guard let bytes = readField(fd: fd, deadline: nil) else { return nil }
                fields.append(String(decoding: bytes, as: UTF8.self))
            }
            guard let format = Graphviz.Format(rawValue: fields[0]) else { return nil }
            return (fields[1], format)
        }

        /// A length and that many bytes; nil at the end of input, past the deadline or past `maxBytes`.
        static func readField(fd: Int32, deadline: Date?) -> [UInt8]? {
            guard let head = readExactly(fd: fd, count: 4, deadline: deadline) else { return nil }
            let n = Int(UInt32(head[0]) | UInt32(head[1]) << 8 | UInt32(head[2]) << 16 | UInt32(head[3]) << 24)
            guard n <= maxBytes else { return nil }
            return readExactly(fd: fd, count: n, deadline: deadline)
        }

        static func readExactly(fd: Int32, count: Int, deadline: Date?) -> [UInt8]? {
            var out = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                if let deadline {
                    let ms = Int32(max(0, min(Double(Int32.max), deadline.timeIntervalSinceNow * 1000)).rounded(.up))
                    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    let ready = poll(&p, 1, ms)
                    if ready < 0 && errno == EINTR { continue }
                    if ready <= 0 { return nil }
                }
                let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, count - done) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return nil }
                done += n
            }
            return out
        }

        static func writeAll(fd: Int32, _ bytes: [UInt8]) -> Bool { Descriptor.writeAll(fd, bytes[...]) == 0 }
    }

    #if os(Linux)
    /// One child: its process and our ends of its two pipes. Started with posix_spawn, not
    /// Foundation's `Process`, which learns that a child ended when a descriptor it hands the
    /// child closes: a child that closes what it inherited would look ended to it while it runs.
    private final class Child: @unchecked Sendable {
        let pid: pid_t
        let input: Int32   // writes to the child's standard input
        let output: Int32  // reads the child's standard output
        var layouts = 0
        private var reaped = false

        init?(command: [String]) {
            var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
            guard gradtrace_pipe_cloexec(&toChild) == 0 else { return nil }
            guard gradtrace_pipe_cloexec(&fromChild) == 0 else { close(toChild[0]); close(toChild[1]); return nil }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
            posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
            // Nothing else of ours goes to the child: not a client's socket (a connection the
            // server closes must close), not another child's pipe (a child must see its input
            // end). glibc before 2.34 cannot; `childMain` then closes them itself.
            _ = gradtrace_spawn_close_from(&actions, 3)
            // `serve` ignores SIGINT and SIGTERM (it handles them itself); the child must not.
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var defaults = sigset_t()
            sigemptyset(&defaults)
            for signal in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            var unblocked = sigset_t()
            sigemptyset(&unblocked)
            posix_spawnattr_setsigmask(&attributes, &unblocked)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
            let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var child: pid_t = 0
            let status = posix_spawn(&child, command[0], &actions, &attributes, argv, environ)
            close(toChild[0])
            close(fromChild[1])
            guard status == 0 else { close(toChild[1]); close(fromChild[0]); return nil }
            pid = child
            input = toChild[1]
            output = fromChild[0]
        }

        /// Closes its input (the child then exits) and waits for it.
        func retire() {
            guard !reaped else { return }
            reaped = true
            close(input)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            close(output)
        }

        func kill() {
            if !reaped { Glibc.kill(pid, SIGKILL) }
            retire()
        }
    }

    /// At most `size` children, each serving one request at a time; a caller waits for a free one.
    private final class Pool: @unchecked Sendable {
        let command: [String]
        let size: Int
        let layoutsPerProcess: Int
        private let condition = NSCondition()
        private var idle: [Child] = []
        private var busy = 0
        private var startedCount = 0
        private var live: Set<Int32> = []
        private var stopped = false

        init(command: [String], size: Int, layoutsPerProcess: Int) {
            self.command = command
            self.size = size
            self.layoutsPerProcess = layoutsPerProcess
        }

        var started: Int { condition.lock(); defer { condition.unlock() }; return startedCount }
        var processIDs: Set<Int32> { condition.lock(); defer { condition.unlock() }; return live }

        /// The reply's bytes; nil when no child could be started (or the server has stopped).
        func render(_ request: [UInt8], until deadline: Date) throws(Failure) -> [UInt8]? {
            guard var child = take() else { return nil }
            // The request ran out of time while waiting for a child: the child is not to blame.
            if Date() >= deadline {
                giveBack(child)
                throw Failure(message: "the server was too busy to lay it out in time", timedOut: true)
            }
            // A child that ended since its last layout (killed from outside, say) fails the
            // write: one new child is tried before giving up.
            if !Wire.writeAll(fd: child.input, request) {
                end(child, kill: true)
                guard let next = take() else { return nil }
                child = next
                guard Wire.writeAll(fd: child.input, request) else {
                    end(child, kill: true)
                    return nil
                }
            }
            guard let status = Wire.readExactly(fd: child.output, count: 1, deadline: deadline),
                  let body = Wire.readField(fd: child.output, deadline: deadline) else {
                let late = Date() >= deadline
                end(child, kill: true)
                throw late ? Failure(message: "the layout ran past the time limit", timedOut: true)
                           : Failure(message: "the drawing process stopped (please report this as a bug)")
            }
            child.layouts += 1
            if child.layouts >= layoutsPerProcess { end(child, kill: false) } else { giveBack(child) }
            if status[0] != 0 { throw Failure(message: String(decoding: body, as: UTF8.self)) }
            return body
        }

        /// An idle child, or a new one when fewer than `size` are running; otherwise waits.
        /// Nil when a new one could not be started.
        private func take() -> Child? {
            condition.lock()
            while idle.isEmpty && busy >= size && !stopped { condition.wait() }
            if stopped { condition.unlock(); return nil }
            busy += 1
            if let child = idle.popLast() {
                condition.unlock()
                return child
            }
            startedCount += 1
            condition.unlock()
            guard let child = Child(command: command) else {
                condition.lock()
                busy -= 1
                condition.signal()
                condition.unlock()
                return nil
            }
            condition.lock()
            live.insert(child.pid)
            condition.unlock()
            return child
        }

        /// A turn is over and the child can draw again (unless the server has stopped).
        private func giveBack(_ child: Child) {
            condition.lock()
            busy -= 1
            let keep = !stopped
            if keep { idle.append(child) }
            condition.signal()
            condition.unlock()
            if !keep { end(child, kill: false, counted: false) }
        }

        /// A turn is over and the child ends: it has drawn its share (its input is closed and it
        /// exits), or it failed or ran out of time (it is killed).
        private func end(_ child: Child, kill: Bool, counted: Bool = true) {
            if kill { child.kill() } else { child.retire() }
            condition.lock()
            if counted { busy -= 1 }
            live.remove(child.pid)
            condition.signal()
            condition.unlock()
        }

        deinit { idle.forEach { $0.retire() } }

        func stop() {
            condition.lock()
            stopped = true
            condition.broadcast()
            let children = idle
            idle = []
            condition.unlock()
            for child in children {
                child.retire()
                condition.lock()
                live.remove(child.pid)
                condition.unlock()
            }
        }
    }
    #else
    private final class Pool: Sendable {
        var started: Int { 0 }
        var processIDs: Set<Int32> { [] }
        func render(_ request: [UInt8], until deadline: Date) throws(Failure) -> [UInt8]? { nil }
        func stop() {}
    }
    #endif
}
