/// A recursive-descent parser for the expression language (see README), in the style of
/// *Crafting Interpreters*. It does not build a tree: it streams operands and operators in
/// postorder into a `GraphBuilder`, which lowers them onto the tape as they arrive.
///
/// Left-associative chains (`a + b + c + ...`) are loops, so a million-term sum costs no stack;
/// only nesting (parentheses, unary minus, `^`, calls) recurses, and that is capped at
/// `maxDepth` with a clear error.
///
///     program   := statement ((';' | newline) statement)*
///     statement := [name '='] sum
///     sum       := product (('+' | '-') product)*
///     product   := unary (('*' | '/') unary)*
///     unary     := ('-' | '+') unary | power
///     power     := primary ['^' unary]          (right-associative; -x^2 is -(x^2))
///     primary   := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
public struct Parser {
    public static let maxDepth = 64

    private var lexer: Lexer
    private var current: Token
    private var peeked: Token?
    private var builder: GraphBuilder
    private var depth = 0
    private let source: SourceText

    private init(source: SourceText, expand: Bool) throws(Diagnostic) {
        self.source = source
        lexer = Lexer(source)
        current = try lexer.next()
        builder = GraphBuilder(source: source, expand: expand)
    }

    /// Parses `source` into a circuit. Throws a `Diagnostic` pointing at the first error.
    public static func parse(_ source: SourceText, expand: Bool = false) throws(Diagnostic) -> Graph {
        var parser = try Parser(source: source, expand: expand)
        return try parser.program()
    }

    public static func parse(_ text: String, expand: Bool = false) throws(Diagnostic) -> Graph {
        try parse(SourceText(text), expand: expand)
    }

    // MARK: Tokens

    private mutating func advance() throws(Diagnostic) -> Token {
        let token = current
        if let next = peeked { current = next; peeked = nil } else { current = try lexer.next() }
        return token
    }

    private mutating func peek() throws(Diagnostic) -> Token {
        if let peeked { return peeked }
        let next = try lexer.next()
        peeked = next
        return next
    }

    private func error(_ message: String, at token: Token, help: String? = nil) -> Diagnostic {
        Diagnostic(message, at: token.span, in: source, help: help)
    }

    // MARK: Grammar

    private mutating func program() throws(Diagnostic) -> Graph {
        while true {
            while current.kind == .separator { _ = try advance() }
            if current.kind == .end { break }
            try statement()
            switch current.kind {
            case .separator, .end: break
            case .rightParen:
                throw error("unmatched ')'", at: current, help: "remove it, or add the '(' it closes")
            case .identifier, .number, .leftParen:
                throw error("expected an operator or the end of the statement, found \(current.describe)", at: current,
                            help: "write multiplication explicitly, e.g. 'x * y'")
            case .equals:
                throw error("unexpected '='", at: current, help: "only a plain name can be assigned: name = expression")
            default:
                throw error("expected an operator or the end of the statement, found \(current.describe)", at: current)
            }
        }
        return try builder.finish(endSpan: current.span)
    }

    private mutating func statement() throws(Diagnostic) {
        let start = current.span
        var name: String?
        var nameSpan: SourceSpan?
        if case .identifier(let id) = current.kind, try peek().kind == .equals {
            name = id
            nameSpan = current.span
            _ = try advance()
            _ = try advance()
            if current.kind == .separator || current.kind == .end {
                throw error("expected an expression after '='", at: current, help: "write \(id) = <expression> or \(id) = <number>")
            }
        }
        let span = try sum()
        try builder.statement(name: name, nameSpan: nameSpan, span: start.union(span))
    }

    private mutating func sum() throws(Diagnostic) -> SourceSpan {
        depth += 1
        defer { depth -= 1 }
        if depth > Parser.maxDepth {
            throw error("the expression is nested too deeply (more than \(Parser.maxDepth) levels)", at: current,
                        help: "split it into named steps: q = ...; f = q * ...")
        }
        var span = try product()
        while current.kind == .plus || current.kind == .minus {
            let op: GraphBuilder.BinaryOperator = current.kind == .plus ? .add : .sub
            _ = try advance()
            span = span.union(try product())
            try builder.binary(op, span: span)
        }
        return span
    }

    private mutating func product() throws(Diagnostic) -> SourceSpan {
        var span = try unary()
        while current.kind == .star || current.kind == .slash {
            let op: GraphBuilder.BinaryOperator = current.kind == .star ? .mul : .div
            _ = try advance()
            span = span.union(try unary())
            try builder.binary(op, span: span)
        }
        return span
    }

    private mutating func unary() throws(Diagnostic) -> SourceSpan {
        if current.kind == .minus || current.kind == .plus {
            let op = try advance()
            depth += 1
            defer { depth -= 1 }
            if depth > Parser.maxDepth {
                throw error("the expression is nested too deeply (more than \(Parser.maxDepth) levels)", at: op)
            }
            let span = op.span.union(try unary())
            if op.kind == .minus { builder.unary(.negate, span: span) }
            return span
        }
        return try power()
    }

    private mutating func power() throws(Diagnostic) -> SourceSpan {
        var span = try primary()
        if current.kind == .caret {
            let caret = try advance()
            depth += 1
            defer { depth -= 1 }
            if depth > Parser.maxDepth {
                throw error("the expression is nested too deeply (more than \(Parser.maxDepth) levels)", at: caret)
            }
            span = span.union(try unary())
            try builder.binary(.pow, span: span)
        }
        return span
    }

    private mutating func primary() throws(Diagnostic) -> SourceSpan {
        let token = current
        switch token.kind {
        case .number(let v):
            _ = try advance()
            builder.number(v, span: token.span)
            return token.span
        case .identifier(let name):
            _ = try advance()
            guard current.kind == .leftParen else {
                try builder.variable(name, span: token.span)
                return token.span
            }
            try builder.checkCall(name, span: token.span)
            let open = try advance()
            var count = 0
            if current.kind != .rightParen {
                while true {
                    _ = try sum()
                    count += 1
                    guard current.kind == .comma else { break }
                    _ = try advance()
                }
            }
            let close = try expectClose(open)
            let span = token.span.union(close.span)
            try builder.call(name, argumentCount: count, span: span, nameSpan: token.span)
            return span
        case .leftParen:
            let open = try advance()
            if current.kind == .rightParen {
                throw error("empty parentheses", at: current, help: "put an expression between '(' and ')'")
            }
            _ = try sum()
            let close = try expectClose(open)
            return open.span.union(close.span)
        case .end:
            throw error("expected an expression, found the end of the input", at: token)
        case .separator:
            throw error("expected an expression, found the end of the statement", at: token)
        case .rightParen:
            throw error("unmatched ')'", at: token, help: "remove it, or add the '(' it closes")
        case .star, .slash, .caret, .plus, .minus:
            throw error("expected an expression before \(token.describe)", at: token)
        case .comma:
            throw error("unexpected ','", at: token, help: "commas separate the arguments of max(a, b) and min(a, b)")
        case .equals:
            throw error("unexpected '='", at: token, help: "only a plain name can be assigned: name = expression")
        }
    }

    private mutating func expectClose(_ open: Token) throws(Diagnostic) -> Token {
        if current.kind == .rightParen { return try advance() }
        let where_ = "line \(open.span.line + source.lineOffset), column \(open.span.column)"
        if current.kind == .end || current.kind == .separator {
            throw error("expected ')' to close the '(' at \(where_)", at: current, help: "add the missing ')'")
        }
        throw error("expected ')' to close the '(' at \(where_), found \(current.describe)", at: current,
                    help: current.kind == .comma ? "only max(a, b) and min(a, b) take two arguments" : nil)
    }
}
