import Foundation

/// Finds displayed equations made only of numbers — `-2.00 × 0.197 = -0.39`, `∇ 7 = 1 + 3 + 3`,
/// `w ← 0.4 − 0.5 × 0.0822 = 0.3589` — in text, HTML, Markdown (with `$…$` LaTeX) or SVG, and
/// recomputes each from its operands exactly as shown (decimal arithmetic, × before ±). An
/// equation is false when the result is off by more than half a unit of its last shown digit.
/// Equations written with ≈ are not claims of equality and are skipped.
enum EquationScanner {
    struct Finding: CustomStringConvertible {
        var text: String
        var computed: Decimal
        var description: String { "\(text)   (recomputed: \(computed))" }
    }

    enum Token: Equatable {
        case number(Decimal, halfUnit: Decimal, text: String)
        case op(Character)   // + - ×
        case equals
        case other
    }

    /// Every false equation in `text`.
    static func falseEquations(in raw: String) -> [Finding] { scan(raw).false }

    /// How many equations `text` shows (true or false): a test asserts it checked some.
    static func equationCount(in raw: String) -> Int { scan(raw).checked }

    static func scan(_ raw: String) -> (false: [Finding], checked: Int) {
        let tokens = tokenize(plain(raw))
        var findings: [Finding] = []
        var checked = 0
        var i = 0
        // A run: number (op number)* = number (op number)*, bounded by non-equation tokens.
        while i < tokens.count {
            guard case .number = tokens[i] else { i += 1; continue }
            if i > 0, case .op = tokens[i - 1], i > 1, case .other = tokens[i - 2] { i += 1; continue }  // `x - 1 = …`
            var j = i
            var sides: [[Token]] = [[]]
            var expectNumber = true
            while j < tokens.count {
                let t = tokens[j]
                if expectNumber, case .number = t { sides[sides.count - 1].append(t); expectNumber = false; j += 1; continue }
                if !expectNumber, case .op = t { sides[sides.count - 1].append(t); expectNumber = true; j += 1; continue }
                if !expectNumber, t == .equals { sides.append([]); expectNumber = true; j += 1; continue }
                break
            }
            // A dangling operator or '=' at the end: not an equation.
            if !expectNumber, sides.count == 2, sides.allSatisfy({ !$0.isEmpty }) {
                let left = sides[0], right = sides[1]
                let leftOps = left.contains { if case .op = $0 { return true } else { return false } }
                let rightOps = right.contains { if case .op = $0 { return true } else { return false } }
                // One side is the result (a lone number), the other an expression.
                if leftOps != rightOps {
                    let (expression, result) = leftOps ? (left, right[0]) : (right, left[0])
                    if case .number(let r, let half, _) = result, let value = evaluate(expression) {
                        checked += 1
                        var difference = value - r
                        if difference < 0 { difference = -difference }
                        if difference > half {
                            let shown = (left + [.equals] + right).map(describe).joined(separator: " ")
                            findings.append(Finding(text: shown, computed: value))
                        }
                    }
                }
            }
            i = max(j, i + 1)
        }
        return (findings, checked)
    }

    static func describe(_ t: Token) -> String {
        switch t {
        case .number(_, _, let text): return text
        case .op(let c): return String(c)
        case .equals: return "="
        case .other: return "…"
        }
    }

    /// × before + and −, left to right.
    static func evaluate(_ tokens: [Token]) -> Decimal? {
        var terms: [Decimal] = []
        var sign: Decimal = 1
        var product: Decimal?
        for t in tokens {
            switch t {
            case .number(let v, _, _): product = (product ?? 1) * v
            case .op("×"): break
            case .op(let c):
                guard let p = product else { return nil }
                terms.append(sign * p)
                product = nil
                sign = c == "+" ? 1 : -1
            default: return nil
            }
        }
        guard let p = product else { return nil }
        terms.append(sign * p)
        return terms.reduce(0, +)
    }

    /// Text with tags removed, entities decoded, LaTeX operators as their symbols.
    static func plain(_ s: String) -> String {
        var out = ""
        var tag: String?
        let blocks: Set<String> = ["td", "th", "tr", "li", "p", "br", "div", "h1", "h2", "h3", "h4", "figcaption", "text", "table", "ol", "ul", "section", "summary", "details"]
        for ch in s {
            if ch == "<" && tag == nil { tag = ""; continue }
            if var t = tag {
                if ch == ">" {
                    let name = String(t.drop(while: { $0 == "/" }).prefix { $0.isLetter || $0.isNumber }).lowercased()
                    // Sub- and superscripts stay glued to their name (p<sub>1</sub> is p1); blocks end a line.
                    let closing = t.hasPrefix("/")
                    out += name == "sub" ? "" : name == "sup" ? (closing ? "}" : "^{") : blocks.contains(name) ? "\n" : " "
                    tag = nil
                } else {
                    t.append(ch)
                    tag = t
                }
                continue
            }
            out.append(ch)
        }
        for (entity, replacement) in [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#8722;", "−")] {
            out = out.replacingOccurrences(of: entity, with: replacement)
        }
        // A bracketed negative factor, `0.37 × (-0.53)`, is the number itself.
        if let bracketed = try? NSRegularExpression(pattern: "\\(\\s*([-−]?[0-9][0-9.]*(?:e-?[0-9]+)?(?:\\s*(?:×|\\\\times)\\s*10(?:[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+|\\^\\{-?[0-9]+\\}))?)\\s*\\)") {
            out = bracketed.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: " $1 ")
        }
        return out.replacingOccurrences(of: "\\times", with: " × ").replacingOccurrences(of: "\\cdot", with: " × ")
            .replacingOccurrences(of: "\\approx", with: " ≈ ").replacingOccurrences(of: "\\,", with: " ")
    }

    static let superscripts: [Character: Character] = ["⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-"]

    static func tokenize(_ s: String) -> [Token] {
        let chars = Array(s)
        var tokens: [Token] = []
        var i = 0
        func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "$" || c == "{" || c == "}" { i += 1; continue }
            if c == "\n" || c == ";" || c == "," || c == "|" || c == ":" || c == "(" || c == ")" { tokens.append(.other); i += 1; continue }
            // A number: optional minus sign directly attached, digits, decimals, exponent.
            let negative = (c == "-" || c == "−") && i + 1 < chars.count && (isDigit(chars[i + 1]) || chars[i + 1] == ".")
                && (tokens.last.map { if case .number = $0 { return false } else { return true } } ?? true)
            if isDigit(c) || negative {
                var j = negative ? i + 1 : i
                var text = negative ? "-" : ""
                while j < chars.count && (isDigit(chars[j]) || chars[j] == ".") { text.append(chars[j]); j += 1 }
                let mantissa = text
                var exponent = 0
                // e-notation, `× 10⁻⁵`, `× 10^{-5}`.
                if j + 1 < chars.count && (chars[j] == "e" || chars[j] == "E") && (isDigit(chars[j + 1]) || chars[j + 1] == "-" || chars[j + 1] == "+") {
                    var k = j + 1
                    var e = ""
                    if chars[k] == "-" || chars[k] == "+" { e.append(chars[k]); k += 1 }
                    while k < chars.count && isDigit(chars[k]) { e.append(chars[k]); k += 1 }
                    if let v = Int(e) { exponent = v; text += "e" + e; j = k }
                } else {
                    var k = j
                    while k < chars.count && chars[k] == " " { k += 1 }
                    if k + 3 < chars.count && chars[k] == "×" {
                        var m = k + 1
                        while m < chars.count && chars[m] == " " { m += 1 }
                        if m + 1 < chars.count && chars[m] == "1" && chars[m + 1] == "0" {
                            var n = m + 2
                            var e = ""
                            if n < chars.count && chars[n] == "^" {
                                n += 1
                                if n < chars.count && chars[n] == "{" { n += 1 }
                                while n < chars.count && (isDigit(chars[n]) || chars[n] == "-") { e.append(chars[n]); n += 1 }
                                if n < chars.count && chars[n] == "}" { n += 1 }
                            } else {
                                while n < chars.count, let d = superscripts[chars[n]] { e.append(d); n += 1 }
                            }
                            if let v = Int(e) { exponent = v; text += " × 10^\(v)"; j = n }
                        }
                    }
                }
                // A number glued to letters (x1, 2x, n11) is part of a name.
                if j < chars.count && (chars[j].isLetter || chars[j] == "_") || (i > 0 && (chars[i - 1].isLetter || chars[i - 1] == "_")) {
                    tokens.append(.other)
                    while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_") { j += 1 }
                    i = j
                    continue
                }
                guard var value = Decimal(string: mantissa) else { tokens.append(.other); i = j; continue }
                let decimals = mantissa.firstIndex(of: ".").map { mantissa.distance(from: $0, to: mantissa.endIndex) - 1 } ?? 0
                value *= Decimal(sign: .plus, exponent: exponent, significand: 1)
                let half = Decimal(sign: .plus, exponent: exponent - decimals, significand: 5) / 10
                tokens.append(.number(value, halfUnit: half, text: text))
                i = j
                continue
            }
            switch c {
            case "×", "*": tokens.append(.op("×"))
            case "+": tokens.append(.op("+"))
            case "-", "−": tokens.append(.op("-"))
            case "=": tokens.append(.equals)
            default: tokens.append(.other)
            }
            i += 1
        }
        return tokens
    }
}
