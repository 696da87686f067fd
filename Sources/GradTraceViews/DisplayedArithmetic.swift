import Foundation

/// The one rule for equations a page shows (`a × b = c`, a fork's sum, an update line): the
/// result is shown as the number format gives it — so published figures come out digit for
/// digit — and an operand whose shown digits are not its exact value gets guard digits, one
/// at a time, until the equation holds when recomputed from the operands exactly as shown, to
/// within half a unit of the result's last digit: `-2.00 × 0.197 = -0.39`, not
/// `-2.00 × 0.20 = -0.39`. If six guard digits are not enough, the equation is marked
/// approximate and the views write `≈`.
package enum DisplayedArithmetic {
    /// The most guard digits an operand gets before the equation is marked approximate.
    package static let maxGuardDigits = 6

    /// An equation as shown: its operands and its result.
    package struct Equation: Sendable, Equatable {
        /// The operands as shown, guard digits included.
        package var operands: [Shown]
        /// The result exactly as the number format shows it (it never gets guard digits).
        package var result: Shown
        /// True when no number of guard digits made the shown equation hold.
        package var approximate: Bool
        /// `=` or `≈`.
        package var equals: String { approximate ? "≈" : "=" }
    }

    /// What an equation computes from its operands, in exact decimals (the rule) or in doubles
    /// (the quick answer where it is clearly the same).
    package enum Operation: Sendable {
        /// `a × b × …`.
        case product
        /// `t₁ + t₂ + …`.
        case sum
        /// `w − η × g`.
        case update
        /// `w − η × g / d` (w when d = 0).
        case scaledUpdate
        /// `μ × v − η × g`.
        case velocity

        /// The operation on `x`.
        package func apply<T: ShownArithmetic>(_ x: [T]) -> T {
            switch self {
            case .product: return x.reduce(T.one, *)
            case .sum: return x.reduce(T.zero, +)
            case .update: return x[0] - x[1] * x[2]
            case .scaledUpdate: return x[3] == T.zero ? x[0] : x[0] - x[1] * x[2] / x[3]
            case .velocity: return x[0] * x[1] - x[2] * x[3]
            }
        }

        /// The size of the terms it adds, which bounds a double's rounding error in `apply`.
        func scale(_ x: [Double]) -> Double {
            switch self {
            case .product: return x.reduce(1) { $0 * abs($1) }
            case .sum: return x.reduce(0) { $0 + abs($1) }
            case .update: return abs(x[0]) + abs(x[1] * x[2])
            case .scaledUpdate: return x[3] == 0 ? abs(x[0]) : abs(x[0]) + abs(x[1] * x[2] / x[3])
            case .velocity: return abs(x[0] * x[1]) + abs(x[2] * x[3])
            }
        }
    }

    /// `a × b = c`.
    package static func product(_ a: Double, _ b: Double, _ c: Double, _ format: NumberFormat) -> Equation {
        solve([a, b], c, format, .product)
    }

    /// `a × b = c`, for operands already shown with `format` (a walkthrough shows each once).
    package static func product(_ a: Shown, _ b: Shown, _ c: Double, _ format: NumberFormat) -> Equation {
        solve([a.value, b.value], c, format, .product, shown: [a, b])
    }

    /// `l₁ × l₂ × … = p`: a path's product of local gradients.
    package static func product(of factors: [Double], _ result: Double, _ format: NumberFormat) -> Equation {
        solve(factors, result, format, .product)
    }

    /// `t₁ + t₂ + … = total`.
    package static func sum(_ terms: [Double], _ total: Double, _ format: NumberFormat) -> Equation {
        solve(terms, total, format, .sum)
    }

    /// `w − η × g = w'`.
    package static func update(_ w: Double, _ eta: Double, _ g: Double, _ result: Double, _ format: NumberFormat) -> Equation {
        solve([w, eta, g], result, format, .update)
    }

    /// `w − η × g / d = w'` (RMSprop's and Adam's scaled step, d = √s + ε).
    package static func scaledUpdate(_ w: Double, _ eta: Double, _ g: Double, _ d: Double, _ result: Double, _ format: NumberFormat) -> Equation {
        solve([w, eta, g, d], result, format, .scaledUpdate)
    }

    /// `μ × v − η × g = v'` (momentum's velocity).
    package static func velocity(_ mu: Double, _ v: Double, _ eta: Double, _ g: Double, _ result: Double, _ format: NumberFormat) -> Equation {
        solve([mu, v, eta, g], result, format, .velocity)
    }

    /// Whether the shown numbers satisfy `operation` at the result's digits. Decided in doubles
    /// when the difference is further from half a unit than any rounding of theirs could move
    /// it (a margin of 10⁻¹² of the terms' size, thousands of times their error); otherwise, and
    /// wherever a double could overflow or underflow, in exact decimals, as `holds(_:_:_:)`. So
    /// the answer is the exact one, at a small part of the cost of decimal arithmetic.
    package static func holds(_ operands: [Shown], _ result: Shown, _ operation: Operation) -> Bool {
        func inRange(_ s: Shown) -> Bool { s.value.isFinite && abs(s.exponent ?? 0) <= 100 }
        guard inRange(result), operands.allSatisfy(inRange) else { return true }  // as `decimal` gives nil: nothing to add up
        let values = operands.compactMap(\.double)
        if values.count == operands.count, let r = result.double {
            let difference = abs(operation.apply(values) - r), half = result.halfUnitDouble
            let margin = 1e-12 * (operation.scale(values) + abs(r) + half)
            if difference.isFinite, margin.isFinite, margin > 1e-280, half > 1e-280, abs(difference - half) > margin {
                return difference < half
            }
        }
        return holds(operands, result) { operation.apply($0) }
    }

    /// Whether the shown numbers satisfy `combine(operands) = result` at the result's digits.
    package static func holds(_ operands: [Shown], _ result: Shown, _ combine: ([Decimal]) -> Decimal) -> Bool {
        let values = operands.compactMap(\.decimal)
        guard values.count == operands.count, let r = result.decimal else { return true }  // inf and nan: nothing to add up
        var difference = combine(values) - r
        if difference < 0 { difference = -difference }
        return difference <= result.halfUnit
    }

    package static func solve(_ values: [Double], _ result: Double, _ format: NumberFormat, _ operation: Operation, shown: [Shown]? = nil) -> Equation {
        let shownResult = format.shown(result)
        let base = shown ?? values.map { format.shown($0) }
        if holds(base, shownResult, operation) { return Equation(operands: base, result: shownResult, approximate: false) }
        for extra in 1...maxGuardDigits {
            let operands = zip(values, base).map { value, shown in shown.isExact ? shown : format.shown(value, extra: extra) }
            if holds(operands, shownResult, operation) { return Equation(operands: operands, result: shownResult, approximate: false) }
        }
        return Equation(operands: base, result: shownResult, approximate: true)
    }
}

/// The arithmetic an equation's check needs, for exact decimals and for doubles alike.
package protocol ShownArithmetic: SignedNumeric {
    /// The number one.
    static var one: Self { get }
    /// Division.
    static func / (lhs: Self, rhs: Self) -> Self
}

extension Double: ShownArithmetic {
    package static var one: Double { 1 }
}

extension Decimal: ShownArithmetic {
    package static var one: Decimal { 1 }
}
