import Foundation
import GradTrace
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// The limits every connection is held to before any route sees it. Hummingbird's HTTP/1
/// channel (SwiftNIO's llhttp parser, bounded by `ConnectionLimits.headerBytes` and
/// `headerFields`) is wrapped with two channel handlers:
///
/// - `RawSide`, first in the pipeline, on the socket's bytes: counts connections per address
///   (503 past the cap), notes when the first byte of a request arrives, and writes the guard's
///   answers itself, as bytes, then closes.
/// - `HTTPGuard`, right after the HTTP decoder, on parsed request parts: the Host and Origin
///   (421, 403), the HTTP version (505), the body limit of the route (413, from Content-Length
///   or while a chunked body arrives), parser errors (431 for a header over the limit, 400 for
///   malformed framing and duplicate or conflicting Content-Length), and the header, body and
///   idle time-outs (408). NIO and Hummingbird would answer a parser error with a bare 400 and
///   read the rest of an oversized body; here the connection is closed after the answer, so
///   nothing after it is parsed.
///
/// A WebSocket upgrade to the socket's path passes the same checks; then `HTTPGuard` steps out
/// and the WebSocket's own limits apply (frames and messages of `NetworkLimits.messageBytes`,
/// checked from the frame header by NIO's decoder: close 1009).
struct ConnectionGuard: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value

    struct Settings: Sendable {
        var limits: ConnectionLimits
        var policy: HostPolicy
        var counts: ConnectionCounts
        var socketPath: String
        /// The body limit of the route at a path, and what to suggest past it.
        var bodyLimit: @Sendable (String) -> (bytes: Int, help: String)
    }

    let inner: HTTP1WebSocketUpgradeChannel
    let settings: Settings

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let raw = RawSide(settings: settings)
        do { try channel.pipeline.syncOperations.addHandler(raw) } catch { return channel.eventLoop.makeFailedFuture(error) }
        let settings = self.settings
        return inner.setup(channel: channel, logger: logger).assumeIsolated().flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(HTTPGuard(settings: settings, raw: raw), position: .after(decoder))
            return value
        }.nonisolated()
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }

    /// A whole response as bytes: the status line with its reason phrase, the headers every
    /// reply carries, `Connection: close`, and the JSON error body.
    static func response(_ status: Int, kind: String, _ message: String, help: String? = nil) -> ByteBuffer {
        let body = APIError(kind: kind, message: message, help: help).encoded()
        var head = "HTTP/1.1 \(status) \(Router.phrase(status))\r\n"
        head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        for (name, value) in Router.securityHeaders { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var buffer = ByteBuffer(string: head)
        buffer.writeBytes(body)
        return buffer
    }
}

/// Open connections by address, within `ConnectionLimits.perAddress` and `total`.
final class ConnectionCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var open: [String: Int] = [:]
    private var all = 0
    let limits: ConnectionLimits

    init(limits: ConnectionLimits) { self.limits = limits }

    /// False (and nothing counted) past a cap.
    func open(_ address: String) -> Bool {
        lock.withLock {
            guard all < limits.total, open[address, default: 0] < limits.perAddress else { return false }
            open[address, default: 0] += 1
            all += 1
            return true
        }
    }

    func close(_ address: String) {
        lock.withLock {
            guard let n = open[address] else { return }
            open[address] = n > 1 ? n - 1 : nil
            all -= 1
        }
    }

    func count(_ address: String) -> Int { lock.withLock { open[address] ?? 0 } }
}

/// First in the pipeline, on bytes. Passes everything through; counts the connection against
/// its address; tells the guard when the first byte of a request has come; writes the guard's
/// answers directly to the socket and closes.
final class RawSide: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let settings: ConnectionGuard.Settings
    private var context: ChannelHandlerContext?
    private var address: String?
    private var counted = false
    private(set) var closing = false
    /// Set by the guard while the connection waits for a request head; the time the first byte of it came.
    var awaitingHead = true
    var firstByte: NIODeadline?
    weak var onFirstByte: HTTPGuard?

    init(settings: ConnectionGuard.Settings) { self.settings = settings }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive {
            admit(context)
            // Added while the channel is set up: answer once it can be written to.
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.execute { loopBound.value.answerRefusal() }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
        lingerTimer?.cancel()
        lingerTimer = nil
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
        answerRefusal()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    private var refused = false

    /// Counts the connection against its address (once); past a cap it is refused.
    private func admit(_ context: ChannelHandlerContext) {
        guard address == nil else { return }
        let address = context.channel.remoteAddress?.ipAddress ?? "?"
        self.address = address
        if settings.counts.open(address) { counted = true } else { refused = true }
    }

    private func answerRefusal() {
        guard refused, !closing else { return }
        let limits = settings.counts.limits
        send(ConnectionGuard.response(503, kind: "busy", "this server takes at most \(limits.perAddress) connections from one address (\(limits.total) in all)",
                                      help: "close some tabs, or try again in a moment"))
    }

    private func release() {
        if counted, let address { settings.counts.close(address) }
        counted = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if closing {
            // Lingering after an answer: what the client still sends is read and dropped (never
            // parsed), so that closing does not reset the connection before the answer is read.
            lingered += unwrapInboundIn(data).readableBytes
            if lingered > Self.lingerBytes { close() }
            return
        }
        if awaitingHead && firstByte == nil {
            firstByte = .now()
            onFirstByte?.rearm()
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if closing, let event = event as? ChannelEvent, event == .inputClosed {
            close()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// How long, and how many bytes, the connection is drained after an answer before it closes.
    static let lingerSeconds: Int64 = 2
    static let lingerBytes = 4 << 20
    private var lingered = 0
    private var lingerTimer: Scheduled<Void>?
    private var closed = false

    /// Writes `bytes`, ends the output, drains the input for up to `lingerSeconds` or
    /// `lingerBytes`, and closes. Nothing more is passed on either way.
    func send(_ bytes: ByteBuffer) {
        guard !closing, let context else { return }
        closing = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in
            let side = loopBound.value
            guard let context = side.context, !side.closed else { return }
            context.close(mode: .output, promise: nil)
            side.lingerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(Self.lingerSeconds)) { side.close() }
        }
    }

    /// Closes the connection at once.
    func close() {
        guard !closed, let context else { return }
        closing = true
        closed = true
        lingerTimer?.cancel()
        lingerTimer = nil
        context.close(promise: nil)
    }
}

/// After the HTTP decoder, on parsed request parts and the response parts going out. See
/// `ConnectionGuard`.
final class HTTPGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let settings: ConnectionGuard.Settings
    private let raw: RawSide
    private var context: ChannelHandlerContext?
    private var removed = false

    /// Requests passed on whose responses have not ended yet, and whether one is being written.
    private var owed = 0
    private var responding = false
    /// The request whose body is arriving: its limit, bytes so far, and when its header ended.
    private var inBody = false
    private var bodyLimit = 0
    private var bodyHelp = ""
    private var received = 0
    private var bodyStart = NIODeadline.now()
    /// When the connection last became idle (no request, no response owed).
    private var idleSince = NIODeadline.now()
    /// Nothing more is passed on; the answer waiting for the responses owed, or a close.
    private var rejected = false
    private var pending: ByteBuffer?
    private var closeWhenDone = false
    private var timer: Scheduled<Void>?

    init(settings: ConnectionGuard.Settings, raw: RawSide) {
        self.settings = settings
        self.raw = raw
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        raw.onFirstByte = self
        idleSince = .now()
        rearm()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
        timer?.cancel()
        timer = nil
        raw.awaitingHead = false
        raw.onFirstByte = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    // MARK: Requests in

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !rejected else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            raw.awaitingHead = false
            raw.firstByte = nil
            if let reason = check(head) {
                reject(reason.status, kind: "request", reason.message, help: reason.help, forwarded: false)
                return
            }
            let path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            if head.headers[canonicalForm: "upgrade"].contains(where: { $0.lowercased() == "websocket" }) {
                // The socket's own limits apply from here: this handler steps out.
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
            let limit = settings.bodyLimit(path)
            if let declared = head.headers.first(name: "content-length").flatMap(Int.init), declared > limit.bytes {
                reject(413, kind: "limit", Self.overLimit(limit.bytes), help: limit.help, forwarded: false)
                return
            }
            owed += 1
            inBody = head.headers.contains(name: "transfer-encoding") || (head.headers.first(name: "content-length").flatMap(Int.init) ?? 0) > 0
            bodyLimit = limit.bytes
            bodyHelp = limit.help
            received = 0
            bodyStart = .now()
            rearm()
            context.fireChannelRead(data)
        case .body(let buffer):
            received += buffer.readableBytes
            if received > bodyLimit {
                reject(413, kind: "limit", Self.overLimit(bodyLimit), help: bodyHelp, forwarded: true)
                return
            }
            context.fireChannelRead(data)
        case .end:
            inBody = false
            raw.awaitingHead = true
            raw.firstByte = nil
            if owed == 0 { idleSince = .now() }
            rearm()
            context.fireChannelRead(data)
        }
    }

    static func overLimit(_ bytes: Int) -> String {
        "the request body is over \(bytes / 1024) KiB, the most this address takes"
    }

    private struct Refusal { var status: Int; var message: String; var help: String? }

    private func check(_ head: HTTPRequestHead) -> Refusal? {
        guard head.version.major == 1, head.version.minor <= 1 else {
            return Refusal(status: 505, message: "this server speaks HTTP/1.1 (and 1.0), not HTTP/\(head.version.major).\(head.version.minor)")
        }
        let hosts = head.headers[canonicalForm: "host"]
        guard hosts.count <= 1 else { return Refusal(status: 400, message: "a request may have one Host header, this one has \(hosts.count)") }
        let host = hosts.first.map(String.init)
        // A browser always sends Host; an HTTP/1.0 tool may not, and cannot be a rebinding page.
        let exempt = host == nil && head.version.minor == 0
        switch exempt ? .allowed : settings.policy.check(host: host, local: context?.channel.localAddress) {
        case .allowed: break
        case .malformed(let message): return Refusal(status: 400, message: message)
        case .elsewhere(let message):
            return Refusal(status: 421, message: message, help: "open this server by the address it printed when it started, or start it with --allow-host NAME for the name you use")
        }
        let origins = head.headers[canonicalForm: "origin"]
        if let origin = origins.first, origins.count > 1 || !settings.policy.sameOrigin(String(origin), host: host ?? "") {
            return Refusal(status: 403, message: "only this server's own pages may send it requests; this one came from '\(HostPolicy.printable(String(origin)))'")
        }
        let lengths = head.headers[canonicalForm: "content-length"]
        if lengths.count > 1 { return Refusal(status: 400, message: "a request may have one Content-Length") }
        if !lengths.isEmpty && head.headers.contains(name: "transfer-encoding") {
            return Refusal(status: 400, message: "a request may not have both Content-Length and Transfer-Encoding")
        }
        let path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        if head.headers[canonicalForm: "upgrade"].contains(where: { $0.lowercased() == "websocket" }) && path != settings.socketPath {
            return Refusal(status: 400, message: "the only WebSocket here is \(settings.socketPath)")
        }
        return nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parse = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // The decoder reads nothing more after an error: answer (when the stream allows) and close.
        let forwarded = inBody
        switch parse {
        case .headerOverflow:
            let limits = settings.limits
            reject(431, kind: "limit", "the request line and headers are over \(limits.headerBytes / 1024) KiB or \(limits.headerFields) lines", forwarded: forwarded)
        case .invalidVersion:
            reject(505, kind: "request", "this server speaks HTTP/1.1 (and 1.0)", forwarded: forwarded)
        case .invalidContentLength, .unexpectedContentLength:
            reject(400, kind: "request", "the Content-Length is not one number, or comes with Transfer-Encoding (\(parse))", forwarded: forwarded)
        case .invalidEOFState, .closedConnection:
            raw.close()
        case .invalidChunkSize:
            reject(400, kind: "request", "the request's body is not framed as HTTP/1.1 frames it (\(parse))", forwarded: forwarded)
        default:
            reject(400, kind: "request", "this is not an HTTP/1.1 request this server can read (\(parse))", forwarded: forwarded)
        }
    }

    /// Stops passing anything on and answers `status`: now, when no response is owed (or the
    /// only one owed is this request's, not begun: the handler's answer is then dropped with
    /// the connection); after the responses owed otherwise. Then the connection closes.
    private func reject(_ status: Int, kind: String, _ message: String, help: String? = nil, forwarded: Bool) {
        rejected = true
        inBody = false
        timer?.cancel()
        timer = nil
        let answer = ConnectionGuard.response(status, kind: kind, message, help: help)
        if owed == 0 || (forwarded && owed == 1 && !responding) {
            raw.send(answer)
        } else if forwarded {
            closeWhenDone = true  // behind another response: no answer of its own
        } else {
            pending = answer
        }
    }

    // MARK: Responses out

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status.code >= 200 { responding = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            responding = false
            owed = max(0, owed - 1)
            guard owed == 0 else {
                context.write(data, promise: promise)
                return
            }
            if let pending {
                context.write(data, promise: promise)
                raw.send(pending)  // after the response just ended, then close
            } else if closeWhenDone {
                let written = context.eventLoop.makePromise(of: Void.self)
                if let promise { written.futureResult.cascade(to: promise) }
                let raw = self.raw
                context.writeAndFlush(data, promise: written)
                written.futureResult.assumeIsolated().whenComplete { _ in raw.close() }
            } else if !inBody {
                context.write(data, promise: promise)
                idleSince = .now()
                rearm()
            } else {
                context.write(data, promise: promise)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // The server is stopping: an idle connection closes now, a busy one after its response.
            if owed == 0 && !inBody { raw.close() } else { closeWhenDone = true }
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Time-outs

    /// Schedules the one time-out that applies now: the body's, the header's (from its first
    /// byte), or the idle connection's.
    func rearm() {
        timer?.cancel()
        timer = nil
        guard !removed, !rejected, let context else { return }
        let limits = settings.limits
        let deadline: NIODeadline
        let action: () -> Void
        if inBody {
            deadline = bodyStart + .milliseconds(Int64(limits.bodySeconds * 1000))
            action = { [weak self] in self?.reject(408, kind: "timeout", "the request's body did not arrive within \(formatShortest(limits.bodySeconds)) s", forwarded: true) }
        } else if owed == 0 && raw.awaitingHead {
            if let first = raw.firstByte {
                deadline = first + .milliseconds(Int64(limits.headerSeconds * 1000))
                action = { [weak self] in self?.reject(408, kind: "timeout", "the request's header did not arrive within \(formatShortest(limits.headerSeconds)) s", forwarded: false) }
            } else {
                deadline = idleSince + .milliseconds(Int64(limits.idleSeconds * 1000))
                action = { [weak self] in self?.raw.close() }
            }
        } else {
            return  // a response is owed: the route's own limits hold
        }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline, action)
    }
}
