import FlyingFox
import Foundation

/// What a handler answers: a status, a content type and the bytes. Security headers are added
/// to every reply in one place (`Router.response`).
struct Reply: Sendable {
    var status: Int
    var contentType: String
    var body: Data
    /// Extra headers: `Content-Disposition` for downloads, `Cache-Control` for assets.
    var headers: [(String, String)] = []

    static func json(_ status: Int, _ body: Data) -> Reply {
        Reply(status: status, contentType: "application/json; charset=utf-8", body: body)
    }

    /// `{"ok": false, "error": {"kind": …, "message": …}}`: the one shape of every error.
    static func error(_ status: Int, kind: String, _ message: String, help: String? = nil) -> Reply {
        json(status, APIError(kind: kind, message: message, help: help).encoded())
    }
}

/// A request as handlers see it: method, path, query and the body, already read within the
/// body limit (or nil when it was over it).
struct Request: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var body: Data
}

/// One entry of the route table: a method and an exact path, and what answers it.
struct Route: Sendable {
    var method: String
    var path: String
    var handler: @Sendable (Request) async -> Reply

    init(_ method: String, _ path: String, _ handler: @escaping @Sendable (Request) async -> Reply) {
        self.method = method
        self.path = path
        self.handler = handler
    }
}

/// A page of the classroom server: where it lives, its title for the navigation bar, and every
/// route it needs (the page itself, its script, its API). To add a page, write one file with a
/// type conforming to `Page` and add it to `Pages.all`.
protocol Page: Sendable {
    /// Shown in the navigation bar of every page.
    var title: String { get }
    /// The path of the page itself, `/` for the first.
    var path: String { get }
    /// Every route of the page; `context` has the limits, the workers and the cache.
    func routes(_ context: ServerContext) -> [Route]
}

/// The pages the server serves, in navigation order.
enum Pages {
    static let all: [any Page] = [ExplainPage(), NetworkPage()]
}

/// What handlers share: the limits, the computation slots, the response cache, the processes
/// that draw diagrams and the pages (for the navigation bar).
struct ServerContext: Sendable {
    var limits: ServerLimits
    var workers: Workers
    var cache: ResponseCache
    var inFlight = InFlight()
    var graphviz: GraphvizProcesses
    var navigation: [(title: String, path: String)]

    /// Runs `compute` off the event loop within the limits, caching its reply under `key`.
    /// Requests for what is being computed already wait for that computation (a class opening
    /// one permalink at once computes it once).
    func computed(key: String, _ compute: @escaping @Sendable () -> Reply) async -> Reply {
        if let hit = cache.get(key) { return hit }
        if let shared = await inFlight.join(key) { return shared }
        let reply: Reply
        switch await workers.run(compute) {
        case .done(let done):
            if done.status == 200 || done.status == 422 { cache.put(key, done) }
            reply = done
        case .busy:
            reply = .error(503, kind: "busy", "the server is busy with other requests", help: "try again in a moment")
        case .timedOut:
            reply = .error(503, kind: "timeout", "this took longer than \(Int(limits.wallSeconds)) seconds",
                           help: "try a smaller expression, or turn off expand")
        }
        inFlight.finish(key, reply)
        return reply
    }
}

/// The server's one handler: reads the body within the limit, finds the route, and adds the
/// headers every reply carries.
struct Router: HTTPHandler {
    let routes: [String: Route]  // "GET /path"
    let paths: Set<String>
    let limits: ServerLimits

    init(routes: [Route], limits: ServerLimits) {
        var table: [String: Route] = [:]
        for route in routes {
            precondition(table["\(route.method) \(route.path)"] == nil, "two routes for \(route.method) \(route.path)")
            table["\(route.method) \(route.path)"] = route
        }
        self.routes = table
        paths = Set(routes.map(\.path))
        self.limits = limits
    }

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let method = request.method.rawValue.uppercased()
        let lookup = method == "HEAD" ? "GET" : method
        guard let route = routes["\(lookup) \(request.path)"] else {
            if paths.contains(request.path) {
                return Self.response(.error(405, kind: "request", "\(method) is not allowed on \(request.path)"), closing: false)
            }
            return Self.response(.error(404, kind: "request", "there is nothing at this address"), closing: false)
        }
        var body = Data()
        if lookup == "POST" {
            switch try await Self.readBody(request, limit: limits.bodyBytes) {
            case .some(let data): body = data
            case .none:
                // The rest of an oversized body is not read into memory: the connection is closed.
                return Self.response(.error(413, kind: "limit", "the request body is over \(limits.bodyBytes / 1024) KiB",
                                            help: "send a shorter expression"), closing: true)
            }
        }
        var query: [String: String] = [:]
        for item in request.query.prefix(1_000) where query[item.name] == nil { query[item.name] = item.value }
        let reply = await route.handler(Request(method: method, path: request.path, query: query, body: body))
        var response = Self.response(reply, closing: false)
        if method == "HEAD" { response = HTTPResponse(statusCode: response.statusCode, headers: response.headers) }
        return response
    }

    /// The body, or nil when it is longer than `limit`. An oversized body is still read to its
    /// end, in buffers, and dropped (up to `drainLimit`): FlyingFox would otherwise take what is
    /// left of it, byte by byte, for the next request on the connection.
    static func readBody(_ request: HTTPRequest, limit: Int) async throws -> Data? {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > drainLimit { return nil }
        var data = Data()
        var total = 0
        for try await chunk in request.bodySequence {
            total += chunk.count
            if total <= limit { data.append(chunk) } else { data = Data() }
            if total > drainLimit { break }
        }
        return total > limit ? nil : data
    }

    static let drainLimit = 64 * 1024 * 1024

    /// The Content-Security-Policy of every reply: scripts and styles only from this server's
    /// own files, connections only back to it, diagrams drawn inline, nothing framed.
    static let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static func response(_ reply: Reply, closing: Bool) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers[.contentType] = reply.contentType
        headers[HTTPHeader("Content-Security-Policy")] = policy
        headers[HTTPHeader("X-Content-Type-Options")] = "nosniff"
        headers[HTTPHeader("Referrer-Policy")] = "no-referrer"
        headers[HTTPHeader("Cross-Origin-Resource-Policy")] = "same-origin"
        headers[HTTPHeader("Cache-Control")] = "no-store"
        for (name, value) in reply.headers { headers[HTTPHeader(name)] = value }
        if closing { headers[.connection] = "close" }
        // One write for the whole body, not FlyingFox's default 4 KiB pieces (a neuron's reply is 17 KiB).
        return HTTPResponse(statusCode: HTTPStatusCode(reply.status, phrase: phrase(reply.status)), headers: headers,
                            body: HTTPBodySequence(data: reply.body, suggestedBufferSize: max(4096, reply.body.count)))
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        case 422: "Unprocessable Content"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }
}
