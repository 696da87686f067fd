import Foundation
import NIOCore

/// Which Host and Origin a request may carry: only this server's own pages may drive it.
///
/// A page of another site can make a browser send requests here by DNS rebinding (its name,
/// resolved again, points at this computer); the browser then sends that site's name as Host.
/// So the Host must be the address the connection arrived at (`localhost` too, when that is a
/// loopback address) or a name given with `--allow-host`, and its port this server's. A
/// request's Origin, when it has one (a browser sends it with every WebSocket and POST), must be
/// the same origin: scheme, host and port.
struct HostPolicy: Sendable {
    /// A name given with `--allow-host`: `teacher.local` (with this server's port, or none) or
    /// `classroom.example.org:443` (a proxy in front: that port).
    struct Name: Sendable, Equatable {
        var host: String
        var port: Int?

        init?(_ text: String) {
            guard let (host, port) = HostPolicy.split(text), !host.isEmpty else { return nil }
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._:"))
            guard host.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }) else { return nil }
            self.host = host
            self.port = port
        }
    }

    var names: [Name]
    /// The port the server listens on (known once it is bound).
    var port: @Sendable () -> Int

    /// A Host header's host (lower-cased, without brackets or a trailing dot) and port; nil when it
    /// is not `host`, `host:port` or `[v6]:port`.
    static func split(_ value: String) -> (host: String, port: Int?)? {
        var text = Substring(value.trimmingCharacters(in: .whitespaces).lowercased())
        var host: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            text = text[text.index(after: close)...]
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            text = text[colon...]
            guard !host.contains(":") else { return nil }
        } else {
            host = text
            text = ""
        }
        var port: Int?
        if !text.isEmpty {
            guard text.hasPrefix(":"), let p = Int(text.dropFirst()), (1...65535).contains(p), text.dropFirst().allSatisfy(\.isASCII) else { return nil }
            port = p
        }
        if host.hasSuffix(".") { host = host.dropLast() }
        return (String(host), port)
    }

    enum Verdict: Equatable {
        case allowed
        /// 400: no Host, or one that is not a host.
        case malformed(String)
        /// 421: a host this server is not.
        case elsewhere(String)
    }

    /// `local`: the address the connection arrived at (the bound address, or for 0.0.0.0 the
    /// interface the client reached).
    func check(host value: String?, local: SocketAddress?) -> Verdict {
        guard let value, !value.isEmpty else { return .malformed("a request needs a Host header") }
        guard let (host, port) = Self.split(value) else { return .malformed("'\(Self.printable(value))' is not a Host") }
        let ours = self.port()
        let localBytes = local?.ipAddress.flatMap(IPAddressBytes.init)
        if let literal = IPAddressBytes(host) {
            if let localBytes, literal == localBytes, port == ours || (port == nil && ours == 80) { return .allowed }
        } else if host == "localhost" {
            if localBytes?.isLoopback == true, port == ours || (port == nil && ours == 80) { return .allowed }
        }
        for name in names where name.host == host {
            if let fixed = name.port { if port == fixed || (port == nil && fixed == 80) { return .allowed } }
            else if port == nil || port == ours { return .allowed }
        }
        return .elsewhere("this server does not answer to the host '\(Self.printable(value))'")
    }

    /// True when `origin` is the origin of a page of this server reached as `host` (a Host that passed `check`).
    func sameOrigin(_ origin: String, host: String) -> Bool {
        let lower = origin.lowercased()
        let scheme: String, defaultPort: Int
        if lower.hasPrefix("http://") { (scheme, defaultPort) = ("http", 80) } else if lower.hasPrefix("https://") { (scheme, defaultPort) = ("https", 443) } else { return false }
        guard let (originHost, originPort) = Self.split(String(lower.dropFirst(scheme.count + 3))),
              let (requestHost, requestPort) = Self.split(host) else { return false }
        // https only through a proxy in front, reached by a name given with --allow-host.
        if scheme == "https" && !names.contains(where: { $0.host == requestHost }) { return false }
        let hostDefault = scheme == "https" ? 443 : 80
        if let a = IPAddressBytes(originHost), let b = IPAddressBytes(requestHost) { guard a == b else { return false } } else if originHost != requestHost { return false }
        return (originPort ?? defaultPort) == (requestPort ?? hostDefault)
    }

    /// A header value shown in an error: printable ASCII only, at most 100 characters.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(100).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" })
    }
}

/// An IPv4 or IPv6 address as its bytes (an IPv4-mapped IPv6 address as the IPv4 one), so two
/// spellings of one address compare equal.
struct IPAddressBytes: Equatable, Sendable {
    var bytes: [UInt8]

    init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            let all = withUnsafeBytes(of: &v6) { Array($0) }
            bytes = all.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] ? Array(all.suffix(4)) : all
        } else {
            return nil
        }
    }

    var isLoopback: Bool { bytes.count == 4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1] }
}
