/// A few helpers for writing HTML by hand with strict escaping. (Plot was tried: it leaves
/// attribute values unescaped and passes `&name;` entities in text through, so user strings
/// such as a title `</script>` or `&lt;` would not come out as typed.)
public enum HTML {
    /// Escapes text for element content and for quoted attribute values.
    public static func escape(_ s: String) -> String {
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
    public static func element(_ tag: String, _ attributes: [(String, String)] = [], _ content: String) -> String {
        "<\(tag)\(attributeText(attributes))>\(content)</\(tag)>"
    }

    public static func text(_ tag: String, _ attributes: [(String, String)] = [], _ text: String) -> String {
        element(tag, attributes, escape(text))
    }

    static func attributeText(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// A complete, self-contained page: inline CSS, optional inline script, no external fetches.
    public static func page(title: String, css: String, body: String, script: String? = nil) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>\(escape(title))</title>\n<style>\n\(css)\n</style>\n</head>\n<body>\n\(body)\n"
        if let script { out += "<script>\n\(script.replacingOccurrences(of: "</", with: "<\\/"))\n</script>\n" }
        out += "</body>\n</html>\n"
        return out
    }

    /// Graphviz SVG made ready to inline in a page: the XML prolog and doctype dropped, ids
    /// prefixed so several diagrams can share a page, and sized to fit the column.
    public static func inlineSVG(_ svg: [UInt8], idPrefix: String) -> String {
        var text = String(decoding: svg, as: UTF8.self)
        if let start = text.range(of: "<svg") { text = String(text[start.lowerBound...]) }
        text = text.replacingOccurrences(of: " id=\"", with: " id=\"\(idPrefix)-")
        text = text.replacingOccurrences(of: "<svg ", with: "<svg class=\"circuit\" role=\"img\" ", options: [], range: text.range(of: "<svg "))
        // Comments carry Graphviz's version and the node ids; they are noise in a handout.
        while let open = text.range(of: "<!--"), let close = text.range(of: "-->", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        return text.trimmingTrailingNewlines()
    }
}
