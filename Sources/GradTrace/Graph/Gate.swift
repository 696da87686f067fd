import Foundation

/// Every kind of node in a circuit. Everything about a gate lives in this file: its symbol,
/// its forward value and local gradients (side by side, in `evaluate`), the symbolic form of
/// those local gradients for the walkthrough (`localRule`), its backward-flow pattern, and,
/// for a composite gate, how it expands into the lecture's primitives
/// (add, mul, max, exp, reciprocal, `+c`, `*c`).
public enum Gate: Sendable, Hashable {
    /// A variable whose value the user binds.
    case input
    /// A literal number that could not be folded into a constant gate (the `0` of `max(x, 0)`).
    case constant(Double)

    // The lecture's primitives.
    case add, mul, max, exp, reciprocal
    /// `+c`, drawn `+1` in the lecture.
    case addConst(Double)
    /// `*c`, drawn `*-1` in the lecture.
    case mulConst(Double)

    // Composite gates: each has an exact expansion into primitives (`--expand`).
    case sigmoid, tanh, relu, sub, div, min
    /// `x / c`.
    case divConst(Double)

    // Gates of their own: no expansion into the primitives exists.
    case log
    /// `x ^ c`.
    case powConst(Double)
    /// `x ^ y`, both variable.
    case pow

    public var arity: Int {
        switch self {
        case .input, .constant: return 0
        case .add, .mul, .max, .sub, .div, .min, .pow: return 2
        default: return 1
        }
    }

    public var isLeaf: Bool { arity == 0 }

    /// The forward value and the local gradient with respect to each input, computed together,
    /// so each gate's chain-rule step reads in one place. `b` is ignored by one-input gates.
    @inline(__always)
    public func evaluate(_ a: Double, _ b: Double) -> (value: Double, localA: Double, localB: Double) {
        switch self {
        case .input, .constant:
            return (.nan, 0, 0)  // leaves are given their value, never evaluated
        case .add:
            return (a + b, 1, 1)
        case .mul:
            return (a * b, b, a)
        case .max:  // tie: the whole gradient goes to the first argument
            if a.isNaN || b.isNaN { return (.nan, .nan, .nan) }
            return a >= b ? (a, 1, 0) : (b, 0, 1)
        case .exp:
            let e = Foundation.exp(a)
            return (e, e, 0)
        case .reciprocal:
            return (1 / a, -1 / (a * a), 0)
        case .addConst(let c):
            return (a + c, 1, 0)
        case .mulConst(let c):
            return (a * c, c, 0)
        case .sigmoid:
            let s = 1 / (1 + Foundation.exp(-a))
            return (s, (1 - s) * s, 0)
        case .tanh:
            let t = Foundation.tanh(a)
            return (t, 1 - t * t, 0)
        case .relu:  // at 0 the gradient is 0, as in PyTorch and micrograd
            if a.isNaN { return (.nan, .nan, 0) }
            return a > 0 ? (a, 1, 0) : (0, 0, 0)
        case .sub:
            return (a - b, 1, -1)
        case .div:
            return (a / b, 1 / b, -a / (b * b))
        case .min:  // tie: the whole gradient goes to the first argument
            if a.isNaN || b.isNaN { return (.nan, .nan, .nan) }
            return a <= b ? (a, 1, 0) : (b, 0, 1)
        case .divConst(let c):
            return (a / c, 1 / c, 0)
        case .log:
            return (Foundation.log(a), 1 / a, 0)
        case .powConst(let c):
            return (Foundation.pow(a, c), c * Foundation.pow(a, c - 1), 0)
        case .pow:
            let v = Foundation.pow(a, b)
            return (v, b * Foundation.pow(a, b - 1), v * Foundation.log(a))
        }
    }

    /// The local gradient's symbolic rule for input `slot`, in terms of the input labels `a`
    /// and `b`, in Unicode text: `∂(q·z)/∂q = z` prints this as `z`.
    public func localRule(slot: Int, a: String, b: String) -> String {
        let u = Labels.unwrapped(a)  // inside a function's own parentheses
        switch self {
        case .input, .constant: return ""
        case .add: return "1"
        case .mul: return slot == 0 ? b : a
        case .max: return slot == 0 ? "[\(a) ≥ \(b)]" : "[\(b) > \(a)]"
        case .exp: return "exp(\(u))"
        case .reciprocal: return "-1/\(a)²"
        case .addConst: return "1"
        case .mulConst(let k): return formatShortest(k)
        case .sigmoid: return "(1 - σ(\(u)))·σ(\(u))"
        case .tanh: return "1 - tanh²(\(u))"
        case .relu: return "[\(a) > 0]"
        case .sub: return slot == 0 ? "1" : "-1"
        case .div: return slot == 0 ? "1/\(b)" : "-\(a)/\(b)²"
        case .min: return slot == 0 ? "[\(a) ≤ \(b)]" : "[\(b) < \(a)]"
        case .divConst(let k): return "1/\(formatShortest(k))"
        case .log: return "1/\(a)"
        case .powConst(let k): return "\(formatShortest(k))·\(a)^\(formatShortest(k - 1))"
        case .pow: return slot == 0 ? "\(b)·\(a)^(\(b) - 1)" : "\(a)^\(b)·ln(\(u))"
        }
    }

    /// The same rule in LaTeX, for Markdown walkthroughs (`$…$`). Labels arrive LaTeX-escaped.
    public func localRuleLaTeX(slot: Int, a: String, b: String) -> String {
        switch self {
        case .input, .constant: return ""
        case .add: return "1"
        case .mul: return slot == 0 ? b : a
        case .max: return slot == 0 ? "[\(a) \\ge \(b)]" : "[\(b) > \(a)]"
        case .exp: return "e^{\(a)}"
        case .reciprocal: return "-\\frac{1}{(\(a))^2}"
        case .addConst: return "1"
        case .mulConst(let k): return formatShortest(k)
        case .sigmoid: return "(1 - \\sigma(\(a)))\\,\\sigma(\(a))"
        case .tanh: return "1 - \\tanh^2(\(a))"
        case .relu: return "[\(a) > 0]"
        case .sub: return slot == 0 ? "1" : "-1"
        case .div: return slot == 0 ? "\\frac{1}{\(b)}" : "-\\frac{\(a)}{(\(b))^2}"
        case .min: return slot == 0 ? "[\(a) \\le \(b)]" : "[\(b) < \(a)]"
        case .divConst(let k): return "\\frac{1}{\(formatShortest(k))}"
        case .log: return "\\frac{1}{\(a)}"
        case .powConst(let k): return "\(formatShortest(k))\\,(\(a))^{\(formatShortest(k - 1))}"
        case .pow: return slot == 0 ? "\(b)\\,(\(a))^{\(b) - 1}" : "(\(a))^{\(b)} \\ln(\(a))"
        }
    }

    /// The symbol drawn in the gate's circle, as in the CS231n figures.
    public var symbol: String {
        switch self {
        case .input: return "input"
        case .constant(let k): return formatShortest(k)
        case .add: return "+"
        case .mul: return "*"
        case .max: return "max"
        case .exp: return "exp"
        case .reciprocal: return "1/x"
        case .addConst(let k): return k < 0 || (k == 0 && k.sign == .minus) ? "-\(formatShortest(-k))" : "+\(formatShortest(k))"
        case .mulConst(let k): return "*\(formatShortest(k))"
        case .sigmoid: return "σ"
        case .tanh: return "tanh"
        case .relu: return "relu"
        case .sub: return "-"
        case .div: return "/"
        case .min: return "min"
        case .divConst(let k): return "/\(formatShortest(k))"
        case .log: return "log"
        case .powConst(let k): return "^\(formatShortest(k))"
        case .pow: return "^"
        }
    }

    /// The gate's name in JSON and in prose.
    public var name: String {
        switch self {
        case .input: return "input"
        case .constant: return "constant"
        case .add: return "add"
        case .mul: return "mul"
        case .max: return "max"
        case .exp: return "exp"
        case .reciprocal: return "reciprocal"
        case .addConst: return "addConst"
        case .mulConst: return "mulConst"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .relu: return "relu"
        case .sub: return "sub"
        case .div: return "div"
        case .min: return "min"
        case .divConst: return "divConst"
        case .log: return "log"
        case .powConst: return "powConst"
        case .pow: return "pow"
        }
    }

    /// The constant a constant gate carries, for JSON.
    public var parameter: Double? {
        switch self {
        case .constant(let k), .addConst(let k), .mulConst(let k), .divConst(let k), .powConst(let k): return k
        default: return nil
        }
    }

    /// The backward-flow pattern the lecture names, when the gate shows one.
    public var pattern: String? {
        switch self {
        case .add: return "add distributes: each input gets the upstream gradient unchanged"
        case .sub: return "sub distributes, flipping the sign for the second input"
        case .addConst: return "adding a constant passes the gradient through unchanged"
        case .mul: return "mul switches: each input's local gradient is the other input's value"
        case .mulConst: return "multiplying by a constant scales the gradient by that constant"
        case .max: return "max routes: the whole gradient goes to the larger input, none to the other (on a tie, all of it to the first argument)"
        case .min: return "min routes: the whole gradient goes to the smaller input, none to the other (on a tie, all of it to the first argument)"
        case .relu: return "relu routes: the gradient passes where the input is positive and stops otherwise (at exactly 0 it stops)"
        case .sigmoid: return "σ's local gradient is (1 - σ)·σ, read off its own output"
        case .exp: return "exp's local gradient is its own output"
        default: return nil
        }
    }

    /// True where the gate is not differentiable at these inputs (a max or min tie, relu at 0):
    /// the walkthrough states the convention used, and a numerical check is not meaningful.
    public func isKink(_ a: Double, _ b: Double) -> Bool {
        switch self {
        case .max, .min: return a == b
        case .relu: return a == 0
        default: return false
        }
    }

    /// The convention used at a kink, for the walkthrough.
    public var kinkRule: String? {
        switch self {
        case .max: return "at a tie the whole gradient goes to the first argument"
        case .min: return "at a tie the whole gradient goes to the first argument"
        case .relu: return "at exactly 0 relu passes no gradient (gradient 0), as PyTorch and micrograd do"
        default: return nil
        }
    }

    /// One step of a composite gate's expansion: a primitive gate and where its inputs come from.
    public struct ExpansionStep: Sendable {
        public enum Operand: Sendable { case arg0, arg1, step(Int), constant(Double) }
        public var gate: Gate
        public var a: Operand
        public var b: Operand?
    }

    /// How a composite gate is written in primitives; nil for primitives and gates of their
    /// own. Each expansion has the composite's value and gradients exactly (ties included).
    public var expansion: [ExpansionStep]? {
        typealias S = ExpansionStep
        switch self {
        case .sigmoid:  // σ(x) = 1 / (1 + exp(-x))
            return [S(gate: .mulConst(-1), a: .arg0), S(gate: .exp, a: .step(0)),
                    S(gate: .addConst(1), a: .step(1)), S(gate: .reciprocal, a: .step(2))]
        case .tanh:  // tanh(x) = 2σ(2x) - 1
            return [S(gate: .mulConst(2), a: .arg0), S(gate: .mulConst(-1), a: .step(0)), S(gate: .exp, a: .step(1)),
                    S(gate: .addConst(1), a: .step(2)), S(gate: .reciprocal, a: .step(3)),
                    S(gate: .mulConst(2), a: .step(4)), S(gate: .addConst(-1), a: .step(5))]
        case .relu:  // relu(x) = max(0, x); the tie at 0 goes to the constant, so x gets 0
            return [S(gate: .max, a: .constant(0), b: .arg0)]
        case .sub:  // a - b = a + (-1)·b
            return [S(gate: .mulConst(-1), a: .arg1), S(gate: .add, a: .arg0, b: .step(0))]
        case .div:  // a / b = a · (1/b)
            return [S(gate: .reciprocal, a: .arg1), S(gate: .mul, a: .arg0, b: .step(0))]
        case .min:  // min(a, b) = -max(-a, -b)
            return [S(gate: .mulConst(-1), a: .arg0), S(gate: .mulConst(-1), a: .arg1),
                    S(gate: .max, a: .step(0), b: .step(1)), S(gate: .mulConst(-1), a: .step(2))]
        case .divConst(let c):  // x / c = x · (1/c)
            return [S(gate: .mulConst(1 / c), a: .arg0)]
        default:
            return nil
        }
    }
}
