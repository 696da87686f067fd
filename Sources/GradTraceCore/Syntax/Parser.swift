/// A recursive-descent parser for the expression language (see README), in the style of
/// *Crafting Interpreters*. It does not build a tree: it streams operands and operators in
/// postorder into a `GraphBuilder`, which lowers them onto the tape as they arrive.
///
/// Left-associative chains (`a + b + c + ...`) are loops, so a million-term sum costs no stack;
/// only nesting (parentheses, unary minus, `^`, calls) recurses, and that is capped at
/// `maxDepth` with a clear error.
///
///     program   := statement ((';' | newline) statement)*
///     statement := definition | declaration | [name '='] sum
///     definition:= 'def' name '(' name (',' name)* ')' '=' (sum | '{' program '}')
///     declaration := 'input' name [shape] | 'param' name [shape] '=' initialiser
///     shape     := '[' int (',' int)? ']'
///     initialiser := sum (numbers only) | 'uniform' '(' lo ',' hi ')' | 'normal' '(' [mean ','] std ')' | 'xavier' | 'he'
///     sum       := product (('+' | '-') product)*
///     product   := unary (('*' | '/' | '@') unary)*
///     unary     := ('-' | '+') unary | power
///     power     := postfix ['^' unary]          (right-associative; -x^2 is -(x^2))
///     postfix   := primary ('[' sum (',' sum)* ']')*
///     primary   := number | name | name '(' sum (',' sum)* ')' | '(' sum ')' | '[' sum (',' sum)* ']'
package struct Parser {
    /// How deeply parentheses, unary minus, `^` and calls may nest before parsing stops with a `Diagnostic`.
    package static let maxDepth = 64

    private var lexer: Lexer
    private var current: Token
    private var peeked: Token?
    private var builder: GraphBuilder
    private var depth = 0
    private let source: SourceText

    private init(source: SourceText, expansion: Graph.Expansion) throws(Diagnostic) {
        self.source = source
        lexer = Lexer(source)
        current = try lexer.next()
        builder = GraphBuilder(source: source, expansion: expansion)
    }

    /// Parses `source` into a circuit, drawing the composites `expansion` names as their bodies.
    /// Throws a `Diagnostic` pointing at the first error.
    package static func parse(_ source: SourceText, expansion: Graph.Expansion) throws(Diagnostic) -> Graph {
        var parser = try Parser(source: source, expansion: expansion)
        return try parser.program()
    }

    /// Parses `source`; with `expand`, every composite is drawn as the lecture's primitives.
    package static func parse(_ source: SourceText, expand: Bool = false) throws(Diagnostic) -> Graph {
        try parse(source, expansion: expand ? .all : .none)
    }

    /// Parses `text`, named `<input>` in diagnostics; with `expand`, every composite is drawn as its body.
    package static func parse(_ text: String, expand: Bool = false) throws(Diagnostic) -> Graph {
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
        try statements(until: .end)
        return try builder.finish(endSpan: current.span)
    }

    /// Statements up to `end` (the end of input, or a def body's '}').
    private mutating func statements(until end: Token.Kind) throws(Diagnostic) {
        while true {
            while current.kind == .separator { _ = try advance() }
            if current.kind == end || current.kind == .end { break }
            try statement()
            switch current.kind {
            case .separator, .end: break
            case .rightBrace where end == .rightBrace: break
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
    }

    private mutating func statement() throws(Diagnostic) {
        let start = current.span
        if case .identifier("def") = current.kind, case .identifier = try peek().kind {
            return try definition()
        }
        if case .identifier(let keyword) = current.kind, keyword == "param" || keyword == "input", case .identifier = try peek().kind {
            return try declaration()
        }
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
        while current.kind == .star || current.kind == .slash || current.kind == .at {
            let kind = current.kind
            _ = try advance()
            span = span.union(try unary())
            if kind == .at {
                try builder.matmul(span: span)
            } else {
                try builder.binary(kind == .star ? .mul : .div, span: span)
            }
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
        while current.kind == .leftBracket {
            let open = try advance()
            var spans: [SourceSpan?] = []
            while true {
                spans.append(try sum())
                guard current.kind == .comma else { break }
                _ = try advance()
            }
            guard current.kind == .rightBracket else {
                throw error("expected ']' to close the index opened at column \(open.span.column), found \(current.describe)", at: current,
                            help: "write v[2] or W[2,1]")
            }
            span = span.union(try advance().span)
            try builder.index(count: spans.count, span: span, indexSpans: spans)
        }
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
            if let f = builder.tensorFunction(name) {
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
                let span = token.span.union(try expectClose(open).span)
                try builder.tensorCall(f, argumentCount: count, span: span)
                return span
            }
            let kind = try builder.checkCall(name, span: token.span)
            let open = try advance()
            var spans: [SourceSpan?] = []
            if current.kind != .rightParen {
                while true {
                    spans.append(try sum())
                    guard current.kind == .comma else { break }
                    _ = try advance()
                }
            }
            let close = try expectClose(open)
            let span = token.span.union(close.span)
            try builder.call(name, kind: kind, argumentCount: spans.count, span: span, nameSpan: token.span, argumentSpans: spans)
            return span
        case .leftBracket:
            let open = try advance()
            var count = 0
            while current.kind != .rightBracket {
                _ = try sum()
                count += 1
                guard current.kind == .comma else { break }
                _ = try advance()
                while current.kind == .separator { _ = try advance() }  // rows on lines of their own
            }
            guard current.kind == .rightBracket else {
                throw error("expected ']' to close the '[' at line \(open.span.line + source.lineOffset), column \(open.span.column), found \(current.describe)",
                            at: current, help: "separate elements with commas: [1, 2, 3]")
            }
            let span = open.span.union(try advance().span)
            try builder.literal(count: count, span: span)
            return span
        case .rightBracket:
            throw error("unmatched ']'", at: token, help: "remove it, or add the '[' it closes")
        case .at:
            throw error("expected an expression before '@'", at: token)
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
            throw error("unexpected ','", at: token, help: "commas separate the arguments of a call, as in max(a, b)")
        case .leftBrace, .rightBrace:
            throw error("unexpected \(token.describe)", at: token, help: "braces hold a def's body: def f(x) = { q = x*x; q + 1 }; use '(' for grouping")
        case .equals:
            throw error("unexpected '='", at: token, help: "only a plain name can be assigned: name = expression")
        }
    }

    /// `input x[2]`, `param W[4,3] = he`, `param b = 0`.
    private mutating func declaration() throws(Diagnostic) {
        let keyword = try advance()
        let nameToken = try advance()
        guard case .identifier("param") = keyword.kind, case .identifier(let name) = nameToken.kind else {
            if case .identifier(let name) = nameToken.kind {
                let shape = try declaredShape()
                try builder.declareInput(name, shape: shape, span: nameToken.span)
            }
            return
        }
        let shape = try declaredShape()
        guard current.kind == .equals else {
            throw error("expected '=' and an initialiser after 'param \(name)'", at: current,
                        help: "e.g. param \(name)\(shape.isEmpty ? "" : "[" + shape.map(String.init).joined(separator: ",") + "]") = uniform(-1, 1); initialisers: \(Initializer.names.joined(separator: ", "))")
        }
        _ = try advance()
        let initializer = try initialiser(for: name)
        try builder.declareParameter(name, shape: shape, initializer: initializer, span: nameToken.span)
    }

    /// `[4,3]`, `[16]` or nothing (a single number).
    private mutating func declaredShape() throws(Diagnostic) -> [Int] {
        guard current.kind == .leftBracket else { return [] }
        let open = try advance()
        var shape: [Int] = []
        while case .number(let v) = current.kind {
            guard v == v.rounded(), v >= 1, v <= 100_000 else {
                throw error("a size must be a whole number from 1 to 100000", at: current)
            }
            shape.append(Int(v))
            _ = try advance()
            guard current.kind == .comma else { break }
            _ = try advance()
        }
        guard current.kind == .rightBracket, (1...2).contains(shape.count) else {
            throw error("expected a shape such as [3] or [4,3]", at: current, help: "vectors take one size, matrices two: rows, columns")
        }
        _ = try advance()
        if shape.reduce(1, *) > GraphBuilder.maxTensorElements {
            throw error("a \(NamedTensor.describe(shape)) tensor has \(shape.reduce(1, *)) elements; the limit is \(GraphBuilder.maxTensorElements)", at: open)
        }
        return shape
    }

    private mutating func initialiser(for name: String) throws(Diagnostic) -> Initializer {
        let start = current
        if case .identifier(let id) = current.kind, ["uniform", "normal", "xavier", "he"].contains(id) {
            _ = try advance()
            var args: [Double] = []
            if current.kind == .leftParen {
                let open = try advance()
                while current.kind != .rightParen {
                    let argSpan = try sum()
                    guard case .constant(let v, _) = builder.pop(), v.isFinite else {
                        throw Diagnostic("an initialiser's arguments must be numbers", at: argSpan, in: source)
                    }
                    args.append(v)
                    guard current.kind == .comma else { break }
                    _ = try advance()
                }
                _ = try expectClose(open)
            }
            switch (id, args.count) {
            case ("uniform", 2) where args[0] < args[1]: return .uniform(args[0], args[1])
            case ("normal", 1) where args[0] >= 0: return .normal(mean: 0, std: args[0])
            case ("normal", 2) where args[1] >= 0: return .normal(mean: args[0], std: args[1])
            case ("xavier", 0): return .xavier
            case ("he", 0): return .he
            default:
                throw error("'\(id)' takes \(id == "uniform" ? "(lo, hi) with lo < hi" : id == "normal" ? "(std) or (mean, std), std ≥ 0" : "no arguments")", at: start,
                            help: "initialisers: \(Initializer.names.joined(separator: ", "))")
            }
        }
        let span = try sum()
        switch builder.pop() {
        case .constant(let v, _) where v.isFinite: return .constant(v)
        case .tensor(let t):
            var values: [Double] = []
            for e in t.elements {
                guard case .constant(let v, _) = e, v.isFinite else {
                    throw Diagnostic("the values of '\(name)' must be numbers", at: span, in: source)
                }
                values.append(v)
            }
            return .values(values)
        default:
            throw Diagnostic("'\(name)' needs an initialiser: a number, [values], or one of \(Initializer.names.prefix(5).joined(separator: ", "))", at: span, in: source)
        }
    }

    /// `def name(p, q) = expression` or `def name(p, q) = { statements }`.
    private mutating func definition() throws(Diagnostic) {
        let keyword = try advance()
        let nameToken = try advance()
        guard case .identifier(let name) = nameToken.kind else { return }
        guard current.kind == .leftParen else {
            throw error("expected '(' and the parameters after 'def \(name)'", at: current, help: "write def \(name)(x) = ...")
        }
        let open = try advance()
        var parameters: [(String, SourceSpan?)] = []
        while case .identifier(let p) = current.kind {
            parameters.append((p, current.span))
            _ = try advance()
            guard current.kind == .comma else { break }
            _ = try advance()
        }
        if current.kind != .rightParen {
            throw error("expected a parameter name or ')' in the def of '\(name)', found \(current.describe)", at: current,
                        help: "parameters are plain names: def \(name)(x, y) = ...")
        }
        let close = try expectClose(open)
        let head = keyword.span.union(close.span)
        try builder.checkDefinition(name, parameters: parameters, span: nameToken.span)
        guard current.kind == .equals else {
            throw error("expected '=' after 'def \(name)(...)', found \(current.describe)", at: current,
                        help: "write def \(name)(\(parameters.map(\.0).joined(separator: ", "))) = <expression>")
        }
        _ = try advance()
        var outer = GraphBuilder(definitionOf: name, parameters: parameters.map(\.0), parameterSpans: parameters.map(\.1), within: builder)
        swap(&outer, &builder)
        let bodySpan: SourceSpan
        if current.kind == .leftBrace {
            let brace = try advance()
            try statements(until: .rightBrace)
            guard current.kind == .rightBrace else {
                throw error("expected '}' to close the body of '\(name)' opened on line \(brace.span.line + source.lineOffset)", at: current,
                            help: "add the missing '}'")
            }
            let end = try advance()
            bodySpan = brace.span.union(end.span)
        } else if current.kind == .separator || current.kind == .end {
            throw error("expected the body of '\(name)' after '='", at: current, help: "write def \(name)(...) = <expression>")
        } else {
            let start = current.span
            let span = try sum()
            try builder.statement(name: nil, nameSpan: nil, span: start.union(span))
            bodySpan = start.union(span)
        }
        let body = try builder.finish(endSpan: current.span)
        swap(&outer, &builder)
        if body.nodes[body.output].gate.isLeaf {
            throw Diagnostic("the body of '\(name)' must compute something from its parameters", at: bodySpan, in: source,
                        help: "a def's body is an expression of its parameters, e.g. def \(name)(x) = x*x")
        }
        var text = source.text(of: bodySpan)
        if text.hasPrefix("{") { text = String(text.dropFirst().dropLast()).trimmed(" \n\t\r;") }
        try builder.define(name, body: body, text: text.split(whereSeparator: { $0 == "\n" }).map { $0.trimmed(" \t\r;") }.filter { !$0.isEmpty }.joined(separator: "; "), span: head)
    }

    private mutating func expectClose(_ open: Token) throws(Diagnostic) -> Token {
        if current.kind == .rightParen { return try advance() }
        let where_ = "line \(open.span.line + source.lineOffset), column \(open.span.column)"
        if current.kind == .end || current.kind == .separator {
            throw error("expected ')' to close the '(' at \(where_)", at: current, help: "add the missing ')'")
        }
        throw error("expected ')' to close the '(' at \(where_), found \(current.describe)", at: current,
                    help: current.kind == .comma ? "a comma separates the arguments of a call, as in max(a, b)" : nil)
    }
}
