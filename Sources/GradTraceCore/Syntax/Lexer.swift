/// Turns source bytes into tokens. Numbers are `3`, `2.5`, `.5`, `1e-3`; identifiers are
/// letters (Greek ones too: θ, η), digits, subscript digits (w₁) and `_`, starting with a
/// letter or `_`; `#` starts a comment to the end of the line; `;` and newlines separate
/// statements. A UTF-8 byte order mark at the start is skipped.
package struct Lexer {
    package let source: SourceText
    private var offset = 0
    private var line = 1
    private var lineStart = 0
    // Columns are counted incrementally from the last token, so a million-term line costs
    // linear time, not quadratic.
    private var columnOffset = 0
    private var columnValue = 1

    package init(_ source: SourceText) {
        self.source = source
        let b = source.bytes
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { offset = 3; lineStart = 3 }
    }

    package static func tokenize(_ source: SourceText) throws(Diagnostic) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var bytes: [UInt8] { source.bytes }

    private mutating func column(at offset: Int) -> Int {
        // Columns count characters, not bytes, so carets line up under non-ASCII text.
        if columnOffset < lineStart || columnOffset > offset {
            columnOffset = lineStart
            columnValue = 1
        }
        var count = columnValue
        var i = columnOffset
        while i < offset {
            if bytes[i] & 0xC0 != 0x80 { count += 1 }
            i += 1
        }
        columnOffset = offset
        columnValue = count
        return count
    }

    private mutating func span(from start: Int) -> SourceSpan {
        SourceSpan(start: start, end: offset, line: line, column: column(at: start))
    }

    package mutating func next() throws(Diagnostic) -> Token {
        // Skip blanks and comments.
        while offset < bytes.count {
            let c = bytes[offset]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
                offset += 1
            } else if c == UInt8(ascii: "#") {
                while offset < bytes.count && bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
            } else {
                break
            }
        }
        let start = offset
        guard offset < bytes.count else { return Token(kind: .end, span: span(from: start)) }
        let c = bytes[offset]
        func single(_ kind: Token.Kind) -> Token {
            offset += 1
            return Token(kind: kind, span: SourceSpan(start: start, end: offset, line: line, column: column(at: start)))
        }
        switch c {
        case UInt8(ascii: "\n"):
            let token = single(.separator)
            line += 1
            lineStart = offset
            return token
        case UInt8(ascii: ";"): return single(.separator)
        case UInt8(ascii: "+"): return single(.plus)
        case UInt8(ascii: "-"): return single(.minus)
        case UInt8(ascii: "*"):
            if offset + 1 < bytes.count && bytes[offset + 1] == UInt8(ascii: "*") {
                offset += 2
                throw Diagnostic("'**' is not an operator", at: span(from: start), in: source,
                                 help: "write powers with '^': x^2")
            }
            return single(.star)
        case UInt8(ascii: "/"): return single(.slash)
        case UInt8(ascii: "^"): return single(.caret)
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: "{"): return single(.leftBrace)
        case UInt8(ascii: "}"): return single(.rightBrace)
        case UInt8(ascii: "["): return single(.leftBracket)
        case UInt8(ascii: "]"): return single(.rightBracket)
        case UInt8(ascii: "@"): return single(.at)
        case UInt8(ascii: "="): return single(.equals)
        default: break
        }
        if isDigit(c) || (c == UInt8(ascii: ".") && offset + 1 < bytes.count && isDigit(bytes[offset + 1])) {
            return try number(start: start)
        }
        if isIdentifierStart(c) || (c >= 0x80 && Identifier.isStart(scalar(at: offset)?.0)) {
            while offset < bytes.count {
                if isIdentifierPart(bytes[offset]) { offset += 1; continue }
                guard bytes[offset] >= 0x80, let (s, length) = scalar(at: offset), Identifier.isPart(s) else { break }
                offset += length
            }
            let name = String(decoding: bytes[start..<offset], as: UTF8.self)
            return Token(kind: .identifier(name), span: span(from: start))
        }
        // An unexpected character: report the whole UTF-8 sequence, not a stray byte.
        offset += 1
        while offset < bytes.count && bytes[offset] & 0xC0 == 0x80 { offset += 1 }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        let hint: String?
        switch text {
        case "×", "·": hint = "write multiplication as '*'"
        case "÷": hint = "write division as '/'"
        case "−", "–": hint = "write minus as '-'"
        case "[": hint = "use '(' for grouping"
        case "]": hint = "use ')' for grouping"
        case "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹":
            let digits = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
            hint = "write powers with '^': x^\(digits.firstIndex(of: Character(text)) ?? 2)"
        case "\u{FEFF}": hint = "a byte order mark belongs only at the very start of the file"
        default: hint = text.unicodeScalars.first.map { $0.value < 32 || $0 == "\u{FFFD}" } == true ? "the input has a control character or bytes that are not UTF-8" : nil
        }
        let shown = text.unicodeScalars.first.map { $0.value < 32 || $0.value == 127 } == true ? "a control character" : "'\(text)'"
        throw Diagnostic("unexpected character \(shown)", at: span(from: start), in: source, help: hint)
    }

    private mutating func number(start: Int) throws(Diagnostic) -> Token {
        while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        if offset < bytes.count && bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
        }
        if offset < bytes.count && (bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E")) {
            var look = offset + 1
            if look < bytes.count && (bytes[look] == UInt8(ascii: "+") || bytes[look] == UInt8(ascii: "-")) { look += 1 }
            if look < bytes.count && isDigit(bytes[look]) {
                offset = look
                while offset < bytes.count && isDigit(bytes[offset]) { offset += 1 }
            }
        }
        if offset < bytes.count && isIdentifierStart(bytes[offset]) {
            while offset < bytes.count && isIdentifierPart(bytes[offset]) { offset += 1 }
            throw Diagnostic("a name cannot start with a digit", at: span(from: start), in: source,
                             help: "write multiplication explicitly, e.g. '2*x', or start the name with a letter")
        }
        if let value = Lexer.fastDecimal(bytes, start, offset) {
            return Token(kind: .number(value), span: span(from: start))
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        guard let value = Double(text) else {
            throw Diagnostic("malformed number '\(text)'", at: span(from: start), in: source)
        }
        if !value.isFinite {
            throw Diagnostic("number '\(text)' is too large for a 64-bit float", at: span(from: start), in: source,
                             help: "the largest finite number is about 1.8e308")
        }
        return Token(kind: .number(value), span: span(from: start))
    }
}

extension Lexer {
    /// Plain decimals with at most 15 significant digits (`0.3`, `-`-less, no exponent): the
    /// digits as an exact integer divided by an exact power of ten, which is correctly rounded
    /// (Clinger's fast path). Anything else goes to the full parser.
    package static func fastDecimal(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Double? {
        var mantissa: UInt64 = 0
        var digits = 0, fraction = 0, seenDot = false
        for i in start..<end {
            let b = bytes[i]
            if b == UInt8(ascii: ".") { if seenDot { return nil }; seenDot = true; continue }
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
            if mantissa == 0 && b == UInt8(ascii: "0") { if seenDot { fraction += 1 }; continue }
            mantissa = mantissa * 10 + UInt64(b - UInt8(ascii: "0"))
            digits += 1
            if seenDot { fraction += 1 }
            if digits > 15 { return nil }
        }
        guard fraction <= 22 else { return nil }
        return Double(mantissa) / powersOfTen[fraction]
    }

    package static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { acc, _ in acc * 10 } }
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
@inline(__always) private func isIdentifierStart(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || c == UInt8(ascii: "_")
}
@inline(__always) private func isIdentifierPart(_ c: UInt8) -> Bool { isIdentifierStart(c) || isDigit(c) }

extension Lexer {
    /// The Unicode scalar starting at byte `i`, and its length in bytes.
    package func scalar(at i: Int) -> (Unicode.Scalar, Int)? {
        var iterator = bytes[i...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let s) = decoder.decode(&iterator) { return (s, String(s).utf8.count) }
        return nil
    }
}

/// Which characters make names, in the lexer and in command-line bindings alike.
package enum Identifier {
    /// ASCII letters, `_`, and letters of other scripts (θ, η, λ); not symbols such as × or ².
    package static func isStart(_ s: Unicode.Scalar?) -> Bool {
        guard let s else { return false }
        if s.isASCII { return s == "_" || s.properties.isAlphabetic }
        return s.properties.isAlphabetic && s.properties.generalCategory != .otherNumber
    }

    /// A start character, a digit, or a subscript digit (w₁).
    package static func isPart(_ s: Unicode.Scalar) -> Bool {
        isStart(s) || ("0"..."9").contains(s) || (0x2080...0x2089).contains(s.value)
    }

    package static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isStart(first) else { return false }
        return name.unicodeScalars.allSatisfy(isPart)
    }
}
