import Foundation

/// How numbers are shown in text, Markdown and diagrams.
///
/// - `precision == nil`: the shortest decimal that reads back as the same 64-bit float
///   (`0.7310585786300049`), with integers shown without a decimal point (`-12`).
/// - `precision == N`: rounded to N decimals, correctly rounded from the exact binary value
///   (ties to even, as C's printf), so `--precision 2` prints `0.20`, `-0.53`.
///
/// In both, negative zero shows as `0`, and non-finite values as `inf`, `-inf` and `nan`.
/// JSON never uses this: it always carries full precision.
public struct NumberFormat: Sendable, Equatable {
    public var precision: Int?
    /// With no precision: numbers longer than this many decimals are rounded to it and their
    /// trailing zeros dropped (diagrams use 4, so a wire reads 0.7311, not 0.7310585786300049).
    public var maxDecimals: Int?

    public init(precision: Int? = nil, maxDecimals: Int? = nil) {
        self.precision = precision
        self.maxDecimals = maxDecimals
    }

    public func callAsFunction(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        guard let precision else {
            let shortest = formatShortest(value)
            guard let maxDecimals, let dot = shortest.firstIndex(of: "."),
                  shortest.contains("e") || shortest.distance(from: dot, to: shortest.endIndex) - 1 > maxDecimals else { return shortest }
            if abs(value) < 0.5 * pow(10, -Double(maxDecimals)) || abs(value) >= 1e15 {
                return String(format: "%.\(Swift.max(1, maxDecimals - 1))e", value)
            }
            var text = NumberFormat(precision: maxDecimals)(value)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
        var text = String(format: "%.\(precision)f", value)
        if text.hasPrefix("-") && text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { text.removeFirst() }
        return text
    }
}

/// The shortest round-trip decimal, without a trailing `.0` on integers.
public func formatShortest(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    if value == 0 { return "0" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}

/// A number for JSON: full precision; non-finite values, which JSON cannot hold, as the
/// strings "inf", "-inf" and "nan".
public func jsonNumber(_ value: Double) -> String {
    if value.isNaN { return "\"nan\"" }
    if value.isInfinite { return value < 0 ? "\"-inf\"" : "\"inf\"" }
    if value == value.rounded(), abs(value) < 1e15 { return value == 0 && value.sign == .minus ? "-0" : String(Int64(value)) }
    return "\(value)"
}
