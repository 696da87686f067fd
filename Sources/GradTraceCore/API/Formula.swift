/// Build circuits in Swift with operators, instead of from text:
///
///     let x = Formula.variable("x"), y = Formula.variable("y"), z = Formula.variable("z")
///     let q = (x + y).named("q")
///     let trace = try (q * z).trace(["x": -2, "y": 5, "z": -4])
///     trace.gradient(of: "x")   // -4
///
/// A `Formula` is a small value; using the same one twice (`q * q`) makes a fork, one node
/// with two wires, exactly as a name used twice in text does.
public struct Formula: Sendable {
    package final class Box: @unchecked Sendable {  // immutable once built; `operands` is emptied only in deinit
        package let kind: Kind
        package private(set) var operands: [Box]
        package let name: String?
        package init(_ kind: Kind, _ operands: [Box] = [], name: String? = nil) {
            self.kind = kind
            self.operands = operands
            self.name = name
        }

        /// Releases a deep chain with a loop: the default release would recurse once per level.
        deinit {
            var pending = operands
            operands = []
            while var box = pending.popLast() {
                if isKnownUniquelyReferenced(&box) {
                    pending.append(contentsOf: box.operands)
                    box.operands = []
                }
            }
        }
    }

    package enum Kind: Sendable {
        case variable(String)
        case number(Double)
        case unary(GraphBuilder.UnaryOperator)
        case binary(GraphBuilder.BinaryOperator)
        case call(String)
    }

    package let box: Box

    /// An input named `name`, whose value is bound when the expression is traced; every
    /// variable with the same name is the same input node.
    public static func variable(_ name: String) -> Formula { Formula(box: Box(.variable(name))) }
    /// A number. Beside an operator it is folded into a constant gate (`x + 1` is the `+1`
    /// gate), and arithmetic on two constants is folded to one number, as literals in text are.
    public static func constant(_ value: Double) -> Formula { Formula(box: Box(.number(value))) }

    /// Gives the node a name, as `q = x + y` does in text.
    public func named(_ name: String) -> Formula {
        Formula(box: Box(box.kind, box.operands, name: name))
    }

    /// `a + b`: an add gate; both local gradients are 1, so it passes the upstream gradient to each input.
    public static func + (a: Formula, b: Formula) -> Formula { Formula(box: Box(.binary(.add), [a.box, b.box])) }
    /// `a − b`: a sub gate (local gradients 1 and −1), drawn as its body when expanded.
    public static func - (a: Formula, b: Formula) -> Formula { Formula(box: Box(.binary(.sub), [a.box, b.box])) }
    /// `a × b`: a mul gate; each input's local gradient is the other input's value.
    public static func * (a: Formula, b: Formula) -> Formula { Formula(box: Box(.binary(.mul), [a.box, b.box])) }
    /// `a / b`: a div gate, drawn as its body when expanded; `b = 0` gives a non-finite value and a warning.
    public static func / (a: Formula, b: Formula) -> Formula { Formula(box: Box(.binary(.div), [a.box, b.box])) }
    /// `−a`: the `*-1` gate, as unary minus in text (a constant is simply negated).
    public static prefix func - (a: Formula) -> Formula { Formula(box: Box(.unary(.negate), [a.box])) }
    /// `a + c`: the `+c` gate, with the number as its parameter.
    public static func + (a: Formula, b: Double) -> Formula { a + .constant(b) }
    /// `c + b`: the `+c` gate, with the number as its parameter.
    public static func + (a: Double, b: Formula) -> Formula { .constant(a) + b }
    /// `a − c`: the `+c` gate with parameter −c.
    public static func - (a: Formula, b: Double) -> Formula { a - .constant(b) }
    /// `c − b`: the `*-1` gate, then the `+c` gate (left out when c is 0).
    public static func - (a: Double, b: Formula) -> Formula { .constant(a) - b }
    /// `a × c`: the `*c` gate, with the number as its parameter.
    public static func * (a: Formula, b: Double) -> Formula { a * .constant(b) }
    /// `c × b`: the `*c` gate, with the number as its parameter.
    public static func * (a: Double, b: Formula) -> Formula { .constant(a) * b }
    /// `a / c`: the `/c` gate; c = 0 is reported as a `Diagnostic` when the graph is built.
    public static func / (a: Formula, b: Double) -> Formula { a / .constant(b) }
    /// `c / b`: the lecture's 1/x gate, then the `*c` gate (left out when c is 1).
    public static func / (a: Double, b: Formula) -> Formula { .constant(a) / b }

    /// `self ^ exponent`: the `^c` gate, with the exponent as its parameter.
    public func pow(_ exponent: Double) -> Formula { Formula(box: Box(.binary(.pow), [box, Box(.number(exponent))])) }
    /// `exp(a)`, e to the power `a`; its local gradient is its own value.
    public static func exp(_ a: Formula) -> Formula { call("exp", a) }
    /// `log(a)`, the natural logarithm; `a ≤ 0` gives a non-finite value, reported as a `TraceWarning`.
    public static func log(_ a: Formula) -> Formula { call("log", a) }
    /// `σ(a) = 1/(1 + exp(−a))`: a composite gate, drawn as the lecture's primitives when expanded.
    public static func sigmoid(_ a: Formula) -> Formula { call("sigmoid", a) }
    /// `tanh(a) = 2σ(2a) − 1`: a composite gate, drawn as its body when expanded.
    public static func tanh(_ a: Formula) -> Formula { call("tanh", a) }
    /// `relu(a) = max(0, a)`: a composite gate; at a = 0 it is at a kink and its gradient is 0.
    public static func relu(_ a: Formula) -> Formula { call("relu", a) }
    /// `max(a, b, …)`: more arguments chain binary max gates left to right; at a tie the whole
    /// gradient goes to the first argument.
    public static func max(_ a: Formula, _ b: Formula, _ rest: Formula...) -> Formula { call("max", [a, b] + rest) }
    /// `min(a, b, …)`: a composite gate, chained left to right as `max` is; a tie goes to the first argument.
    public static func min(_ a: Formula, _ b: Formula, _ rest: Formula...) -> Formula { call("min", [a, b] + rest) }

    /// A call of any function of the language by name: `.call("softplus", x)`,
    /// `.call("leaky_relu", x, .constant(0.1))`. An unknown name is reported when the graph is built.
    public static func call(_ name: String, _ arguments: Formula...) -> Formula { call(name, arguments) }
    /// A call of the function `name` with its arguments in an array; see `call(_:_:)`.
    public static func call(_ name: String, _ arguments: [Formula]) -> Formula {
        Formula(box: Box(.call(name), arguments.map(\.box)))
    }

    /// Lowers the expression onto a tape. Iterative post-order walk with an explicit stack; an
    /// expression value reached twice becomes one node used twice (a fork).
    public func graph(expand: Bool = false) throws(Diagnostic) -> Graph {
        var builder = GraphBuilder(source: nil, expand: expand)
        var done: [ObjectIdentifier: GraphBuilder.Operand] = [:]
        var stack: [(Box, Bool)] = [(box, false)]
        var results: [GraphBuilder.Operand] = []
        var names: [(String, Int)] = []
        while let (current, expanded) = stack.popLast() {
            let id = ObjectIdentifier(current)
            if let known = done[id] { results.append(known); continue }
            if !expanded {
                stack.append((current, true))
                for operand in current.operands.reversed() { stack.append((operand, false)) }
                continue
            }
            // Operands are the last results; push them back onto the builder's stack.
            let operands = Array(results.suffix(current.operands.count))
            results.removeLast(current.operands.count)
            for operand in operands { builder.push(operand) }
            switch current.kind {
            case .variable(let name): try builder.variable(name, span: nil)
            case .number(let v): builder.number(v, span: nil)
            case .unary(let op): builder.unary(op, span: nil)
            case .binary(let op): try builder.binary(op, span: nil)
            case .call(let f): try builder.call(f, argumentCount: current.operands.count, span: nil, nameSpan: nil)
            }
            let result = builder.pop()
            if let name = current.name, case .node(let node) = result { names.append((name, node)) }
            done[id] = result
            results.append(result)
        }
        builder.push(results.removeLast())
        for (name, node) in names { try builder.name(node, name) }
        try builder.statement(name: nil, nameSpan: nil, span: nil)
        return try builder.finish(endSpan: nil)
    }

    /// Lowers the expression onto a tape (`graph(expand:)`) and traces it; `bindings` must give
    /// every variable a value. Throws a `Diagnostic` for an unknown function or a missing value.
    public func trace(_ bindings: [String: Double], expand: Bool = false) throws(Diagnostic) -> Trace {
        try Tracer(bindings: bindings).trace(graph(expand: expand))
    }
}
