import Foundation
import Ink

/// A teacher's Markdown prose as HTML for handouts. Raw HTML in the prose is shown as text (a
/// handout must never fetch anything), and `$…$` math becomes readable Unicode text, which
/// prints with no fonts or scripts from the network.
public enum Prose {
    public static func html(_ markdown: String) -> String {
        // Take the math out first, so Markdown does not read its `_` and `*` as emphasis.
        var math: [String] = []
        var text = ""
        var chars = Array(markdown)[...]
        while let ch = chars.first {
            chars = chars.dropFirst()
            if ch == "$" {
                let display = chars.first == "$"
                if display { chars = chars.dropFirst() }
                let closing: [Character] = display ? ["$", "$"] : ["$"]
                if let end = findSequence(closing, in: chars), end != chars.startIndex || display {
                    let body = String(chars[chars.startIndex..<end])
                    chars = chars[(end + closing.count)...]
                    math.append(HTML.element(display ? "div" : "span", [("class", display ? "math display" : "math")], mathHTML(body)))
                    text += "GTMATH\(math.count - 1)X"
                    continue
                }
                text += display ? "$$" : "$"
                continue
            }
            text.append(ch == "<" ? "\u{E000}" : ch)
        }
        var html = MarkdownParser().html(from: text)
        html = html.replacingOccurrences(of: "\u{E000}", with: "&lt;")
        for (k, m) in math.enumerated().reversed() { html = html.replacingOccurrences(of: "GTMATH\(k)X", with: m) }
        return html
    }

    private static func findSequence(_ seq: [Character], in chars: ArraySlice<Character>) -> Int? {
        var i = chars.startIndex
        while i + seq.count <= chars.endIndex {
            if chars[i] == "\n" && i + 1 < chars.endIndex && chars[i + 1] == "\n" { return nil }  // math never spans paragraphs
            if Array(chars[i..<(i + seq.count)]) == seq { return i }
            i += 1
        }
        return nil
    }

    /// A small LaTeX subset as HTML: Unicode symbols, `<sub>` and `<sup>`.
    public static func mathHTML(_ latex: String) -> String {
        var html = HTML.escape(unicodeMath(latex, keepScripts: true))
        let patterns: [(String, String)] = [
            ("_\\{([^{}]*)\\}", "<sub>$1</sub>"), ("_([A-Za-z0-9])", "<sub>$1</sub>"),
            ("\\^\\{([^{}]*)\\}", "<sup>$1</sup>"), ("\\^(-?[A-Za-z0-9])", "<sup>$1</sup>"),
        ]
        for (pattern, template) in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            html = regex.stringByReplacingMatches(in: html, range: NSRange(html.startIndex..., in: html), withTemplate: template)
        }
        return html.replacingOccurrences(of: "{", with: "(").replacingOccurrences(of: "}", with: ")")
    }

    /// A small LaTeX subset as Unicode text: `\frac{\partial f}{\partial x}` → `∂f/∂x`.
    /// With `keepScripts`, `_{…}` and `^{…}` are left for `mathHTML` to turn into tags.
    public static func unicodeMath(_ latex: String, keepScripts: Bool = false) -> String {
        var s = latex
        for half in ["\\tfrac12", "\\frac12", "\\dfrac12", "\\tfrac{1}{2}", "\\frac{1}{2}"] { s = s.replacingOccurrences(of: half.replacingOccurrences(of: "\\\\", with: "\\"), with: "½") }
        s = s.replacingOccurrences(of: "\\tfrac", with: "\\frac").replacingOccurrences(of: "\\dfrac", with: "\\frac")
        let words: [(String, String)] = [
            ("\\partial ", "∂"), ("\\partial", "∂"), ("\\sigma", "σ"), ("\\cdot", "·"), ("\\times", "×"), ("\\eta", "η"),
            ("\\nabla", "∇"), ("\\leftarrow", "←"), ("\\rightarrow", "→"), ("\\approx", "≈"), ("\\le", "≤"), ("\\ge", "≥"),
            ("\\neq", "≠"), ("\\sum", "Σ"), ("\\infty", "∞"), ("\\epsilon", "ε"), ("\\alpha", "α"), ("\\beta", "β"),
            ("\\lambda", "λ"), ("\\mu", "μ"), ("\\delta", "δ"), ("\\Delta", "Δ"), ("\\pm", "±"), ("\\ln", "ln"), ("\\log", "log"),
            ("\\exp", "exp"), ("\\tanh", "tanh"), ("\\max", "max"), ("\\min", "min"), ("\\left", ""), ("\\right", ""),
            ("\\,", " "), ("\\;", " "), ("\\quad", "  "), ("\\!", ""), ("\\_", "_"),
        ]
        for (from, to) in words { s = s.replacingOccurrences(of: from, with: to) }
        // \frac{a}{b} → a/b, \text{..}/\mathrm{..}/\mathbf{..} → their content, ^{..} and _{..} kept as ^(..).
        for command in ["\\text", "\\mathrm", "\\mathbf", "\\operatorname"] {
            while let r = s.range(of: command + "{"), let close = matchingBrace(s, from: r.upperBound) {
                s = String(s[..<r.lowerBound]) + String(s[r.upperBound..<close]) + String(s[s.index(after: close)...])
            }
        }
        while let r = s.range(of: "\\frac{"), let close = matchingBrace(s, from: r.upperBound),
              s.index(after: close) < s.endIndex, s[s.index(after: close)] == "{",
              let close2 = matchingBrace(s, from: s.index(close, offsetBy: 2)) {
            let top = String(s[r.upperBound..<close]), bottom = String(s[s.index(close, offsetBy: 2)..<close2])
            let wrap = { (x: String) in x.count > 1 && x.contains(where: { " +-".contains($0) }) ? "(\(x))" : x }
            s = String(s[..<r.lowerBound]) + wrap(top) + "/" + wrap(bottom) + String(s[s.index(after: close2)...])
        }
        if keepScripts { return s.replacingOccurrences(of: "\\", with: "") }
        s = s.replacingOccurrences(of: "^{", with: "^(").replacingOccurrences(of: "_{", with: "_(")
        s = s.replacingOccurrences(of: "{", with: "(").replacingOccurrences(of: "}", with: ")")
        s = s.replacingOccurrences(of: "^(2)", with: "²").replacingOccurrences(of: "^2", with: "²")
        return s.replacingOccurrences(of: "\\", with: "")
    }

    private static func matchingBrace(_ s: String, from start: String.Index) -> String.Index? {
        var depth = 1
        var i = start
        while i < s.endIndex {
            if s[i] == "{" { depth += 1 } else if s[i] == "}" { depth -= 1; if depth == 0 { return i } }
            i = s.index(after: i)
        }
        return nil
    }
}
