import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

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

/// One entry of the route table: a method and an exact path, and what answers it. A POST's
/// body is read within `bodyBytes` (the server's `bodyBytes` unless the route says otherwise);
/// past it the client is told `help`.
struct Route: Sendable {
    var method: String
    var path: String
    var bodyBytes: Int?
    var bodyHelp = "send a shorter expression"
    var handler: @Sendable (Request) async -> Reply

    init(_ method: String, _ path: String, bodyBytes: Int? = nil, bodyHelp: String? = nil, _ handler: @escaping @Sendable (Request) async -> Reply) {
        self.method = method
        self.path = path
        self.bodyBytes = bodyBytes
        if let bodyHelp { self.bodyHelp = bodyHelp }
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

/// The server's one handler: finds the route, reads the body within its limit, and adds the
/// headers every reply carries. (Sizes, time-outs, Host and Origin were checked before any of
/// this, by `ConnectionGuard`.)
struct Router: Sendable {
    let routes: [String: Route]  // "GET /path"
    let paths: Set<String>
    let limits: ServerLimits
    /// The largest body any route takes (the guard's limit for a path no route has).
    let largestBody: Int

    init(routes: [Route], limits: ServerLimits) {
        var table: [String: Route] = [:]
        for route in routes {
            precondition(table["\(route.method) \(route.path)"] == nil, "two routes for \(route.method) \(route.path)")
            table["\(route.method) \(route.path)"] = route
        }
        self.routes = table
        paths = Set(routes.map(\.path))
        self.limits = limits
        largestBody = routes.map { $0.bodyBytes ?? limits.bodyBytes }.max() ?? limits.bodyBytes
    }

    /// The body limit at `path` (a POST route's, else the server's) and what to suggest past it.
    func bodyLimit(path: String) -> (bytes: Int, help: String) {
        if let route = routes["POST \(path)"] { return (route.bodyBytes ?? limits.bodyBytes, route.bodyHelp) }
        return (limits.bodyBytes, "send a shorter expression")
    }

    func respond(to request: Hummingbird.Request) async -> Response {
        let method = request.method.rawValue.uppercased()
        let lookup = method == "HEAD" ? "GET" : method
        // As URLComponents reads them: the path percent-decoded, the query's "+" left as it is.
        let components = URLComponents(string: request.uri.string)
        let path = components?.path ?? request.uri.path
        guard let route = routes["\(lookup) \(path)"] else {
            if paths.contains(path) {
                return Self.response(.error(405, kind: "request", "\(method) is not allowed on \(path)"))
            }
            return Self.response(.error(404, kind: "request", "there is nothing at this address"))
        }
        var body = Data()
        if lookup == "POST" {
            let limit = route.bodyBytes ?? limits.bodyBytes
            var request = request
            do {
                let buffer = try await request.collectBody(upTo: limit)
                body = Data(buffer.readableBytesView)
            } catch {
                return Self.response(.error(413, kind: "limit", HTTPGuard.overLimit(limit), help: route.bodyHelp))
            }
        }
        var query: [String: String] = [:]
        for item in (components?.queryItems ?? []).prefix(1_000) where query[item.name] == nil { query[item.name] = item.value ?? "" }
        let reply = await route.handler(Request(method: method, path: path, query: query, body: body))
        return Self.response(reply, head: method == "HEAD")
    }

    /// The Content-Security-Policy of every reply: scripts and styles only from this server's
    /// own files, connections only back to it, diagrams drawn inline, nothing framed.
    static let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The headers every reply carries, the guard's own answers included.
    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Cache-Control", "no-store"),
    ]

    static func response(_ reply: Reply, head: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = reply.contentType
        for (name, value) in securityHeaders + reply.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let status = HTTPResponse.Status(code: reply.status, reasonPhrase: phrase(reply.status))
        if head {
            headers[.contentLength] = String(reply.body.count)
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 101: "Switching Protocols"
        case 200: "OK"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Content Too Large"
        case 421: "Misdirected Request"
        case 422: "Unprocessable Content"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: HTTPResponse.Status(code: status).reasonPhrase.isEmpty ? "Status \(status)" : HTTPResponse.Status(code: status).reasonPhrase
        }
    }
}
