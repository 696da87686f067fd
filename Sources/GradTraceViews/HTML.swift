import Foundation
import GradTraceGraphviz

/// A few helpers for writing HTML by hand with strict escaping. (Plot was tried: it leaves
/// attribute values unescaped and passes `&name;` entities in text through, so user strings
/// such as a title `</script>` or `&lt;` would not come out as typed.)
package enum HTML {
    /// Escapes text for element content and for quoted attribute values.
    package static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// `<tag attr="value">content</tag>`; attribute values are escaped, content is not.
    package static func element(_ tag: String, _ attributes: [(String, String)] = [], _ content: String) -> String {
        "<\(tag)\(attributeText(attributes))>\(content)</\(tag)>"
    }

    package static func text(_ tag: String, _ attributes: [(String, String)] = [], _ text: String) -> String {
        element(tag, attributes, escape(text))
    }

    package static func attributeText(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// A complete, self-contained page: inline CSS, optional inline script, no external fetches.
    /// Its Content-Security-Policy lets the browser run only the page's own script (by its
    /// SHA-256 hash) and load nothing from anywhere (images only as `data:` URLs), so even
    /// markup that slipped into lesson text could neither run nor fetch.
    package static func page(title: String, css: String, body: String, script: String? = nil) -> String {
        let scriptText = script.map { "\n" + $0.replacingOccurrences(of: "</", with: "<\\/") + "\n" }
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy(script: scriptText))\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>\(escape(title))</title>\n<style>\n\(css)\n</style>\n</head>\n<body>\n\(body)\n"
        if let scriptText { out += "<script>\(scriptText)</script>\n" }
        out += "</body>\n</html>\n"
        return out
    }

    /// The policy of a page whose one inline script has exactly the text `script`.
    package static func contentSecurityPolicy(script: String?) -> String {
        var policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
        if let script { policy += "; script-src 'sha256-\(Data(SHA256.hash(Array(script.utf8))).base64EncodedString())'" }
        return policy
    }

    /// Graphviz SVG made ready to inline in a page: the XML prolog and doctype dropped, ids
    /// prefixed so several diagrams can share a page, and sized to fit the column. It is an
    /// image (`role="img"`) named by `title` and described by `description`, its first two
    /// children `<title>` and `<desc>` (WCAG 1.1.1: a screen reader says what the figure shows).
    package static func inlineSVG(_ svg: [UInt8], idPrefix: String, title: String, description: String) -> String {
        var text = String(decoding: svg, as: UTF8.self)
        if let start = text.range(of: "<svg") { text = String(text[start.lowerBound...]) }
        text = text.replacingOccurrences(of: " id=\"", with: " id=\"\(idPrefix)-")
        // Comments carry Graphviz's version and the node ids; they are noise in a handout.
        while let open = text.range(of: "<!--"), let close = text.range(of: "-->", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        // So are the <title>s Graphviz gives each node and edge (n7, n2&#45;&gt;n4) and the graph
        // (circuit, chart): a reader hovering a gate would see an internal id the figure does not
        // show, and a screen reader would read them out.
        var search = text.startIndex..<text.endIndex
        while let open = text.range(of: "<title>", range: search), let close = text.range(of: "</title>", range: open.upperBound..<text.endIndex) {
            let inner = text[open.upperBound..<close.lowerBound]
            if inner.hasPrefix("n") || inner.hasPrefix("f") || inner.hasPrefix("out") || inner.hasPrefix("p") || inner.hasPrefix("cluster")
                || inner == "circuit" || inner == "chart" || inner == "boundary" {
                text.removeSubrange(open.lowerBound..<close.upperBound)
                search = open.lowerBound..<text.endIndex
            } else {
                search = close.upperBound..<text.endIndex
            }
        }
        let id = escape(idPrefix)
        text = text.replacingOccurrences(of: "<svg ", with: "<svg class=\"circuit\" role=\"img\" aria-labelledby=\"\(id)-title\" aria-describedby=\"\(id)-desc\" ",
                                         options: [], range: text.range(of: "<svg "))
        if let open = text.range(of: "<svg "), let close = text.range(of: ">", range: open.upperBound..<text.endIndex) {
            text.insert(contentsOf: "\n<title id=\"\(id)-title\">\(escape(title))</title>\n<desc id=\"\(id)-desc\">\(escape(description))</desc>", at: close.upperBound)
        }
        return text.trimmingTrailingNewlines()
    }
}

/// SHA-256 (FIPS 180-4), for the Content-Security-Policy hashes of inline scripts; Foundation
/// on Linux has no digest functions.
package enum SHA256 {
    package static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    package static func hash(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var data = message
        let bitLength = UInt64(message.count) * 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for t in 0..<16 {
                let b = chunk + t * 4
                w[t] = UInt32(data[b]) << 24 | UInt32(data[b + 1]) << 16 | UInt32(data[b + 2]) << 8 | UInt32(data[b + 3])
            }
            for t in 16..<64 {
                let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for t in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        return h.flatMap { v in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> UInt32($0)) } }
    }
}
