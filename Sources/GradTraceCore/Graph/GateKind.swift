import Foundation

/// Everything about one kind of gate, in one value: its names in the language, arity, the
/// symbol drawn in its circle, its forward value and local gradients side by side (`kernel`),
/// the symbolic rule for each local gradient (text and LaTeX), its kink rule, the pattern the
/// lecture names, and, for a composite, its body of primitives. The built-in kinds are the
/// entries of `GateKind.builtins` (Gates.swift); a user's `def` makes one more of the same type.
/// The parser's function table, the help text and the per-gate tests are derived from them.
package final class GateKind: Sendable {
    /// The forward value of the gate at inputs `a`, `b` (ignored by one-input gates) with
    /// parameter `p` (the `c` of `x + c`); it writes the local gradient with respect to each
    /// input into `locals[0]` and `locals[1]`. A plain function pointer: as fast as a `switch`.
    package typealias Kernel = @convention(c) (_ a: Double, _ b: Double, _ p: Double, _ locals: UnsafeMutablePointer<Double>) -> Double

    /// The labels of a gate's inputs and its parameter, from which formulas and rules are written.
    package struct Operands: Sendable {
        /// Labels of the first two inputs, as operands (parenthesised when compound).
        package var a: String
        /// Label of the second input; empty for one-input gates.
        package var b: String
        /// Labels of inputs beyond the second (calls of defs with more parameters).
        package var rest: [String]
        /// The gate's parameter (the c of `x + c`); 0 when the kind has none.
        package var parameter: Double
        /// Operands of a gate with at most two inputs.
        package init(a: String, b: String = "", parameter: Double = 0) {
            self.a = a
            self.b = b
            rest = []
            self.parameter = parameter
        }
        /// Operands from every input's label in slot order; labels beyond the second go to `rest`.
        package init(_ labels: [String], parameter: Double = 0) {
            a = labels.first ?? ""
            b = labels.count > 1 ? labels[1] : ""
            rest = labels.count > 2 ? Array(labels[2...]) : []
            self.parameter = parameter
        }
        /// Every input's label, in order (`count` of them).
        package func labels(_ count: Int) -> [String] { Array(([a, b] + rest).prefix(count)) }
        /// `a` without the parentheses a call's own parentheses make redundant.
        package var ua: String { unwrapped(a) }
        /// `b` without the parentheses a call's own parentheses make redundant.
        package var ub: String { unwrapped(b) }
        /// The parameter, shortest form.
        package var p: String { formatShortest(parameter) }
    }

    /// Where a gate is not differentiable, and the convention used there.
    package struct Kink: Sendable {
        /// Whether inputs `a`, `b` with parameter `p` sit exactly on the kink (a max tie, relu's input at 0).
        package var test: @Sendable (_ a: Double, _ b: Double, _ p: Double) -> Bool
        /// The convention, said once: "at a tie the whole gradient goes to the first argument".
        package var rule: String
        /// A kink from its convention, said once, and its test.
        package init(rule: String, test: @escaping @Sendable (Double, Double, Double) -> Bool) {
            self.rule = rule
            self.test = test
        }
    }

    /// How a call spells the gate's parameter as a trailing number argument: `leaky_relu(x, 0.2)`.
    package struct ParameterArgument: Sendable {
        /// The argument's name in messages: leaky_relu's `slope`, elu's `α`.
        package var name: String
        /// The value when the argument is left out.
        package var defaultValue: Double
        /// Values that make no sense (reported with `requirement`).
        package var isValid: @Sendable (Double) -> Bool
        /// What a valid value is, said when a call gives another: `α must be a positive number`.
        package var requirement: String
    }

    /// JSON's and prose's name: `add`, `sigmoid`, `softplus`.
    package let name: String
    /// Function names in the language (`["log", "ln"]`); empty for operators and constant gates.
    package let spellings: [String]
    /// Number of inputs (0 for leaves).
    package let arity: Int
    /// `max(a, b, c, …)`: more than `arity` arguments chain binary gates left to right.
    package let variadic: Bool
    /// Whether the gate carries a parameter (`+c`, `*c`, `^c`, leaky_relu's slope).
    package let hasParameter: Bool
    /// How a call spells the parameter as a trailing argument (leaky_relu, elu); nil for other gates.
    package let parameterArgument: ParameterArgument?
    /// nil for a user's `def`: its value and local gradients come from running its body.
    package let kernel: Kernel?
    /// What is drawn in the gate's circle, given its parameter.
    package let symbol: @Sendable (Double) -> String
    /// The gate written over its inputs' labels: `a + b`, `σ(a)`.
    package let formula: @Sendable (Operands) -> String
    /// The local gradient for input `slot`, symbolically, in Unicode text.
    package let rule: @Sendable (_ slot: Int, Operands) -> String
    /// The same in LaTeX (labels arrive LaTeX-escaped).
    package let ruleLaTeX: @Sendable (_ slot: Int, Operands) -> String
    /// The backward-flow pattern the lecture names, when the gate shows one.
    package let pattern: String?
    /// Where the gate is not differentiable and the convention used there; nil for a smooth gate.
    package let kink: Kink?
    /// For a composite: the same function written with other gates (exact, kinks included),
    /// given the gate's parameter.
    package let body: (@Sendable (Double) -> Body)?
    /// One line for `--help`: `sqrt(x)   square root`.
    package let summary: String
    /// Why a non-finite value came out of finite inputs (`log of zero`), for warnings.
    package let undefined: @Sendable (_ a: Double, _ b: Double, _ p: Double) -> String?
    /// Where the kernel is differentiable, for the numerical test of every gate.
    package let testDomain: @Sendable (_ a: Double, _ b: Double, _ p: Double) -> Bool
    /// Parameters the numerical test uses (gates with a parameter).
    package let testParameters: [Double]
    /// Where the gate saturates: a seeded exercise is redrawn when this gate's local gradient is
    /// below the floor, since the gate then looks like a constant (σ: 0.09, tanh: 0.19). nil for
    /// a gate that does not flatten out.
    package let saturationFloor: Double?
    /// Whether the local gradient is exactly 0 on a whole half-line of inputs, so that a unit whose
    /// input stays there for every example learns nothing (a dead unit): relu. leaky_relu keeps
    /// its slope and elu its e^x there, so neither dies.
    package let dies: Bool

    /// A kind of gate from its entries (see the properties). `ruleLaTeX` defaults to `rule`, and a
    /// `parameterArgument` implies `hasParameter`.
    package init(name: String, spellings: [String] = [], arity: Int, variadic: Bool = false, hasParameter: Bool = false,
                parameterArgument: ParameterArgument? = nil, kernel: Kernel?,
                symbol: @escaping @Sendable (Double) -> String,
                formula: @escaping @Sendable (Operands) -> String,
                rule: @escaping @Sendable (Int, Operands) -> String,
                ruleLaTeX: (@Sendable (Int, Operands) -> String)? = nil,
                pattern: String? = nil, kink: Kink? = nil, body: (@Sendable (Double) -> Body)? = nil, summary: String = "",
                undefined: @escaping @Sendable (Double, Double, Double) -> String? = { _, _, _ in nil },
                testDomain: @escaping @Sendable (Double, Double, Double) -> Bool = { _, _, _ in true },
                testParameters: [Double] = [0], saturationFloor: Double? = nil, dies: Bool = false) {
        self.name = name
        self.spellings = spellings
        self.arity = arity
        self.variadic = variadic
        self.hasParameter = hasParameter || parameterArgument != nil
        self.parameterArgument = parameterArgument
        self.kernel = kernel
        self.symbol = symbol
        self.formula = formula
        self.rule = rule
        self.ruleLaTeX = ruleLaTeX ?? rule
        self.pattern = pattern
        self.kink = kink
        self.body = body
        self.summary = summary
        self.undefined = undefined
        self.testDomain = testDomain
        self.testParameters = testParameters
        self.saturationFloor = saturationFloor
        self.dies = dies
    }

    /// Whether it is a leaf kind (input or constant), with no inputs.
    package var isLeaf: Bool { arity == 0 }
    /// Whether it has a body of other gates (σ, tanh, relu, −, /, min, a `def`, …), which an expansion draws.
    package var isComposite: Bool { body != nil }
    /// A `def` from the source (no kernel of its own).
    package var isDefinition: Bool { kernel == nil && arity > 0 }

    /// Value and local gradients of a kernel gate, for tests and constant folding.
    package func evaluate(_ a: Double, _ b: Double = 0, parameter p: Double = 0) -> (value: Double, localA: Double, localB: Double) {
        guard let kernel else { return (.nan, .nan, .nan) }
        var locals: (Double, Double) = (0, 0)
        let v = withUnsafeMutableBytes(of: &locals) { kernel(a, b, p, $0.baseAddress!.assumingMemoryBound(to: Double.self)) }
        return (v, locals.0, locals.1)
    }
}

/// A composite's body: steps over its parameters, each a gate on earlier steps, parameters
/// or constants. The last step is the result. σ, tanh, relu, −, /, min and every `def` are
/// written this way; `--expand` draws a call as its body.
package struct Body: Sendable {
    /// What feeds a step's input.
    package enum Operand: Sendable, Equatable {
        /// The body's parameter at this index.
        case parameter(Int)
        /// The result of the earlier step at this index.
        case step(Int)
        /// A number.
        case constant(Double)
    }
    /// One gate of a body: its kind (by name), inputs and parameter.
    package struct Step: Sendable {
        /// Kind by name, resolved against the graph's kinds when the body is emitted.
        package var kind: String
        /// The step's gate parameter (the c of `x + c`); 0 when its kind has none.
        package var parameter: Double
        /// The step's inputs, in slot order.
        package var inputs: [Operand]
        /// The name the `def` gave this step (`z = w*x + b`), if any.
        package var name: String?
        /// A step of the kind named `kind` over `inputs`, optionally named as in the `def`.
        package init(_ kind: String, _ inputs: [Operand], parameter: Double = 0, name: String? = nil) {
            self.kind = kind
            self.inputs = inputs
            self.parameter = parameter
            self.name = name
        }
    }
    /// The parameters' names, in argument order.
    package var parameters: [String]
    /// The gates, each over earlier steps, parameters or constants; the last one's value is the result.
    package var steps: [Step]
    /// The body as the user typed it (a `def`), or as a formula (built-ins): for prose.
    package var text: String

    /// A body from its parameters, steps and display text.
    package init(parameters: [String], steps: [Step], text: String) {
        self.parameters = parameters
        self.steps = steps
        self.text = text
    }
}

/// `(x + y)` → `x + y`, for arguments that a call's own parentheses already enclose.
package func unwrapped(_ s: String) -> String {
    guard s.hasPrefix("("), s.hasSuffix(")") else { return s }
    let inner = s.dropFirst().dropLast()
    var depth = 0
    for ch in inner {
        if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1; if depth < 0 { return s } }
    }
    return depth == 0 ? String(inner) : s
}

/// The shortest round-trip decimal, without a trailing `.0` on integers: how a constant is
/// spelled in symbols (`+1`, `*-1`) and labels.
package func formatShortest(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    if value == 0 { return "0" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}

extension Body {
    /// The local gradient with respect to parameter `k`, stated through the body: the sum over
    /// every path from the parameter to the result of the product of the local rules along it
    /// (factors of 1 left out), over the call's argument labels. `kinds` resolves step kinds.
    /// nil when the body has more than `maxPaths` paths (the sum would not be readable).
    package func chainRule(wrt k: Int, arguments: [String], kinds: [String: GateKind], maxPaths: Int = 6) -> String? {
        // Labels of every step, over the arguments, in order (no recursion).
        var labels: [String] = []
        func label(_ operand: Operand) -> String {
            switch operand {
            case .parameter(let p): return arguments[p]
            case .step(let s): return labels[s]
            case .constant(let c): return formatShortest(c)
            }
        }
        for step in steps {
            guard let kind = kinds[step.kind] else { return nil }
            let text = kind.formula(GateKind.Operands(step.inputs.map(label), parameter: step.parameter))
            labels.append(GateKind.isCompound(text) ? "(\(text))" : text)
        }
        // Paths from the result back to parameter k, depth first with an explicit stack.
        var paths: [[String]] = []
        var stack: [(step: Int, factors: [String])] = [(steps.count - 1, [])]
        while let (s, factors) = stack.popLast() {
            let step = steps[s]
            guard let kind = kinds[step.kind] else { return nil }
            let operands = GateKind.Operands(step.inputs.map(label), parameter: step.parameter)
            for (slot, input) in step.inputs.enumerated().reversed() {
                let factor = kind.rule(slot, operands)
                let next = factor == "1" ? factors : factors + [GateKind.isCompound(factor) && !factor.hasPrefix("[") ? "(\(factor))" : factor]
                switch input {
                case .parameter(let p) where p == k: paths.append(next)
                case .step(let t): stack.append((t, next))
                default: break
                }
                if paths.count > maxPaths || stack.count > 64 * maxPaths { return nil }
            }
        }
        if paths.isEmpty { return "0" }
        return paths.map { $0.isEmpty ? "1" : $0.joined(separator: "·") }.joined(separator: " + ")
    }
}

extension GateKind {
    /// Whether a formula has an operator outside parentheses (so it needs them as an operand).
    package static func isCompound(_ text: String) -> Bool {
        var depth = 0
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "("), UInt8(ascii: "["): depth += 1  // W[2,1] is one name
            case UInt8(ascii: ")"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: " "), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "^"), UInt8(ascii: ","):
                if depth == 0 { return true }
            default: break
            }
        }
        return false
    }
}
