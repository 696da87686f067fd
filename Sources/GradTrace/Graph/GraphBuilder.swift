/// Lowers the parser's postorder stream (operands before operators) straight onto the tape,
/// with a value stack instead of a syntax tree, so nothing here recurses and no tree is held
/// in memory. Literals are folded into constant gates (`x + 1` is the `+1` gate, `-x` is the
/// `*-1` gate), and with `expand` each composite gate is written as its primitives.
public struct GraphBuilder {
    public enum Operand: Sendable {
        case node(Int)
        case constant(Double, SourceSpan?)
    }

    public private(set) var graph = Graph()
    private var stack: [Operand] = []
    private var names: [String: Int] = [:]
    private var bareStatement: SourceSpan?
    private var statementCount = 0
    private let source: SourceText?

    public init(source: SourceText?, expand: Bool) {
        self.source = source
        graph.source = source
        graph.expanded = expand
        // About one node per four bytes of source, one name per sixteen: reserve, not regrow.
        if let size = source?.bytes.count, size > 1 << 16 {
            graph.nodes.reserveCapacity(size / 4)
            names.reserveCapacity(size / 16)
            graph.boundValues.reserveCapacity(size / 16)
        }
    }

    private func error(_ message: String, _ span: SourceSpan?, help: String? = nil) -> Diagnostic {
        if let span, let source { return Diagnostic(message, at: span, in: source, help: help) }
        return Diagnostic(message, file: source?.name ?? "<input>", help: help)
    }

    // MARK: Events from the parser

    /// For builders other than the parser (the Swift `Expression` API): operands in and out.
    mutating func push(_ operand: Operand) { stack.append(operand) }
    mutating func pop() -> Operand { stack.removeLast() }

    /// Names an existing node, as `q = ...` does.
    mutating func name(_ node: Int, _ name: String) throws(Diagnostic) {
        if names[name] != nil || graph.nodes[node].name != nil {
            throw error("'\(name)' is assigned twice", nil)
        }
        graph.nodes[node].name = name
        names[name] = node
    }

    public mutating func number(_ value: Double, span: SourceSpan?) {
        stack.append(.constant(value, span))
    }

    public mutating func variable(_ name: String, span: SourceSpan?) throws(Diagnostic) {
        if let id = names[name] {
            stack.append(.node(id))
            return
        }
        if Function.named(name) != nil {
            throw error("'\(name)' is a function, not a variable", span, help: "call it with parentheses: \(name)(x)")
        }
        let id = append(Node(gate: .input, name: name, span: span))
        names[name] = id
        graph.inputs.append(id)
        stack.append(.node(id))
    }

    public enum UnaryOperator: Sendable { case negate }
    public enum BinaryOperator: Sendable { case add, sub, mul, div, pow }

    public mutating func unary(_ op: UnaryOperator, span: SourceSpan?) {
        switch stack.removeLast() {
        case .constant(let v, _): stack.append(.constant(-v, span))
        case .node(let id): stack.append(.node(emit(.mulConst(-1), id, span: span)))
        }
    }

    public mutating func binary(_ op: BinaryOperator, span: SourceSpan?) throws(Diagnostic) {
        let rhs = stack.removeLast()
        let lhs = stack.removeLast()
        switch (lhs, rhs) {
        case (.constant(let x, _), .constant(let y, _)):
            let value: Double
            switch op {
            case .add: value = x + y
            case .sub: value = x - y
            case .mul: value = x * y
            case .div: value = x / y
            case .pow: value = Gate.powConst(y).evaluate(x, 0).value
            }
            stack.append(.constant(value, span))
            return
        case (.node(let a), .constant(let c, let cSpan)):
            switch op {
            case .add: stack.append(.node(emit(.addConst(c), a, span: span)))
            case .sub: stack.append(.node(emit(.addConst(-c), a, span: span)))
            case .mul: stack.append(.node(emit(.mulConst(c), a, span: span)))
            case .div:
                if c == 0 { throw error("division by the constant 0", cSpan ?? span, help: "a gradient through x/0 is not defined") }
                stack.append(.node(emit(.divConst(c), a, span: span)))
            case .pow: stack.append(.node(emit(.powConst(c), a, span: span)))
            }
        case (.constant(let c, let cSpan), .node(let b)):
            switch op {
            case .add: stack.append(.node(emit(.addConst(c), b, span: span)))
            case .mul: stack.append(.node(emit(.mulConst(c), b, span: span)))
            case .sub:  // c - x = (-1·x) + c, the lecture's *-1 then +c
                let negated = emit(.mulConst(-1), b, span: span)
                stack.append(.node(c == 0 ? negated : emit(.addConst(c), negated, span: span)))
            case .div:  // c / x = c · (1/x), the lecture's 1/x gate
                let r = emit(.reciprocal, b, span: span)
                stack.append(.node(c == 1 ? r : emit(.mulConst(c), r, span: span)))
            case .pow:
                let k = constantNode(c, span: cSpan)
                stack.append(.node(emit(.pow, k, b, span: span)))
            }
        case (.node(let a), .node(let b)):
            let gate: Gate
            switch op {
            case .add: gate = .add
            case .sub: gate = .sub
            case .mul: gate = .mul
            case .div: gate = .div
            case .pow: gate = .pow
            }
            stack.append(.node(emit(gate, a, b, span: span)))
        }
    }

    /// The functions of the language, with their arity.
    public enum Function: String, CaseIterable, Sendable {
        case exp, sigmoid, tanh, relu, log, max, min

        /// A quick no for most names (they are checked on every statement).
        static func named(_ name: String) -> Function? {
            guard let first = name.utf8.first, name.utf8.count <= 7,
                  first == UInt8(ascii: "e") || first == UInt8(ascii: "s") || first == UInt8(ascii: "t") ||
                  first == UInt8(ascii: "r") || first == UInt8(ascii: "l") || first == UInt8(ascii: "m") else { return nil }
            return Function(rawValue: name)
        }

        var arity: Int { self == .max || self == .min ? 2 : 1 }
        var gate: Gate {
            switch self {
            case .exp: return .exp
            case .sigmoid: return .sigmoid
            case .tanh: return .tanh
            case .relu: return .relu
            case .log: return .log
            case .max: return .max
            case .min: return .min
            }
        }
    }

    /// Checks a call's name and argument count before its arguments are parsed.
    public func checkCall(_ name: String, span: SourceSpan?) throws(Diagnostic) {
        if Function(rawValue: name) == nil {
            let all = Function.allCases.map(\.rawValue)
            let help = closestMatch(to: name, in: all).map { "did you mean '\($0)'?" }
                ?? "the functions are \(all.joined(separator: ", "))"
            throw error("unknown function '\(name)'", span, help: help)
        }
    }

    public mutating func call(_ name: String, argumentCount: Int, span: SourceSpan?, nameSpan: SourceSpan?) throws(Diagnostic) {
        guard let function = Function(rawValue: name) else { try checkCall(name, span: nameSpan); return }
        guard argumentCount == function.arity else {
            stack.removeLast(argumentCount)
            let what = function.arity == 1 ? "one argument" : "two arguments"
            throw error("\(name) takes \(what), got \(argumentCount)", span,
                        help: function.arity == 1 ? "write \(name)(x)" : "write \(name)(a, b)")
        }
        if function.arity == 1 {
            switch stack.removeLast() {
            case .constant(let v, _):
                stack.append(.constant(function.gate.evaluate(v, 0).value, span))
            case .node(let a):
                stack.append(.node(emit(function.gate, a, span: span)))
            }
        } else {
            let rhs = stack.removeLast(), lhs = stack.removeLast()
            if case .constant(let x, _) = lhs, case .constant(let y, _) = rhs {
                stack.append(.constant(function.gate.evaluate(x, y).value, span))
                return
            }
            let a = materialize(lhs), b = materialize(rhs)
            stack.append(.node(emit(function.gate, a, b, span: span)))
        }
    }

    /// Ends a statement: `name = expression` (or a bare expression when `name` is nil).
    public mutating func statement(name: String?, nameSpan: SourceSpan?, span: SourceSpan?) throws(Diagnostic) {
        let value = stack.removeLast()
        statementCount += 1
        if let earlier = bareStatement {
            throw error("this expression is not the last statement and has no name, so nothing can use it", earlier,
                        help: "name it (q = ...) to use it later, or remove it")
        }
        guard let name else {
            bareStatement = span
            graph.output = materializeOutput(value, span: span)
            return
        }
        if Function.named(name) != nil {
            throw error("'\(name)' is a function and cannot be assigned", nameSpan, help: "choose another name")
        }
        switch value {
        case .constant(let v, _):
            // A constant right side binds an input: x = -2.
            if let existing = names[name] {
                if graph.nodes[existing].gate != .input {
                    throw error("'\(name)' is assigned twice", nameSpan, help: firstAssigned(name))
                }
                if graph.boundValues[existing] != nil {
                    throw error("'\(name)' is assigned twice", nameSpan, help: firstAssigned(name))
                }
                graph.boundValues[existing] = v
            } else {
                let id = append(Node(gate: .input, name: name, span: nameSpan))
                names[name] = id
                graph.inputs.append(id)
                graph.boundValues[id] = v
            }
            graph.output = -1
        case .node(let id):
            if let existing = names[name] {
                if graph.nodes[existing].gate == .input && graph.boundValues[existing] == nil {
                    let used = graph.nodes[existing].span.map { " (first used on line \($0.line + (source?.lineOffset ?? 0)))" } ?? ""
                    throw error("'\(name)' is used before it is defined\(used)", nameSpan,
                                help: "move this statement above the first use of '\(name)'")
                }
                throw error("'\(name)' is assigned twice", nameSpan, help: firstAssigned(name))
            }
            if let other = graph.nodes[id].name {
                throw error("'\(name) = \(other)' only gives '\(other)' a second name", span,
                            help: "use '\(other)' directly")
            }
            graph.nodes[id].name = name
            names[name] = id
            graph.output = id
        }
    }

    private func firstAssigned(_ name: String) -> String? {
        guard let id = names[name], let span = graph.nodes[id].span else { return nil }
        return "'\(name)' was first assigned on line \(span.line + (source?.lineOffset ?? 0))"
    }

    /// Finishes the graph; the last statement is the output.
    public mutating func finish(endSpan: SourceSpan?) throws(Diagnostic) -> Graph {
        if statementCount == 0 {
            throw error("there is no expression to compute", endSpan, help: "type an expression such as (x + y) * z")
        }
        if graph.output < 0 {
            throw error("the last statement binds a value; the output must be an expression", endSpan,
                        help: "end with the expression to differentiate, e.g. f = x * y")
        }
        if graph.nodes[graph.output].name == nil {
            // The lecture calls the output f; use that unless f is taken.
            var candidate = "f", k = 1
            while names[candidate] != nil { k += 1; candidate = k == 2 ? "out" : "out\(k - 1)" }
            graph.nodes[graph.output].name = candidate
        }
        return graph
    }

    // MARK: Emitting

    private mutating func materializeOutput(_ value: Operand, span: SourceSpan?) -> Int {
        switch value {
        case .node(let id): return id
        case .constant: return -2  // checked in finish()
        }
    }

    private mutating func materialize(_ operand: Operand) -> Int {
        switch operand {
        case .node(let id): return id
        case .constant(let v, let span): return constantNode(v, span: span)
        }
    }

    private mutating func constantNode(_ value: Double, span: SourceSpan?) -> Int {
        append(Node(gate: .constant(value), span: span))
    }

    @discardableResult
    private mutating func append(_ node: Node) -> Int {
        graph.nodes.append(node)
        return graph.nodes.count - 1
    }

    /// Appends `gate` on inputs `a`, `b`, expanding a composite into primitives when asked.
    public mutating func emit(_ gate: Gate, _ a: Int, _ b: Int = -1, span: SourceSpan?) -> Int {
        guard graph.expanded, let steps = gate.expansion else {
            return append(Node(gate: gate, a: Int32(a), b: Int32(b), span: span))
        }
        var made: [Int] = []
        for step in steps {
            func resolve(_ operand: Gate.ExpansionStep.Operand) -> Int {
                switch operand {
                case .arg0: return a
                case .arg1: return b
                case .step(let k): return made[k]
                case .constant(let v):
                    let id = append(Node(gate: .constant(v), span: span))
                    graph.expansions[id] = gate
                    return id
                }
            }
            let x = resolve(step.a)
            let y = step.b.map(resolve) ?? -1
            let id = append(Node(gate: step.gate, a: Int32(x), b: Int32(y), span: span))
            graph.expansions[id] = gate
            made.append(id)
        }
        return made.last!
    }
}
