import GradTraceCore
import GradTraceViews
/// The small LaTeX subset of lesson math (`$…$`) as readable text: Unicode symbols, `a/b` for
/// `\frac{a}{b}`, and `<sub>`/`<sup>` (or `_(…)`/`^(…)` and ² in plain text).
///
/// One pass over the tokens: each character is read once, and a brace group is copied into its
/// parent once per level, with nesting capped at `maxDepth` (deeper math is shown as typed), so the
/// cost is linear and no input can exhaust the stack.
package struct ProseMath {
    package static let maxDepth = 32

    package enum Mode { case html, plain }

    /// The converted math, or nil when it nests deeper than `maxDepth` braces.
    package static func convert(_ latex: String, mode: Mode) -> String? {
        var converter = ProseMath(tokens: tokenize(latex), mode: mode)
        guard let piece = try? converter.sequence(depth: 0, inGroup: false) else { return nil }
        return piece.text
    }

    package enum Token: Equatable {
        case command(String)   // \name (letters) or \x (one other character)
        case open, close, sub, sup
        case char(Character)
    }

    package static func tokenize(_ latex: String) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(latex)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                var j = i + 1
                while j < chars.count, chars[j].isASCII, chars[j].isLetter { j += 1 }
                if j > i + 1 {
                    tokens.append(.command(String(chars[(i + 1)..<j])))
                    i = j
                } else if j < chars.count {
                    tokens.append(.command(String(chars[j])))
                    i = j + 1
                } else {
                    i = j  // a lone trailing backslash is dropped
                }
                continue
            case "{": tokens.append(.open)
            case "}": tokens.append(.close)
            case "_": tokens.append(.sub)
            case "^": tokens.append(.sup)
            default: tokens.append(.char(c))
            }
            i += 1
        }
        return tokens
    }

    package static let words: [String: String] = [
        "partial": "∂", "sigma": "σ", "cdot": "·", "times": "×", "eta": "η", "nabla": "∇", "leftarrow": "←",
        "rightarrow": "→", "to": "→", "approx": "≈", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠",
        "sum": "Σ", "infty": "∞", "epsilon": "ε", "alpha": "α", "beta": "β", "gamma": "γ", "theta": "θ", "lambda": "λ",
        "mu": "μ", "delta": "δ", "Delta": "Δ", "pm": "±", "ln": "ln", "log": "log", "exp": "exp", "tanh": "tanh",
        "max": "max", "min": "min", "left": "", "right": "", "quad": "  ", "qquad": "    ", "prod": "Π", "pi": "π",
        ",": " ", ";": " ", ":": " ", " ": " ", "!": "", "_": "_", "{": "{", "}": "}", "%": "%", "$": "$", "&": "&", "#": "#",
        "\\": " ",
    ]

    package struct Piece {
        package var text = ""
        /// The same content without tags: what `\frac` measures to decide on parentheses.
        package var plain = ""
        /// Holds a plain `{…}` group (not one consumed by \frac, \text or a script).
        package var hasGroup = false

        package mutating func append(_ other: Piece) {
            text += other.text
            plain += other.plain
            hasGroup = hasGroup || other.hasGroup
        }

        package mutating func append(literal s: String, mode: Mode) {
            text += mode == .html ? HTML.escape(s) : s
            plain += s
        }
    }

    package struct TooDeep: Error {}

    package let tokens: [Token]
    package let mode: Mode
    package var i = 0

    package init(tokens: [Token], mode: Mode) {
        self.tokens = tokens
        self.mode = mode
    }

    /// Tokens up to the `}` that closes the current group (consumed), or to the end.
    package mutating func sequence(depth: Int, inGroup: Bool) throws(TooDeep) -> Piece {
        var out = Piece()
        while i < tokens.count {
            let token = tokens[i]
            i += 1
            switch token {
            case .close:
                if inGroup { return out }
                out.append(literal: mode == .html ? ")" : ")", mode: mode)
            case .open:
                let inner = try group(depth: depth)
                out.append(literal: "(", mode: mode)
                out.append(inner)
                out.append(literal: ")", mode: mode)
                out.hasGroup = true
            case .char(let c):
                out.append(literal: String(c), mode: mode)
            case .sub, .sup:
                out.append(try script(token == .sub, depth: depth))
            case .command(let name):
                out.append(try command(name, depth: depth))
            }
        }
        return out
    }

    /// After a `{`: the group's content, its `}` consumed.
    package mutating func group(depth: Int) throws(TooDeep) -> Piece {
        if depth + 1 > ProseMath.maxDepth { throw TooDeep() }
        return try sequence(depth: depth + 1, inGroup: true)
    }

    /// `{…}` if the next token opens a group, else nil (nothing consumed).
    package mutating func optionalGroup(depth: Int) throws(TooDeep) -> Piece? {
        guard i < tokens.count, tokens[i] == .open else { return nil }
        i += 1
        return try group(depth: depth)
    }

    package mutating func script(_ isSub: Bool, depth: Int) throws(TooDeep) -> Piece {
        let mark = isSub ? "_" : "^"
        let tag = isSub ? "sub" : "sup"
        var out = Piece()
        if let inner = try optionalGroup(depth: depth) {
            if mode == .plain {
                if !isSub && inner.plain == "2" { out.append(literal: "²", mode: mode); return out }
                out.append(literal: "\(mark)(", mode: mode); out.append(inner); out.append(literal: ")", mode: mode)
            } else if inner.hasGroup {
                out.append(literal: "\(mark)(", mode: mode); out.append(inner); out.append(literal: ")", mode: mode)
            } else {
                out.text = "<\(tag)>\(inner.text)</\(tag)>"
                out.plain = "\(mark)(\(inner.plain))"
            }
            return out
        }
        // One letter or digit (a superscript may take a minus first): x_1, e^x, 10^-6.
        var j = i
        var body = ""
        if !isSub, j < tokens.count, tokens[j] == .char("-") { body = "-"; j += 1 }
        if j < tokens.count, case .char(let c) = tokens[j], c.isASCII, c.isLetter || c.isNumber {
            body.append(c)
            i = j + 1
            if mode == .plain {
                out.append(literal: !isSub && body == "2" ? "²" : mark + body, mode: mode)
            } else {
                out.text = "<\(tag)>\(HTML.escape(body))</\(tag)>"
                out.plain = mark + body
            }
            return out
        }
        out.append(literal: mark, mode: mode)
        return out
    }

    package mutating func command(_ name: String, depth: Int) throws(TooDeep) -> Piece {
        var out = Piece()
        switch name {
        case "frac", "tfrac", "dfrac":
            // \frac12 is ½.
            if i + 1 < tokens.count, tokens[i] == .char("1"), tokens[i + 1] == .char("2") {
                i += 2
                out.append(literal: "½", mode: mode)
                return out
            }
            guard let top = try optionalGroup(depth: depth) else {
                out.append(literal: "frac", mode: mode)
                return out
            }
            guard let bottom = try optionalGroup(depth: depth) else {
                out.append(literal: "(", mode: mode); out.append(top); out.append(literal: ")", mode: mode)
                return out
            }
            if top.plain == "1" && bottom.plain == "2" {
                out.append(literal: "½", mode: mode)
                return out
            }
            func wrapped(_ p: Piece) -> Piece {
                guard p.plain.count > 1, p.plain.contains(where: { " +-".contains($0) }) else { return p }
                var w = Piece()
                w.append(literal: "(", mode: mode); w.append(p); w.append(literal: ")", mode: mode)
                return w
            }
            out.append(wrapped(top))
            out.append(literal: "/", mode: mode)
            out.append(wrapped(bottom))
        case "text", "mathrm", "mathbf", "mathit", "operatorname":
            if let inner = try optionalGroup(depth: depth) { out.append(inner) } else { out.append(literal: name, mode: mode) }
        case "partial":
            out.append(literal: "∂", mode: mode)
            if i < tokens.count, tokens[i] == .char(" ") { i += 1 }  // `\partial f` reads ∂f
        default:
            out.append(literal: ProseMath.words[name] ?? name, mode: mode)
        }
        return out
    }
}
