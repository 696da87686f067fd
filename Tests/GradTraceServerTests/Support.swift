import Foundation
@testable import GradTraceServer

/// The built `gradtrace` executable (swift test builds it beside the test bundle), whose
/// `graphviz-worker` draws the served diagrams as `gradtrace serve` has it; nil if not built.
let gradtraceExecutable: String? = {
    if let path = ProcessInfo.processInfo.environment["GRADTRACE_BIN"] { return path }
    var candidates = Bundle.allBundles.filter { $0.bundleURL.pathExtension == "xctest" }
        .map { $0.bundleURL.deletingLastPathComponent().appendingPathComponent("gradtrace").path }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates += ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/gradtrace").path }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// A server on a free loopback port for one test, stopped at the end. Its diagrams are drawn
/// by `gradtrace graphviz-worker` processes, as `gradtrace serve` does, when the executable is built.
func withServer(_ limits: ServerLimits = ServerLimits(), allowedHosts: [String] = [], _ body: (UInt16) async throws -> Void) async throws {
    let server = try ClassroomServer(.init(host: "127.0.0.1", port: 0, allowedHosts: allowedHosts, limits: limits,
                                           graphvizWorker: gradtraceExecutable.map { [$0, "graphviz-worker"] }))
    let task = Task { try await server.run() }
    // Generous: in the whole suite, CPU-bound tests can hold Swift's cooperative threads (two,
    // on two cores) for a long while before the server gets to run.
    let port = try await server.waitUntilListening(timeout: 300)
    do {
        try await body(port)
    } catch {
        await server.stop(grace: 0)
        task.cancel()
        throw error
    }
    await server.stop(grace: 0)
    task.cancel()
}

/// A response as it came over the wire.
struct Response {
    var status: Int
    /// "HTTP/1.1 403 Forbidden"
    var statusLine = ""
    var headers: [String: String]  // lower-cased names
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
}

/// Sends `raw` bytes as they are (so malformed and oversized requests can be sent) and reads the
/// reply until the server closes or a whole response has arrived. Blocking socket calls run on a
/// Dispatch thread, off Swift's cooperative pool, which the server needs.
func send(_ port: UInt16, raw: Data, timeout: Int = 120) async throws -> Response {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            do { continuation.resume(returning: try sendBlocking(port, raw: raw, timeout: timeout)) } catch { continuation.resume(throwing: error) }
        }
    }
}

struct ClientError: Error, CustomStringConvertible { var description: String }

/// A TCP connection to the server on 127.0.0.1. `from` picks the client's own loopback address
/// (127.0.0.2, …: Linux routes all of 127/8 to this machine), so a hostile client can be held to
/// its per-address caps while the tests' other requests, from 127.0.0.1, are not.
func connectSocket(_ port: UInt16, timeout: Int = 120, from source: String? = nil) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ClientError(description: "socket: \(errno)") }
    var tv = timeval(tv_sec: timeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    if let source {
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { close(fd); throw ClientError(description: "bind \(source): \(errno)") }
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    let ok = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard ok == 0 else { close(fd); throw ClientError(description: "connect: \(errno)") }
    return fd
}

func sendBlocking(_ port: UInt16, raw: Data, timeout: Int) throws -> Response {
    let fd = try connectSocket(port, timeout: timeout)
    defer { close(fd) }
    var offset = 0
    let bytes = [UInt8](raw)
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }  // the server may close early on an oversized body; read what it said
        offset += n
    }
    var received = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &buffer, buffer.count)
        if n <= 0 { break }
        received.append(contentsOf: buffer[0..<n])
        if let response = parse(received), response.body.count >= Int(response.headers["content-length"] ?? "0") ?? 0 { return response }
    }
    guard let response = parse(received) else { throw ClientError(description: "no response (\(received.count) bytes)") }
    return response
}

func parse(_ bytes: [UInt8]) -> Response? {
    let separator: [UInt8] = [13, 10, 13, 10]
    guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
    let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
    guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2, let status = Int(statusLine.split(separator: " ")[1]) else { return nil }
    var headers: [String: String] = [:]
    for line in head.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    var body = Data(bytes[(end + 4)...])
    if let length = headers["content-length"].flatMap(Int.init), body.count > length { body = body.prefix(length) }
    return Response(status: status, statusLine: statusLine, headers: headers, body: body)
}

func get(_ port: UInt16, _ path: String) async throws -> Response {
    try await send(port, raw: Data("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8))
}

func post(_ port: UInt16, _ path: String, body: Data) async throws -> Response {
    var request = Data("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
    request.append(body)
    return try await send(port, raw: request)
}

func post(_ port: UInt16, _ path: String, json: [String: Any]) async throws -> Response {
    try await post(port, path, body: try JSONSerialization.data(withJSONObject: json))
}

var neuron: [String: Any] { ["source": "1/(1+exp(-(w0*x0+w1*x1+w2)))", "values": ["w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3], "precision": 2] }

func percentEncoded(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
}

/// The sockets of `fds` that have something to read (or were closed by the server), waiting up
/// to `seconds` for `expecting` of them.
func readableSockets(_ fds: [Int32], expecting: Int, seconds: Double) throws -> [Int32] {
    let deadline = Date(timeIntervalSinceNow: seconds)
    var ready: [Int32] = []
    while Date() < deadline {
        var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        _ = poll(&polled, nfds_t(polled.count), 200)
        ready = polled.filter { $0.revents != 0 }.map(\.fd)
        if ready.count >= expecting { break }
    }
    return ready
}

/// Reads one response (or what came before the server closed) from a connected socket.
func readResponse(_ fd: Int32) throws -> Response {
    var received = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(fd, &buffer, buffer.count)
        if n <= 0 { break }
        received.append(contentsOf: buffer[0..<n])
        if let response = parse(received), response.body.count >= Int(response.headers["content-length"] ?? "0") ?? 0 { return response }
    }
    guard let response = parse(received) else { throw ClientError(description: "no response (\(received.count) bytes)") }
    return response
}
