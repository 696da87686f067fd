import CSystemCalls
import Foundation
import GradTraceCore

/// How numbers are shown in text, Markdown, HTML and diagrams. JSON never uses this: it
/// always carries full precision.
///
/// - `.decimals(N)` (`--precision N`): rounded to N decimals, correctly rounded from the exact
///   binary value (ties to even, as C's printf), so `--precision 2` prints `0.20`, `-0.53`.
/// - `.significant(N)` (`--digits N`): N significant figures.
/// - `.shortest`: the shortest decimal that reads back as the same 64-bit float.
///
/// In every mode a nonzero value is never shown as zero: one too small for the chosen decimals
/// is shown in scientific notation (`2.9 × 10⁻⁵`), as are very large and very small ones in
/// the significant-figures modes. Negative zero shows as `0`; non-finite values as `inf`,
/// `-inf` and `nan`.
public struct NumberFormat: Sendable, Equatable {
    /// How precision is counted.
    package enum Mode: Sendable, Equatable {
        /// N digits after the point (`--precision N`).
        case decimals(Int)
        /// N significant figures (`--digits N`).
        case significant(Int)
        /// The shortest decimal that reads back as the same `Double`.
        case shortest
    }

    /// How precision is counted.
    package var mode: Mode
    /// Drop trailing zeros after the point (`0.5` rather than `0.500000`); the default view's
    /// choice, not the one of an explicit `--digits`.
    package var trimsZeros: Bool

    /// A format in `mode`; see `trimsZeros`.
    package init(_ mode: Mode, trimsZeros: Bool = false) {
        self.mode = mode
        self.trimsZeros = trimsZeros
    }

    /// The walkthroughs' default: 6 significant figures, trailing zeros dropped.
    public static let standard = NumberFormat(.significant(6), trimsZeros: true)
    /// Diagrams' default: 4 significant figures, trailing zeros dropped (wire labels stay short).
    public static let diagram = NumberFormat(.significant(4), trimsZeros: true)

    /// `--precision N` when given, else `--digits N`, else `fallback`.
    public init(precision: Int? = nil, digits: Int? = nil, fallback: NumberFormat = .standard) {
        if let precision { self.init(.decimals(precision)) } else if let digits { self.init(.significant(digits)) } else { self = fallback }
    }

    /// `value` as text: `0.20`, `2.9 × 10⁻⁵`, `inf`.
    package func callAsFunction(_ value: Double) -> String { shown(value).text }

    /// `value` as shown, with `extra` more digits than the mode gives (guard digits).
    package func shown(_ value: Double, extra: Int = 0) -> Shown {
        if !value.isFinite { return Shown(value: value, mantissa: value.isNaN ? "nan" : value < 0 ? "-inf" : "inf") }
        if value == 0 { return Shown(value: 0, mantissa: zero(extra: extra)) }
        switch mode {
        case .shortest:
            let text = formatShortest(value)
            if let e = text.firstIndex(of: "e") {
                return Shown(value: value, mantissa: String(text[..<e]), exponent: Int(text[text.index(after: e)...]))
            }
            return Shown(value: value, mantissa: text)
        case .decimals(let p):
            let places = min(17, p + extra)
            let magnitude = abs(value)
            // Too small to show at these decimals, or too large to read: scientific.
            if magnitude < 0.5 * pow(10, -Double(places)) || magnitude >= 1e9 {
                return scientific(value, significant: max(2, min(17, 2 + extra)))
            }
            return Shown(value: value, mantissa: trim(fixed(value, places), keep: p))
        case .significant(let n):
            let digits = min(17, n + extra)
            // The exponent after rounding to `digits` figures (9.9996 at 4 figures is 10.00).
            let sci = printfBytes(value, max(0, digits - 1), UInt8(ascii: "e"))
            let e = sci.firstIndex(of: UInt8(ascii: "e"))!
            let exponent = Int(String(decoding: sci[(e + 1)...], as: UTF8.self)) ?? 0
            if exponent < -4 || exponent >= max(6, n) {
                return scientific(value, significant: digits, text: String(decoding: sci, as: UTF8.self))
            }
            let places = max(0, digits - 1 - exponent)
            let text = digits - 1 - exponent >= 0 ? Self.positional(sci[..<e], exponent: exponent) : Array(fixed(value, places).utf8)
            // Trailing zeros are dropped only where the shorter text is the value (up to float
            // noise): 1 + 2.785 × 10⁻⁷ shows as 1.00000, not as a 1 that looks exact. Worked on
            // the bytes: how many to keep for `keep` decimals, zeros past them dropped, then a
            // bare point.
            let dot = text.firstIndex(of: UInt8(ascii: "."))
            let decimals = dot.map { text.count - 1 - $0 } ?? 0
            var zeros = 0
            while zeros < decimals && text[text.count - 1 - zeros] == UInt8(ascii: "0") { zeros += 1 }
            func end(keep: Int) -> Int {
                guard let dot else { return text.count }
                let end = text.count - max(0, min(zeros, decimals - max(0, keep)))
                return end == dot + 1 ? dot : end
            }
            var keep = places - extra
            if trimsZeros && end(keep: 0) != end(keep: keep),
               let shown = Double(String(decoding: text, as: UTF8.self)), abs(shown - value) <= 1e-12 * abs(value) {
                keep = 0
            }
            return Shown(value: value, mantissa: String(decoding: text[..<end(keep: keep)], as: UTF8.self))
        }
    }

    private func zero(extra: Int) -> String {
        switch mode {
        case .decimals(let p): return p == 0 ? "0" : "0." + String(repeating: "0", count: p)
        case .significant(let n) where !trimsZeros: return n <= 1 ? "0" : "0." + String(repeating: "0", count: n - 1)
        default: return "0"
        }
    }

    /// Drops trailing zeros beyond `keep` decimals (guard digits never end in padding zeros).
    private func trim(_ text: String, keep: Int) -> String {
        let bytes = text.utf8
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return text }
        var end = bytes.endIndex, decimals = bytes.distance(from: dot, to: end) - 1
        while decimals > max(0, keep) && bytes[bytes.index(before: end)] == UInt8(ascii: "0") { end = bytes.index(before: end); decimals -= 1 }
        if bytes.index(after: dot) == end { end = dot }
        return end == bytes.endIndex ? text : String(text[..<end])
    }

    private func fixed(_ value: Double, _ places: Int) -> String {
        var text = printf(value, places, UInt8(ascii: "f"))
        if text.hasPrefix("-") && text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { text.removeFirst() }
        return text
    }

    /// `%.{d-1}e`'s digits written out in positional notation: `-1.235e+01` is `-12.35`. This is
    /// `%.{d-1-E}f` digit for digit whenever d − 1 − E ≥ 0: both round the exact binary value at
    /// the same decimal place (when rounding carries, 9.9996 to 1.000e+01, the value rounds to
    /// 10.00 at either place), and it saves a second printf.
    package static func positional(_ sci: String, exponent: Int) -> String {
        let bytes = Array(sci.utf8)
        let e = bytes.firstIndex(of: UInt8(ascii: "e")) ?? bytes.endIndex
        return String(decoding: positional(bytes[..<e], exponent: exponent), as: UTF8.self)
    }

    /// The same on the mantissa's bytes (`-1.235`, before the `e`).
    static func positional(_ mantissa: ArraySlice<UInt8>, exponent: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(mantissa.count + max(0, -exponent) + 2)
        var digits = mantissa
        if digits.first == UInt8(ascii: "-") { out.append(UInt8(ascii: "-")); digits = digits.dropFirst() }
        let zero = UInt8(ascii: "0"), point = UInt8(ascii: ".")
        if exponent < 0 {
            out.append(zero)
            out.append(point)
            for _ in 0..<(-exponent - 1) { out.append(zero) }
            for d in digits where d != point { out.append(d) }
            return out
        }
        var written = 0
        for d in digits where d != point {
            if written == exponent + 1 { out.append(point) }  // only when a digit follows
            out.append(d)
            written += 1
        }
        return out
    }

    private func scientific(_ value: Double, significant: Int, text given: String? = nil) -> Shown {
        let text = given ?? printf(value, max(0, significant - 1), UInt8(ascii: "e"))
        let e = text.firstIndex(of: "e")!
        var mantissa = String(text[..<e])
        if trimsZeros, mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        return Shown(value: value, mantissa: mantissa, exponent: Int(text[text.index(after: e)...]) ?? 0)
    }
}

/// C's `%.{places}f` or `%.{places}e` of `value`, as bytes: the digits Foundation's
/// `String(format:)` gives (it calls the same printf), without its format-string parsing,
/// boxing and bridging, which cost a text walkthrough a third of its time.
private func printfBytes(_ value: Double, _ places: Int, _ conversion: UInt8) -> [UInt8] {
    func write(capacity: Int) -> (bytes: [UInt8]?, needed: Int) {
        var out = [UInt8](repeating: 0, count: capacity)
        let n = out.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { Int(gradtrace_format_double($0.baseAddress!, capacity, Int32(places), CChar(conversion), value)) }
        }
        guard n >= 0 && n < capacity else { return (nil, n) }
        out.removeLast(capacity - n)
        return (out, n)
    }
    let first = write(capacity: 40)  // %e, and %f of the usual sizes; %.17f of 1e300 needs more
    return first.bytes ?? write(capacity: first.needed + 1).bytes ?? []
}

/// The same as text.
private func printf(_ value: Double, _ places: Int, _ conversion: UInt8) -> String {
    String(decoding: printfBytes(value, places, conversion), as: UTF8.self)
}

/// A number as a page shows it: a decimal mantissa and, in scientific notation, a power of ten.
package struct Shown: Sendable, Equatable {
    /// The exact value it stands for.
    package var value: Double
    /// The digits shown, with sign and point (`-0.53`, `2.9`), or `inf`, `-inf`, `nan`.
    package var mantissa: String
    /// The power of ten in scientific notation; nil when the mantissa is the whole number.
    package var exponent: Int?

    /// A shown number from its parts.
    package init(value: Double, mantissa: String, exponent: Int? = nil) {
        self.value = value
        self.mantissa = mantissa
        self.exponent = exponent
    }

    /// `2.9 × 10⁻⁵`: for text, HTML and diagrams.
    package var text: String {
        guard let exponent else { return mantissa }
        return "\(mantissa) × 10" + superscript(exponent)
    }

    /// `2.9 \times 10^{-5}`: inside `$…$`.
    package var latex: String {
        if mantissa == "inf" { return "\\infty" }
        if mantissa == "-inf" { return "-\\infty" }
        if mantissa == "nan" { return "\\text{nan}" }
        guard let exponent else { return mantissa }
        return "\(mantissa) \\times 10^{\(exponent)}"
    }

    /// `2.9e-5`: for CSV and places that need a plain number.
    package var plain: String {
        guard let exponent else { return mantissa }
        return "\(mantissa)e\(exponent)"
    }

    /// The value exactly as shown, as a decimal (nil for non-finite values).
    package var decimal: Decimal? {
        // Decimal's exponent is 8 bits: beyond ±100 there is nothing a page could add up by hand.
        guard value.isFinite, abs(exponent ?? 0) <= 100, var d = Decimal(string: mantissa) else { return nil }
        if let exponent { d *= Decimal(sign: .plus, exponent: exponent, significand: 1) }
        return d
    }

    /// Half a unit of the last digit shown.
    package var halfUnit: Decimal {
        Decimal(sign: .plus, exponent: lastDigitPower - 1, significand: 5)  // 0.5 units, without a division
    }

    /// The power of ten of the last digit shown (clamped to ±120, which no page reaches).
    private var lastDigitPower: Int {
        let digits = mantissa.utf8
        let decimals = digits.firstIndex(of: UInt8(ascii: ".")).map { digits.distance(from: $0, to: digits.endIndex) - 1 } ?? 0
        return max(-120, min(120, (exponent ?? 0) - decimals))
    }

    /// The value as shown, read back as the nearest double (nil for non-finite values).
    package var double: Double? {
        guard value.isFinite else { return nil }
        return exponent == nil ? Double(mantissa) : Double(plain)
    }

    /// Half a unit of the last digit shown, as the nearest double.
    package var halfUnitDouble: Double { 0.5 * pow(10, Double(lastDigitPower)) }

    /// Whether the shown digits read back as the value itself (more digits would add nothing).
    package var isExact: Bool { !value.isFinite || Double(plain) == value }
}

package func superscript(_ n: Int) -> String {
    let digits = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
    var out = n < 0 ? "⁻" : ""
    for ch in String(abs(n)) { out.append(digits[Int(String(ch))!]) }
    return out
}

/// A number for JSON: full precision; non-finite values, which JSON cannot hold, as the
/// strings "inf", "-inf" and "nan".
package func jsonNumber(_ value: Double) -> String {
    if value.isNaN { return "\"nan\"" }
    if value.isInfinite { return value < 0 ? "\"-inf\"" : "\"inf\"" }
    if value == value.rounded(), abs(value) < 1e15 { return value == 0 && value.sign == .minus ? "-0" : String(Int64(value)) }
    return "\(value)"
}
