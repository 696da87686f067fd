/// One lexical token of the expression language.
package struct Token: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case number(Double)
        case identifier(String)
        case plus, minus, star, slash, caret
        case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket, comma, equals
        /// `@`, matrix product.
        case at
        /// `;` or a newline: the end of a statement.
        case separator
        case end
    }

    package var kind: Kind
    package var span: SourceSpan

    package var describe: String {
        switch kind {
        case .number(let v): return "number \(formatShortest(v))"
        case .identifier(let s): return "'\(s)'"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .caret: return "'^'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .at: return "'@'"
        case .comma: return "','"
        case .equals: return "'='"
        case .separator: return "end of statement"
        case .end: return "end of input"
        }
    }
}
