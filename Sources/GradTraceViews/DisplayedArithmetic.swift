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

    /// `a × b = c`.
    package static func product(_ a: Double, _ b: Double, _ c: Double, _ format: NumberFormat) -> Equation {
        solve([a, b], c, format) { $0[0] * $0[1] }
    }

    /// `l₁ × l₂ × … = p`: a path's product of local gradients.
    package static func product(of factors: [Double], _ result: Double, _ format: NumberFormat) -> Equation {
        solve(factors, result, format) { $0.reduce(1, *) }
    }

    /// `t₁ + t₂ + … = total`.
    package static func sum(_ terms: [Double], _ total: Double, _ format: NumberFormat) -> Equation {
        solve(terms, total, format) { $0.reduce(0, +) }
    }

    /// `w − η × g = w'`.
    package static func update(_ w: Double, _ eta: Double, _ g: Double, _ result: Double, _ format: NumberFormat) -> Equation {
        solve([w, eta, g], result, format) { $0[0] - $0[1] * $0[2] }
    }

    /// `w − η × g / d = w'` (RMSprop's and Adam's scaled step, d = √s + ε).
    package static func scaledUpdate(_ w: Double, _ eta: Double, _ g: Double, _ d: Double, _ result: Double, _ format: NumberFormat) -> Equation {
        solve([w, eta, g, d], result, format) { $0[3] == 0 ? $0[0] : $0[0] - $0[1] * $0[2] / $0[3] }
    }

    /// `μ × v − η × g = v'` (momentum's velocity).
    package static func velocity(_ mu: Double, _ v: Double, _ eta: Double, _ g: Double, _ result: Double, _ format: NumberFormat) -> Equation {
        solve([mu, v, eta, g], result, format) { $0[0] * $0[1] - $0[2] * $0[3] }
    }

    /// Whether the shown numbers satisfy `combine(operands) = result` at the result's digits.
    package static func holds(_ operands: [Shown], _ result: Shown, _ combine: ([Decimal]) -> Decimal) -> Bool {
        let values = operands.compactMap(\.decimal)
        guard values.count == operands.count, let r = result.decimal else { return true }  // inf and nan: nothing to add up
        var difference = combine(values) - r
        if difference < 0 { difference = -difference }
        return difference <= result.halfUnit
    }

    package static func solve(_ values: [Double], _ result: Double, _ format: NumberFormat, _ combine: ([Decimal]) -> Decimal) -> Equation {
        let shownResult = format.shown(result)
        let base = values.map { format.shown($0) }
        if holds(base, shownResult, combine) { return Equation(operands: base, result: shownResult, approximate: false) }
        for extra in 1...maxGuardDigits {
            let operands = zip(values, base).map { value, shown in shown.isExact ? shown : format.shown(value, extra: extra) }
            if holds(operands, shownResult, combine) { return Equation(operands: operands, result: shownResult, approximate: false) }
        }
        return Equation(operands: base, result: shownResult, approximate: true)
    }
}
