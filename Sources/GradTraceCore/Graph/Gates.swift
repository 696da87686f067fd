import Foundation

/// The built-in gates, one entry each. To add a gate, add an entry to `builtins`: the parser,
/// `--help`, the walkthrough, diagrams, JSON and the per-gate numerical test pick it up from
/// there. Kernels compute the value and the local gradients side by side, as micrograd's
/// engine does; the lecture's primitives are add, mul, max, exp, 1/x, `+c` and `*c`.
extension GateKind {
    /// The built-in kinds: the leaves `input` and `constant`, the lecture's primitives, then the
    /// composites and other functions. Every graph's `kinds` starts with these, in this order.
    package static let builtins: [GateKind] = [
        // Leaves.
        GateKind(name: "input", arity: 0, kernel: nil, symbol: { _ in "input" }, formula: { $0.a }, rule: { _, _ in "" },
                 summary: "a variable whose value the user binds"),
        GateKind(name: "constant", arity: 0, hasParameter: true, kernel: nil, symbol: { formatShortest($0) },
                 formula: { $0.p }, rule: { _, _ in "" }, summary: "a number that could not be folded into a gate"),

        // The lecture's primitives.
        GateKind(name: "add", arity: 2,
                 kernel: { Arithmetic.add($0, $1, $2, $3) },
                 symbol: { _ in "+" }, formula: { "\($0.a) + \($0.b)" }, rule: { _, _ in "1" },
                 pattern: "add distributes: each input gets the upstream gradient unchanged",
                 summary: "a + b"),
        GateKind(name: "mul", arity: 2,
                 kernel: { Arithmetic.mul($0, $1, $2, $3) },
                 symbol: { _ in "*" }, formula: { "\($0.a)*\($0.b)" }, rule: { slot, o in slot == 0 ? o.b : o.a },
                 pattern: "mul switches: each input's local gradient is the other input's value",
                 summary: "a * b"),
        GateKind(name: "max", spellings: ["max"], arity: 2, variadic: true,
                 kernel: { a, b, _, l in
                     if a.isNaN || b.isNaN { l[0] = .nan; l[1] = .nan; return .nan }
                     if a >= b { l[0] = 1; l[1] = 0; return a }  // a tie goes to the first argument
                     l[0] = 0; l[1] = 1; return b
                 },
                 symbol: { _ in "max" }, formula: { "max(\($0.ua), \($0.ub))" },
                 rule: { slot, o in slot == 0 ? "[\(o.a) ≥ \(o.b)]" : "[\(o.b) > \(o.a)]" },
                 ruleLaTeX: { slot, o in slot == 0 ? "[\(o.a) \\ge \(o.b)]" : "[\(o.b) > \(o.a)]" },
                 pattern: "max routes: the whole gradient goes to the larger input, none to the other (on a tie, all of it to the first argument)",
                 kink: Kink(rule: "at a tie the whole gradient goes to the first argument") { a, b, _ in a == b },
                 summary: "max(a, b, …): the largest argument; a tie goes to the first"),
        GateKind(name: "exp", spellings: ["exp"], arity: 1,
                 kernel: { a, _, _, l in let e = Foundation.exp(a); l[0] = e; l[1] = 0; return e },
                 symbol: { _ in "exp" }, formula: { "exp(\($0.ua))" }, rule: { _, o in "exp(\(o.ua))" },
                 ruleLaTeX: { _, o in "e^{\(o.a)}" },
                 pattern: "exp's local gradient is its own output", summary: "exp(x): e to the x",
                 testDomain: { a, _, _ in abs(a) < 50 }),
        GateKind(name: "reciprocal", arity: 1,
                 kernel: { a, _, _, l in l[0] = -1 / (a * a); l[1] = 0; return 1 / a },
                 symbol: { _ in "1/x" }, formula: { "1/\($0.a)" }, rule: { _, o in "-1/\(o.a)²" },
                 ruleLaTeX: { _, o in "-\\frac{1}{(\(o.a))^2}" },
                 summary: "1/x (written c/x in the language)",
                 undefined: { a, _, _ in a == 0 ? "division by zero" : nil }, testDomain: { a, _, _ in abs(a) > 0.1 }),
        GateKind(name: "addConst", arity: 1, hasParameter: true,
                 kernel: { Arithmetic.addConst($0, $1, $2, $3) },
                 // Subtracting a constant is drawn +(-1), never -1, which would read like the *-1 gate.
                 symbol: { c in c < 0 || (c == 0 && c.sign == .minus) ? "+(-\(formatShortest(-c)))" : "+\(formatShortest(c))" },
                 formula: { o in o.parameter < 0 ? "\(o.a) - \(formatShortest(-o.parameter))" : "\(o.a) + \(o.p)" },
                 rule: { _, _ in "1" },
                 pattern: "adding a constant passes the gradient through unchanged", summary: "x + c",
                 testParameters: [1, -2.5]),
        GateKind(name: "mulConst", arity: 1, hasParameter: true,
                 kernel: { Arithmetic.mulConst($0, $1, $2, $3) },
                 symbol: { "*\(formatShortest($0))" },
                 formula: { o in o.parameter == -1 ? "-\(o.a)" : "\(o.p)*\(o.a)" }, rule: { _, o in o.p },
                 pattern: "multiplying by a constant scales the gradient by that constant", summary: "c * x",
                 testParameters: [-1, 3]),

        // Composites: each has a body in other gates with the same value and gradients.
        GateKind(name: "sigmoid", spellings: ["sigmoid", "σ"], arity: 1,
                 kernel: { a, _, _, l in let s = 1 / (1 + Foundation.exp(-a)); l[0] = (1 - s) * s; l[1] = 0; return s },
                 symbol: { _ in "σ" }, formula: { "σ(\($0.ua))" }, rule: { _, o in "(1 - σ(\(o.ua)))·σ(\(o.ua))" },
                 ruleLaTeX: { _, o in "(1 - \\sigma(\(o.a)))\\,\\sigma(\(o.a))" },
                 pattern: "σ's local gradient is (1 - σ)·σ, read off its own output",
                 body: { _ in Body(parameters: ["x"], steps: [
                     .init("mulConst", [.parameter(0)], parameter: -1), .init("exp", [.step(0)]),
                     .init("addConst", [.step(1)], parameter: 1), .init("reciprocal", [.step(2)])], text: "1/(1 + exp(-x))") },
                 summary: "sigmoid(x) = 1/(1 + exp(-x)), drawn σ", saturationFloor: 0.09),
        GateKind(name: "tanh", spellings: ["tanh"], arity: 1,
                 kernel: { a, _, _, l in let t = Foundation.tanh(a); l[0] = 1 - t * t; l[1] = 0; return t },
                 symbol: { _ in "tanh" }, formula: { "tanh(\($0.ua))" }, rule: { _, o in "1 - tanh²(\(o.ua))" },
                 ruleLaTeX: { _, o in "1 - \\tanh^2(\(o.a))" },
                 body: { _ in Body(parameters: ["x"], steps: [
                     .init("mulConst", [.parameter(0)], parameter: 2), .init("mulConst", [.step(0)], parameter: -1),
                     .init("exp", [.step(1)]), .init("addConst", [.step(2)], parameter: 1), .init("reciprocal", [.step(3)]),
                     .init("mulConst", [.step(4)], parameter: 2), .init("addConst", [.step(5)], parameter: -1)], text: "2σ(2x) - 1") },
                 summary: "tanh(x) = 2σ(2x) - 1", saturationFloor: 0.19),
        GateKind(name: "relu", spellings: ["relu"], arity: 1,
                 kernel: { a, _, _, l in
                     l[1] = 0
                     if a.isNaN { l[0] = .nan; return .nan }
                     if a > 0 { l[0] = 1; return a }
                     l[0] = 0; return 0
                 },
                 symbol: { _ in "relu" }, formula: { "relu(\($0.ua))" }, rule: { _, o in "[\(o.a) > 0]" },
                 pattern: "relu routes: the gradient passes where the input is positive and stops otherwise (at exactly 0 it stops)",
                 kink: Kink(rule: "at exactly 0 relu passes no gradient (gradient 0), as PyTorch and micrograd do") { a, _, _ in a == 0 },
                 // The tie at 0 goes to the constant, so x gets 0.
                 body: { _ in Body(parameters: ["x"], steps: [.init("max", [.constant(0), .parameter(0)])], text: "max(0, x)") },
                 summary: "relu(x) = max(0, x); at 0 the gradient is 0", dies: true),
        GateKind(name: "sub", arity: 2,
                 kernel: { a, b, _, l in l[0] = 1; l[1] = -1; return a - b },
                 symbol: { _ in "-" }, formula: { "\($0.a) - \($0.b)" }, rule: { slot, _ in slot == 0 ? "1" : "-1" },
                 pattern: "sub distributes, flipping the sign for the second input",
                 body: { _ in Body(parameters: ["a", "b"], steps: [
                     .init("mulConst", [.parameter(1)], parameter: -1), .init("add", [.parameter(0), .step(0)])], text: "a + (-1)·b") },
                 summary: "a - b"),
        GateKind(name: "div", arity: 2,
                 kernel: { a, b, _, l in l[0] = 1 / b; l[1] = -a / (b * b); return a / b },
                 symbol: { _ in "/" }, formula: { "\($0.a)/\($0.b)" },
                 rule: { slot, o in slot == 0 ? "1/\(o.b)" : "-\(o.a)/\(o.b)²" },
                 ruleLaTeX: { slot, o in slot == 0 ? "\\frac{1}{\(o.b)}" : "-\\frac{\(o.a)}{(\(o.b))^2}" },
                 body: { _ in Body(parameters: ["a", "b"], steps: [
                     .init("reciprocal", [.parameter(1)]), .init("mul", [.parameter(0), .step(0)])], text: "a · (1/b)") },
                 summary: "a / b",
                 undefined: { _, b, _ in b == 0 ? "division by zero" : nil }, testDomain: { _, b, _ in abs(b) > 0.1 }),
        GateKind(name: "min", spellings: ["min"], arity: 2, variadic: true,
                 kernel: { a, b, _, l in
                     if a.isNaN || b.isNaN { l[0] = .nan; l[1] = .nan; return .nan }
                     if a <= b { l[0] = 1; l[1] = 0; return a }  // a tie goes to the first argument
                     l[0] = 0; l[1] = 1; return b
                 },
                 symbol: { _ in "min" }, formula: { "min(\($0.ua), \($0.ub))" },
                 rule: { slot, o in slot == 0 ? "[\(o.a) ≤ \(o.b)]" : "[\(o.b) < \(o.a)]" },
                 ruleLaTeX: { slot, o in slot == 0 ? "[\(o.a) \\le \(o.b)]" : "[\(o.b) < \(o.a)]" },
                 pattern: "min routes: the whole gradient goes to the smaller input, none to the other (on a tie, all of it to the first argument)",
                 kink: Kink(rule: "at a tie the whole gradient goes to the first argument") { a, b, _ in a == b },
                 body: { _ in Body(parameters: ["a", "b"], steps: [
                     .init("mulConst", [.parameter(0)], parameter: -1), .init("mulConst", [.parameter(1)], parameter: -1),
                     .init("max", [.step(0), .step(1)]), .init("mulConst", [.step(2)], parameter: -1)], text: "-max(-a, -b)") },
                 summary: "min(a, b, …): the smallest argument; a tie goes to the first"),
        GateKind(name: "divConst", arity: 1, hasParameter: true,
                 kernel: { a, _, c, l in l[0] = 1 / c; l[1] = 0; return a / c },
                 symbol: { "/\(formatShortest($0))" }, formula: { "\($0.a)/\($0.p)" }, rule: { _, o in "1/\(o.p)" },
                 ruleLaTeX: { _, o in "\\frac{1}{\(o.p)}" },
                 body: { c in Body(parameters: ["x"], steps: [.init("mulConst", [.parameter(0)], parameter: 1 / c)], text: "x · (1/c)") },
                 summary: "x / c", testParameters: [4]),

        // Gates of their own.
        GateKind(name: "log", spellings: ["log", "ln"], arity: 1,
                 kernel: { a, _, _, l in l[0] = 1 / a; l[1] = 0; return Foundation.log(a) },
                 symbol: { _ in "log" }, formula: { "log(\($0.ua))" }, rule: { _, o in "1/\(o.a)" },
                 ruleLaTeX: { _, o in "\\frac{1}{\(o.a)}" }, summary: "log(x): the natural logarithm",
                 undefined: { a, _, _ in a == 0 ? "log of zero" : a < 0 ? "log of a negative number" : nil },
                 testDomain: { a, _, _ in a > 0.1 }),
        GateKind(name: "powConst", arity: 1, hasParameter: true,
                 kernel: { a, _, c, l in l[0] = c * Foundation.pow(a, c - 1); l[1] = 0; return Foundation.pow(a, c) },
                 symbol: { "^\(formatShortest($0))" }, formula: { "\($0.a)^\($0.p)" },
                 rule: { _, o in
                     let k = o.parameter - 1
                     return k == 0 ? o.p : k == 1 ? "\(o.p)·\(o.a)" : "\(o.p)·\(o.a)^\(formatShortest(k))"
                 },
                 ruleLaTeX: { _, o in
                     let k = o.parameter - 1
                     return k == 0 ? o.p : k == 1 ? "\(o.p)\\,\(o.a)" : "\(o.p)\\,(\(o.a))^{\(formatShortest(k))}"
                 },
                 summary: "x ^ c",
                 undefined: { _, _, _ in "a power with no real value, or too large" },
                 testDomain: { a, _, c in a > 0.1 || c == c.rounded() }, testParameters: [2, 3, 0.5, -1]),
        GateKind(name: "pow", spellings: ["pow"], arity: 2,
                 kernel: { a, b, _, l in
                     let v = Foundation.pow(a, b)
                     l[0] = b * Foundation.pow(a, b - 1); l[1] = v * Foundation.log(a); return v
                 },
                 symbol: { _ in "^" }, formula: { "\($0.a)^\($0.b)" },
                 rule: { slot, o in slot == 0 ? "\(o.b)·\(o.a)^(\(o.b) - 1)" : "\(o.a)^\(o.b)·ln(\(o.ua))" },
                 ruleLaTeX: { slot, o in slot == 0 ? "\(o.b)\\,(\(o.a))^{\(o.b) - 1}" : "(\(o.a))^{\(o.b)} \\ln(\(o.a))" },
                 summary: "pow(x, y), also x ^ y",
                 undefined: { _, _, _ in "a power with no real value, or too large" },
                 testDomain: { a, _, _ in a > 0.1 }),
        GateKind(name: "sqrt", spellings: ["sqrt"], arity: 1,
                 kernel: { a, _, _, l in let r = Foundation.sqrt(a); l[0] = 0.5 / r; l[1] = 0; return r },
                 symbol: { _ in "√" }, formula: { "sqrt(\($0.ua))" }, rule: { _, o in "1/(2·sqrt(\(o.ua)))" },
                 ruleLaTeX: { _, o in "\\frac{1}{2\\sqrt{\(o.a)}}" },
                 body: { _ in Body(parameters: ["x"], steps: [.init("powConst", [.parameter(0)], parameter: 0.5)], text: "x^0.5") },
                 summary: "sqrt(x): the square root",
                 undefined: { a, _, _ in a < 0 ? "square root of a negative number" : nil },
                 testDomain: { a, _, _ in a > 0.1 }),
        GateKind(name: "abs", spellings: ["abs"], arity: 1,
                 kernel: { a, _, _, l in
                     l[1] = 0
                     if a.isNaN { l[0] = .nan; return .nan }
                     l[0] = a > 0 ? 1 : a < 0 ? -1 : 0
                     return Swift.abs(a)
                 },
                 symbol: { _ in "abs" }, formula: { "abs(\($0.ua))" }, rule: { _, o in "sign(\(o.ua))" },
                 ruleLaTeX: { _, o in "\\operatorname{sign}(\(o.a))" },
                 kink: Kink(rule: "at exactly 0 abs passes no gradient (gradient 0), as PyTorch does") { a, _, _ in a == 0 },
                 body: { _ in Body(parameters: ["x"], steps: [
                     .init("relu", [.parameter(0)]), .init("mulConst", [.parameter(0)], parameter: -1),
                     .init("relu", [.step(1)]), .init("add", [.step(0), .step(2)])], text: "relu(x) + relu(-x)") },
                 summary: "abs(x): |x|; at 0 the gradient is 0"),
        GateKind(name: "softplus", spellings: ["softplus"], arity: 1,
                 kernel: { a, _, _, l in
                     let e = Foundation.exp(a)
                     l[0] = e / (1 + e); l[1] = 0
                     return Foundation.log(1 + e)
                 },
                 symbol: { _ in "softplus" }, formula: { "softplus(\($0.ua))" }, rule: { _, o in "exp(\(o.ua))/(1 + exp(\(o.ua)))" },
                 ruleLaTeX: { _, o in "\\frac{e^{\(o.a)}}{1 + e^{\(o.a)}}" },
                 body: { _ in Body(parameters: ["x"], steps: [
                     .init("exp", [.parameter(0)]), .init("addConst", [.step(0)], parameter: 1), .init("log", [.step(1)])],
                     text: "log(1 + exp(x))") },
                 summary: "softplus(x) = log(1 + exp(x))", testDomain: { a, _, _ in abs(a) < 30 }),
        GateKind(name: "leaky_relu", spellings: ["leaky_relu"], arity: 1,
                 parameterArgument: ParameterArgument(name: "slope", defaultValue: 0.01, isValid: { $0 >= 0 && $0 < 1 },
                                                      requirement: "the slope must be a number from 0 up to (not including) 1"),
                 kernel: { a, _, s, l in
                     l[1] = 0
                     if a.isNaN { l[0] = .nan; return .nan }
                     if a > 0 { l[0] = 1; return a }
                     l[0] = s; return s * a
                 },
                 symbol: { "leaky \(formatShortest($0))" }, formula: { "leaky_relu(\($0.ua), \($0.p))" },
                 rule: { _, o in "[\(o.a) > 0] + \(o.p)·[\(o.a) ≤ 0]" },
                 ruleLaTeX: { _, o in "[\(o.a) > 0] + \(o.p)\\,[\(o.a) \\le 0]" },
                 pattern: "leaky relu passes the gradient where the input is positive and a small fraction of it elsewhere",
                 kink: Kink(rule: "at exactly 0 leaky relu passes the slope's fraction of the gradient") { a, _, _ in a == 0 },
                 body: { s in Body(parameters: ["x"], steps: [
                     .init("mulConst", [.parameter(0)], parameter: s), .init("max", [.step(0), .parameter(0)])],
                     text: "max(\(formatShortest(s))·x, x)") },
                 summary: "leaky_relu(x) or leaky_relu(x, a) = max(a·x, x), slope a = 0.01 by default",
                 testParameters: [0.01, 0.1]),
        GateKind(name: "elu", spellings: ["elu"], arity: 1,
                 parameterArgument: ParameterArgument(name: "α", defaultValue: 1, isValid: { $0 > 0 && $0.isFinite },
                                                      requirement: "α must be a positive number"),
                 kernel: { a, _, alpha, l in
                     l[1] = 0
                     if a.isNaN { l[0] = .nan; return .nan }
                     if a > 0 { l[0] = 1; return a }
                     let e = Foundation.exp(a)
                     l[0] = alpha * e; return alpha * (e - 1)
                 },
                 symbol: { $0 == 1 ? "elu" : "elu \(formatShortest($0))" },
                 formula: { o in o.parameter == 1 ? "elu(\(o.ua))" : "elu(\(o.ua), \(o.p))" },
                 rule: { _, o in "[\(o.a) > 0] + \(o.p)·exp(\(o.ua))·[\(o.a) ≤ 0]" },
                 ruleLaTeX: { _, o in "[\(o.a) > 0] + \(o.p)\\,e^{\(o.a)}\\,[\(o.a) \\le 0]" },
                 kink: Kink(rule: "at exactly 0 elu's gradient is α (its left-hand slope)") { a, _, _ in a == 0 },
                 body: { alpha in Body(parameters: ["x"], steps: [
                     .init("relu", [.parameter(0)]), .init("min", [.parameter(0), .constant(0)]), .init("exp", [.step(1)]),
                     .init("addConst", [.step(2)], parameter: -1), .init("mulConst", [.step(3)], parameter: alpha),
                     .init("add", [.step(0), .step(4)])], text: "relu(x) + \(formatShortest(alpha))·(exp(min(x, 0)) - 1)") },
                 summary: "elu(x) or elu(x, α) = x for x > 0, α·(exp(x) - 1) otherwise; α = 1 by default",
                 testParameters: [1, 0.5]),
        GateKind(name: "sin", spellings: ["sin"], arity: 1,
                 kernel: { a, _, _, l in l[0] = Foundation.cos(a); l[1] = 0; return Foundation.sin(a) },
                 symbol: { _ in "sin" }, formula: { "sin(\($0.ua))" }, rule: { _, o in "cos(\(o.ua))" },
                 ruleLaTeX: { _, o in "\\cos(\(o.a))" }, summary: "sin(x), x in radians"),
        GateKind(name: "cos", spellings: ["cos"], arity: 1,
                 kernel: { a, _, _, l in l[0] = -Foundation.sin(a); l[1] = 0; return Foundation.cos(a) },
                 symbol: { _ in "cos" }, formula: { "cos(\($0.ua))" }, rule: { _, o in "-sin(\(o.ua))" },
                 ruleLaTeX: { _, o in "-\\sin(\(o.a))" }, summary: "cos(x), x in radians"),
    ]

    /// The index of a built-in kind by name (for the operators the builder writes itself).
    package static func builtin(_ name: String) -> UInt16 {
        guard let i = builtins.firstIndex(where: { $0.name == name }) else { fatalError("no built-in gate named \(name)") }
        return UInt16(i)
    }
}

/// The kernels of the four arithmetic gates the operators lower to, as functions the forward
/// loop can also call directly (inlined): a long chain of additions through a function pointer
/// costs about twice as much, since the call keeps the processor from overlapping the chain.
/// Their entries above call these; nothing else defines their arithmetic.
package enum Arithmetic {
    @inline(__always) package static func add(_ a: Double, _ b: Double, _ p: Double, _ l: UnsafeMutablePointer<Double>) -> Double {
        l[0] = 1; l[1] = 1; return a + b
    }
    @inline(__always) package static func mul(_ a: Double, _ b: Double, _ p: Double, _ l: UnsafeMutablePointer<Double>) -> Double {
        l[0] = b; l[1] = a; return a * b
    }
    @inline(__always) package static func addConst(_ a: Double, _ b: Double, _ c: Double, _ l: UnsafeMutablePointer<Double>) -> Double {
        l[0] = 1; l[1] = 0; return a + c
    }
    @inline(__always) package static func mulConst(_ a: Double, _ b: Double, _ c: Double, _ l: UnsafeMutablePointer<Double>) -> Double {
        l[0] = c; l[1] = 0; return a * c
    }
}

/// Indices of the built-in kinds that the language's operators and leaves lower to.
package enum Builtin {
    package static let input = GateKind.builtin("input")
    package static let constant = GateKind.builtin("constant")
    package static let add = GateKind.builtin("add")
    package static let mul = GateKind.builtin("mul")
    package static let sub = GateKind.builtin("sub")
    package static let div = GateKind.builtin("div")
    package static let pow = GateKind.builtin("pow")
    package static let max = GateKind.builtin("max")
    package static let reciprocal = GateKind.builtin("reciprocal")
    package static let addConst = GateKind.builtin("addConst")
    package static let mulConst = GateKind.builtin("mulConst")
    package static let divConst = GateKind.builtin("divConst")
    package static let powConst = GateKind.builtin("powConst")
}
