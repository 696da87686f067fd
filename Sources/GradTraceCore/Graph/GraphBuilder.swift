/// Lowers the parser's postorder stream (operands before operators) straight onto the tape,
/// with a value stack instead of a syntax tree, so nothing here recurses and no tree is held
/// in memory. Literals are folded into constant gates (`x + 1` is the `+1` gate, `-x` is the
/// `*-1` gate); calls are looked up in the graph's kinds (built-ins and `def`s), and composites
/// chosen by `expansion` are written as their bodies (Expansion.swift).
package struct GraphBuilder {
    package enum Operand: Sendable {
        case node(Int)
        case constant(Double, SourceSpan?)
        /// A vector or matrix while the source is read (TensorLowering.swift).
        case tensor(Tensor)
    }

    package var graph = Graph()
    package var stack: [Operand] = []
    package var names: [String: Int] = [:]
    /// Vectors and matrices by name.
    package var tensorNames: [String: Tensor] = [:]
    /// Whether the last statement named a tensor (for finish()'s message).
    package var lastStatementWasTensor = false
    /// The seed parameters are drawn with as they are declared.
    package var parameterSeed: UInt64 = 0
    private var bareStatement: SourceSpan?
    package var statementCount = 0
    package let source: SourceText?
    /// Function names (spellings and `def` names) → kind index.
    private var functions: [String: UInt16] = [:]
    /// Kind names → kind index, for bodies.
    package var kindIndex: [String: UInt16] = [:]
    /// A quick no for most names: which (first byte, length) pairs any function name has.
    private var functionShapes = [Bool](repeating: false, count: 256 * 64)
    /// While building a `def`'s body: its name and parameters.
    package private(set) var definition: (name: String, parameters: [String])?
    /// The largest tape a `def`'s body may become once its calls are written out.
    package static let maxDefinitionSize = 10_000

    package init(source: SourceText?, expansion: Graph.Expansion = .none) {
        self.source = source
        graph.source = source
        graph.expansion = expansion
        for (i, kind) in graph.kinds.enumerated() { register(kind, at: UInt16(i)) }
        // About one node per four bytes of source, one name per sixteen: reserve, not regrow.
        if let size = source?.bytes.count, size > 1 << 16 {
            graph.nodes.reserveCapacity(size / 4)
            names.reserveCapacity(size / 16)
            graph.boundValues.reserveCapacity(size / 16)
        }
    }

    package init(source: SourceText?, expand: Bool) {
        self.init(source: source, expansion: expand ? .all : .none)
    }

    /// A builder for the body of `def name(parameters)`: the parameters are its inputs, in order.
    package init(definitionOf name: String, parameters: [String], parameterSpans: [SourceSpan?], within outer: GraphBuilder) {
        self.init(source: outer.source, expansion: .none)
        adoptDefinitions(of: outer.graph)
        definition = (name, parameters)
        for (k, parameter) in parameters.enumerated() {
            let id = append(Node(gate: .input, name: parameter, span: parameterSpans[k]))
            names[parameter] = id
            graph.inputs.append(id)
        }
    }

    /// Takes on the `def`s of `other` (kinds after the built-ins, and their tapes), so calls of
    /// them resolve here as they do there.
    private mutating func adoptDefinitions(of other: Graph) {
        for (k, kind) in other.kinds.enumerated().dropFirst(graph.kinds.count) {
            graph.kinds.append(kind)
            register(kind, at: UInt16(k))
        }
        graph.definitionTapes = other.definitionTapes
    }

    private mutating func register(_ kind: GateKind, at index: UInt16) {
        kindIndex[kind.name] = index
        for spelling in kind.spellings {
            functions[spelling] = index
            let length = spelling.utf8.count
            if length < 64 { functionShapes[Int(spelling.utf8.first!) * 64 + length] = true }
        }
    }

    /// The kind a function name calls, if it is one.
    package func function(named name: String) -> UInt16? {
        let length = name.utf8.count
        guard let first = name.utf8.first, length < 64, functionShapes[Int(first) * 64 + length] else { return nil }
        return functions[name]
    }

    /// Every function name, sorted: for messages.
    package var functionNames: [String] { functions.keys.sorted() }

    package func error(_ message: String, _ span: SourceSpan?, help: String? = nil) -> Diagnostic {
        if let span, let source { return Diagnostic(message, at: span, in: source, help: help) }
        return Diagnostic(message, file: source?.name ?? "<input>", help: help)
    }

    // MARK: Events from the parser

    /// For builders other than the parser (the Swift `Formula` API): operands in and out.
    package mutating func push(_ operand: Operand) { stack.append(operand) }
    package mutating func pop() -> Operand { stack.removeLast() }

    /// Names an existing node, as `q = ...` does.
    package mutating func name(_ node: Int, _ name: String) throws(Diagnostic) {
        if names[name] != nil || graph.nodes[node].name != nil {
            throw error("'\(name)' is assigned twice", nil)
        }
        graph.nodes[node].name = name
        names[name] = node
    }

    package mutating func number(_ value: Double, span: SourceSpan?) {
        stack.append(.constant(value, span))
    }

    package mutating func variable(_ name: String, span: SourceSpan?) throws(Diagnostic) {
        if let t = tensorNames[name] {
            stack.append(.tensor(t))
            return
        }
        if let id = names[name] {
            stack.append(.node(id))
            return
        }
        if function(named: name) != nil {
            throw error("'\(name)' is a function, not a variable", span, help: "call it with parentheses: \(name)(x)")
        }
        if let definition {
            let list = definition.parameters.joined(separator: ", ")
            throw error("'\(name)' is not a parameter of '\(definition.name)'", span,
                        help: "a def's body can use only its parameters (\(list)), names it defines and numbers")
        }
        let id = append(Node(gate: .input, name: name, span: span))
        names[name] = id
        graph.inputs.append(id)
        stack.append(.node(id))
    }

    package enum UnaryOperator: Sendable { case negate }
    package enum BinaryOperator: Sendable { case add, sub, mul, div, pow }

    package mutating func unary(_ op: UnaryOperator, span: SourceSpan?) {
        switch stack.removeLast() {
        case .tensor(let t): elementwiseNegate(t, span: span)
        case .constant(let v, _): stack.append(.constant(-v, span))
        case .node(let id): stack.append(.node(emit(Gate(kind: Builtin.mulConst, parameter: -1), id, span: span)))
        }
    }

    package mutating func binary(_ op: BinaryOperator, span: SourceSpan?) throws(Diagnostic) {
        let rhs = stack.removeLast()
        let lhs = stack.removeLast()
        if lhs.isTensor || rhs.isTensor { return try elementwise(op, lhs, rhs, span: span) }
        switch (lhs, rhs) {
        case (.constant(let x, _), .constant(let y, _)):
            let value: Double
            switch op {
            case .add: value = x + y
            case .sub: value = x - y
            case .mul: value = x * y
            case .div: value = x / y
            case .pow: value = GateKind.builtins[Int(Builtin.powConst)].evaluate(x, parameter: y).value
            }
            stack.append(.constant(value, span))
            return
        case (.node(let a), .constant(let c, let cSpan)):
            switch op {
            case .add: stack.append(.node(emit(Gate(kind: Builtin.addConst, parameter: c), a, span: span)))
            case .sub: stack.append(.node(emit(Gate(kind: Builtin.addConst, parameter: -c), a, span: span)))
            case .mul: stack.append(.node(emit(Gate(kind: Builtin.mulConst, parameter: c), a, span: span)))
            case .div:
                if c == 0 { throw error("division by the constant 0", cSpan ?? span, help: "a gradient through x/0 is not defined") }
                stack.append(.node(emit(Gate(kind: Builtin.divConst, parameter: c), a, span: span)))
            case .pow: stack.append(.node(emit(Gate(kind: Builtin.powConst, parameter: c), a, span: span)))
            }
        case (.constant(let c, let cSpan), .node(let b)):
            switch op {
            case .add: stack.append(.node(emit(Gate(kind: Builtin.addConst, parameter: c), b, span: span)))
            case .mul: stack.append(.node(emit(Gate(kind: Builtin.mulConst, parameter: c), b, span: span)))
            case .sub:  // c - x = (-1·x) + c, the lecture's *-1 then +c
                let negated = emit(Gate(kind: Builtin.mulConst, parameter: -1), b, span: span)
                stack.append(.node(c == 0 ? negated : emit(Gate(kind: Builtin.addConst, parameter: c), negated, span: span)))
            case .div:  // c / x = c · (1/x), the lecture's 1/x gate
                let r = emit(Gate(kind: Builtin.reciprocal), b, span: span)
                stack.append(.node(c == 1 ? r : emit(Gate(kind: Builtin.mulConst, parameter: c), r, span: span)))
            case .pow:
                let k = constantNode(c, span: cSpan)
                stack.append(.node(emit(Gate(kind: Builtin.pow), k, b, span: span)))
            }
        case (.node(let a), .node(let b)):
            let kind: UInt16
            switch op {
            case .add: kind = Builtin.add
            case .sub: kind = Builtin.sub
            case .mul: kind = Builtin.mul
            case .div: kind = Builtin.div
            case .pow: kind = Builtin.pow
            }
            stack.append(.node(emit(Gate(kind: kind), a, b, span: span)))
        default:
            preconditionFailure("tensors are lowered element by element above")
        }
    }

    /// Checks a call's name before its arguments are parsed; returns the kind it calls.
    @discardableResult
    package func checkCall(_ name: String, span: SourceSpan?) throws(Diagnostic) -> UInt16 {
        if let index = function(named: name) { return index }
        if let definition, definition.name == name {
            throw error("'\(name)' cannot call itself", span, help: "a def's body can use built-in functions and defs made before it, not itself")
        }
        let all = functionNames
        let help = closestMatch(to: name, in: all).map { "did you mean '\($0)'?" }
            ?? "the functions are \(all.joined(separator: ", "))"
        throw error("unknown function '\(name)'", span, help: help)
    }

    /// A call `name(arguments)`; its arguments are the last `argumentCount` operands.
    package mutating func call(_ name: String, kind resolved: UInt16? = nil, argumentCount: Int, span: SourceSpan?, nameSpan: SourceSpan?,
                              argumentSpans: [SourceSpan?] = []) throws(Diagnostic) {
        let index: UInt16
        if let resolved { index = resolved } else { index = try checkCall(name, span: nameSpan) }
        let kind = graph.kinds[Int(index)]
        // pow(x, y) is x ^ y, lowered the same way (a number exponent is the x^c gate).
        if index == Builtin.pow, argumentCount == 2 {
            try binary(.pow, span: span)
            return
        }
        if stack.suffix(argumentCount).contains(where: \.isTensor) {
            return try elementwiseCall(name, kind: index, argumentCount: argumentCount, span: span, nameSpan: nameSpan, argumentSpans: argumentSpans)
        }
        // The common case first: a one-input function of its own (relu(x), exp(x)), no arrays.
        if argumentCount == 1, kind.arity == 1, kind.parameterArgument == nil, kind.kernel != nil {
            switch stack.removeLast() {
            case .constant(let v, _): stack.append(.constant(kind.evaluate(v).value, span))
            case .node(let a): stack.append(.node(emit(Gate(kind: index), a, span: span)))
            case .tensor: preconditionFailure("tensor arguments are lowered element by element above")
            }
            return
        }
        var args = Array(stack.suffix(argumentCount))
        stack.removeLast(argumentCount)
        var parameter = 0.0
        // How many arguments the call takes.
        if let p = kind.parameterArgument {
            guard argumentCount == kind.arity || argumentCount == kind.arity + 1 else {
                throw error("\(name) takes \(kind.arity) or \(kind.arity + 1) arguments, got \(argumentCount)", span,
                            help: "write \(name)(x) or \(name)(x, \(formatShortest(p.defaultValue)))")
            }
            parameter = p.defaultValue
            if argumentCount > kind.arity {
                let last = args.removeLast()
                guard case .constant(let v, let vSpan) = last else {
                    throw error("the \(p.name) of \(name) must be a number", argumentSpans.last ?? span, help: "write \(name)(x, 0.1)")
                }
                guard p.isValid(v) else { throw error("\(name): \(p.requirement), got \(formatShortest(v))", vSpan ?? span) }
                parameter = v
            }
        } else if kind.variadic {
            guard argumentCount >= kind.arity else {
                throw error("\(name) takes at least \(kind.arity) arguments, got \(argumentCount)", span,
                            help: "write \(name)(a, b) or \(name)(a, b, c, …)")
            }
        } else if argumentCount != kind.arity {
            let what = kind.arity == 1 ? "one argument" : kind.arity == 2 ? "two arguments" : "\(kind.arity) arguments"
            let example = kind.isDefinition ? (kind.body?(0).parameters ?? []).joined(separator: ", ") : (kind.arity == 1 ? "x" : "a, b")
            throw error("\(name) takes \(what), got \(argumentCount)", span, help: "write \(name)(\(example))")
        }
        // Constant arguments fold, where the gate has a kernel of its own.
        if kind.kernel != nil, kind.arity <= 2, args.allSatisfy({ if case .constant = $0 { return true } else { return false } }) {
            var values = args.map { if case .constant(let v, _) = $0 { return v } else { return 0 } }
            while values.count > kind.arity {  // max(1, 2, 3)
                let r = kind.evaluate(values[0], values[1], parameter: parameter).value
                values.replaceSubrange(0...1, with: [r])
            }
            stack.append(.constant(kind.evaluate(values[0], values.count > 1 ? values[1] : 0, parameter: parameter).value, span))
            return
        }
        if kind.variadic && args.count > kind.arity {
            // max(a, b, c) = max(max(a, b), c): a tie still goes to the first argument.
            // The inner pairs carry no span: they are not what the user typed, so their labels
            // are their own formulas (max(a, b)), not the whole call's text.
            var result = materialize(args[0])
            for (k, arg) in args.dropFirst().enumerated() {
                result = emit(Gate(kind: index, parameter: parameter), result, materialize(arg), span: k == args.count - 2 ? span : nil)
            }
            stack.append(.node(result))
            return
        }
        if kind.arity == 1, case .constant(let v, let cSpan) = args[0], kind.kernel == nil {
            args[0] = .node(constantNode(v, span: cSpan))
        }
        if args.count == 1 {
            stack.append(.node(emit(Gate(kind: index, parameter: parameter), materialize(args[0]), span: span)))
        } else if args.count == 2 {
            let a = materialize(args[0]), b = materialize(args[1])
            stack.append(.node(emit(Gate(kind: index, parameter: parameter), a, b, span: span)))
        } else {
            let nodes = args.map { materialize($0) }
            stack.append(.node(emit(Gate(kind: index, parameter: parameter), nodes, span: span)))
        }
    }

    /// Ends a statement: `name = expression` (or a bare expression when `name` is nil).
    package mutating func statement(name: String?, nameSpan: SourceSpan?, span: SourceSpan?) throws(Diagnostic) {
        let value = stack.removeLast()
        statementCount += 1
        lastStatementWasTensor = false
        if case .tensor(let t) = value { return try tensorStatement(t, name: name, nameSpan: nameSpan, span: span) }
        if let earlier = bareStatement {
            throw error("this expression is not the last statement and has no name, so nothing can use it", earlier,
                        help: "name it (q = ...) to use it later, or remove it")
        }
        guard let name else {
            bareStatement = span
            if case .constant(let v, let cSpan) = value, definition != nil {
                graph.output = constantNode(v, span: cSpan)  // def one() = 1
            } else {
                graph.output = materializeOutput(value)
            }
            return
        }
        if function(named: name) != nil || TensorFunction(rawValue: name) != nil {
            throw error("'\(name)' is a function and cannot be assigned", nameSpan, help: "choose another name")
        }
        if tensorNames[name] != nil { throw error("'\(name)' is assigned twice", nameSpan) }
        switch value {
        case .constant(let v, _):
            if let definition {
                throw error("a def's body cannot bind a value to '\(name)'", nameSpan,
                            help: "write the number where it is used, or make it a parameter of \(definition.name)")
            }
            // A constant right side binds an input: x = -2.
            if let existing = names[name] {
                if !graph.nodes[existing].gate.isInput {
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
        case .tensor: preconditionFailure("handled by tensorStatement")
        case .node(let id):
            if tensorNames[name] != nil { throw error("'\(name)' is assigned twice", nameSpan) }
            if let existing = names[name] {
                if graph.nodes[existing].gate.isInput && graph.boundValues[existing] == nil && definition == nil {
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
    package mutating func finish(endSpan: SourceSpan?) throws(Diagnostic) -> Graph {
        if statementCount == 0 {
            throw error("there is no expression to compute", endSpan, help: "type an expression such as (x + y) * z")
        }
        if graph.output < 0 && lastStatementWasTensor {
            throw error("the last statement names a vector or matrix; the output must be one number", endSpan,
                        help: "end with a number computed from it: sum(v), mean(v), v[1], or a loss")
        }
        if graph.output == -2 {
            // `2*3` folds to a number: no gate, no input, nothing to differentiate.
            throw error("the expression is a constant: it has no variable, so there is nothing to differentiate", endSpan,
                        help: "use a variable and give its value, e.g. gradtrace explain \"x * 3\" x=2")
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

    // MARK: Definitions

    /// Checks the head of `def name(parameters)` before its body is read.
    package func checkDefinition(_ name: String, parameters: [(String, SourceSpan?)], span: SourceSpan?) throws(Diagnostic) {
        if definition != nil {
            throw error("a def cannot be made inside another def's body", span, help: "define it before, at the top level")
        }
        if let index = function(named: name) {
            let kind = graph.kinds[Int(index)]
            throw kind.isDefinition
                ? error("'\(name)' is defined twice", span, help: "give the second definition another name")
                : error("'\(name)' is a built-in function and cannot be redefined", span, help: "choose another name, e.g. my_\(name)")
        }
        if kindIndex[name] != nil || names[name] != nil || tensorNames[name] != nil || TensorFunction(rawValue: name) != nil {
            throw error("'\(name)' is already used as a name", span, help: "choose another name for the def")
        }
        var seen = Set<String>()
        for (parameter, pSpan) in parameters {
            if !seen.insert(parameter).inserted {
                throw error("parameter '\(parameter)' is listed twice", pSpan)
            }
            if function(named: parameter) != nil {
                throw error("'\(parameter)' is a function and cannot be a parameter", pSpan, help: "choose another name")
            }
        }
        if parameters.isEmpty {
            throw error("'\(name)' has no parameters", span, help: "a def takes one or more: def \(name)(x) = ...")
        }
    }

    /// Makes `body` (built from the def's body) a kind of gate of this graph.
    package mutating func define(_ name: String, body bodyGraph: Graph, text: String, span: SourceSpan?) throws(Diagnostic) {
        let parameters = bodyGraph.inputs.map { bodyGraph.nodes[$0].name ?? "?" }
        let body = Body(graph: bodyGraph, text: text)
        let symbol = name
        var byName: [String: GateKind] = [:]
        for kind in graph.kinds { byName[kind.name] = kind }
        let kinds = byName
        let rule: @Sendable (Int, GateKind.Operands) -> String = { slot, o in
            body.chainRule(wrt: slot, arguments: o.labels(parameters.count), kinds: kinds) ?? "∂\(name)/∂\(parameters[slot]), backpropagated through its body"
        }
        let kind = GateKind(name: name, spellings: [name], arity: parameters.count, kernel: nil,
                            symbol: { _ in symbol },
                            formula: { o in "\(name)(\(o.labels(parameters.count).map(unwrapped).joined(separator: ", ")))" },
                            rule: rule,
                            body: { _ in body },
                            summary: "def \(name)(\(parameters.joined(separator: ", "))) = \(text)")
        let index = UInt16(graph.kinds.count)
        graph.kinds.append(kind)
        register(kind, at: index)
        // The tape that evaluates a collapsed call: the body with every def inside written out.
        var tapeBuilder = GraphBuilder(source: nil, expansion: .only(Set(graph.definitions.map(\.name))))
        tapeBuilder.adoptDefinitions(of: graph)
        var args: [Int] = []
        for parameter in parameters {
            let id = tapeBuilder.append(Node(gate: .input, name: parameter))
            tapeBuilder.graph.inputs.append(id)
            args.append(id)
        }
        let result = tapeBuilder.emit(Gate(kind: index), args, span: nil)
        if tapeBuilder.graph.count > GraphBuilder.maxDefinitionSize {
            throw error("the body of '\(name)' has more than \(GraphBuilder.maxDefinitionSize) gates once the defs it calls are written out",
                        span, help: "defs that call each other several times grow fast; simplify it")
        }
        var tape = tapeBuilder.graph
        tape.output = result
        tape.expansion = .none
        tape.calls = []
        tape.expandedCall = [:]
        tape.definitionTapes = [:]  // every def inside is written out: the tape never calls one
        graph.definitionTapes[index] = tape
    }

    // MARK: Emitting

    private mutating func materializeOutput(_ value: Operand) -> Int {
        switch value {
        case .node(let id): return id
        case .constant: return -2  // checked in finish()
        case .tensor: return -2
        }
    }

    package mutating func materialize(_ operand: Operand) -> Int {
        switch operand {
        case .node(let id): return id
        case .constant(let v, let span): return constantNode(v, span: span)
        case .tensor: preconditionFailure("a tensor is lowered element by element before it reaches a gate")
        }
    }

    package mutating func constantNode(_ value: Double, span: SourceSpan?) -> Int {
        append(Node(gate: .constant(value), span: span))
    }

    @discardableResult
    package mutating func append(_ node: Node) -> Int {
        graph.nodes.append(node)
        return graph.nodes.count - 1
    }
}

extension Body {
    /// A def's body tape as steps over its parameters.
    package init(graph: Graph, text: String) {
        var operand = [Int: Operand]()
        for (k, id) in graph.inputs.enumerated() { operand[id] = .parameter(k) }
        var steps: [Step] = []
        for i in 0..<graph.count {
            let node = graph.nodes[i]
            if node.gate.isInput { continue }
            if node.gate.isConstant { operand[i] = .constant(node.gate.parameter); continue }
            let inputs = graph.inputs(of: i).map { operand[$0]! }
            steps.append(Step(graph.kind(i).name, inputs, parameter: node.gate.parameter, name: node.name))
            operand[i] = .step(steps.count - 1)
        }
        // The result is the last step; a body that is a bare parameter gets a `+0` step.
        if case .parameter(let k)? = operand[graph.output] {
            steps.append(Step("addConst", [.parameter(k)]))
        } else if case .step(let s)? = operand[graph.output], s != steps.count - 1 {
            steps.append(Step("addConst", [.step(s)]))
        }
        self.init(parameters: graph.inputs.map { graph.nodes[$0].name ?? "?" }, steps: steps, text: text)
    }
}
