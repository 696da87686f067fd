/// How numbers are shown: decimals or significant figures. Every job that prints numbers
/// (explain, train, a lesson's blocks, the live page) takes these two.
public struct NumberOptions: Sendable, Equatable {
    /// Round displayed numbers to N decimals.
    public static let precision = OptionSpec("--precision", .whole(0...17), valueName: "N", help: "Round displayed numbers to N decimals (0 to 17).")
    /// N significant figures.
    public static let digits = OptionSpec("--digits", .whole(1...17), valueName: "N", help: "Show displayed numbers with N significant figures (1 to 17).")
    /// Every option of the group, for the tests and the documentation.
    public static let all = [precision, digits]

    package var precision: Int?
    package var digits: Int?

    /// Checked values: each in its range, and not both.
    package init(precision: Int? = nil, digits: Int? = nil) throws(OptionError) {
        self.precision = try precision.map { v throws(OptionError) in try Self.precision.check(v) }
        self.digits = try digits.map { v throws(OptionError) in try Self.digits.check(v) }
        if precision != nil && digits != nil { throw OptionError(Self.precision.name, "", other: Self.digits.name) }
    }
}
