import Foundation
import GradTraceCore

/// Where an option was given. Each surface spells an option's name its own way; what is wrong
/// with a value is said once, in the user's terms (`OptionError.problem`).
public enum Surface: Sendable, CaseIterable {
    /// `gradtrace explain --precision 2`
    case commandLine
    /// ```` ```gradtrace precision=2 ````
    case lesson
    /// `{"precision": 2}` to `gradtrace serve`
    case json
}

/// An option's name on each surface: `--lr`, `lr`, `"learningRate"`.
public struct OptionName: Sendable, Hashable {
    /// The command line's long name, with its dashes.
    public var commandLine: String
    /// The lesson block's key.
    public var lesson: String
    /// The server's JSON key; nil where the server does not take the option.
    public var json: String?

    /// The name as `surface` spells it in a message.
    public func spelled(_ surface: Surface) -> String {
        switch surface {
        case .commandLine: commandLine
        case .lesson: lesson
        case .json: "\"\(json ?? lesson)\""
        }
    }
}

/// A value that is not allowed, said once for every surface: `problem` is the same words
/// wherever the value was given, and `message(on:)` puts the surface's spelling in front.
public struct OptionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The option (or the first of two that conflict).
    public var option: OptionName
    /// What is wrong, after the option's name: `must be a whole number from 0 to 17, got -3`.
    public var problem: String
    /// The other option of a conflicting pair, named in the message on each surface.
    package var other: OptionName?
    /// A suggestion, the same on every surface: `did you mean 'adam'?`.
    public var help: String?

    package init(_ option: OptionName, _ problem: String, other: OptionName? = nil, help: String? = nil) {
        self.option = option
        self.problem = problem
        self.other = other
        self.help = help
    }

    /// The whole sentence as `surface` shows it: `--precision must be …`, `precision must be …`.
    public func message(on surface: Surface) -> String {
        if let other { return "use either \(option.spelled(surface)) or \(other.spelled(surface)), not both" }
        return "\(option.spelled(surface)) \(problem)"
    }

    /// The command line's wording.
    public var description: String { message(on: .commandLine) }
}

/// One option of a job: its names, what values it takes, its default and its help, in one
/// place that the command line, lesson blocks and the server all read.
public struct OptionSpec: Sendable {
    /// What values the option takes.
    package enum Values: Sendable {
        /// A whole number in the range.
        case whole(ClosedRange<Int>)
        /// A finite number in the range; `open` excludes the lower end (`> 0`) and/or the upper (`< 1`).
        case number(ClosedRange<Double>, lowerOpen: Bool, upperOpen: Bool)
        /// One of these words.
        case choice([String])
        /// Any text.
        case text
        /// Present or absent.
        case flag

        /// Whether the values are words (shown quoted in a message).
        package var isChoice: Bool { if case .choice = self { true } else { false } }
    }

    /// The option's name on each surface.
    public let name: OptionName
    /// What values it takes.
    package let values: Values
    /// The default, as it is written (nil: none, the option is off).
    public let defaultValue: String?
    /// One sentence for `--help` and the README.
    public let help: String
    /// The value's placeholder in `--help` (`N`, `η`).
    package let valueName: String

    package init(_ commandLine: String, lesson: String? = nil, json: String? = nil, _ values: Values, default defaultValue: String? = nil,
                 valueName: String = "value", help: String) {
        let bare = String(commandLine.drop { $0 == "-" })
        name = OptionName(commandLine: commandLine, lesson: lesson ?? bare, json: json)
        self.values = values
        self.defaultValue = defaultValue
        self.help = help
        self.valueName = valueName
    }

    /// What the option takes, in words: `a whole number from 0 to 17`.
    public var takes: String {
        switch values {
        case .whole(let r): return r.upperBound == Int.max ? "a whole number \(r.lowerBound) or more" : "a whole number from \(r.lowerBound) to \(r.upperBound)"
        case .number(let r, let lo, let hi):
            let lower = "\(lo ? "above" : "at least") \(formatted(r.lowerBound))"
            if r.upperBound == .greatestFiniteMagnitude { return lo && r.lowerBound == 0 ? "a positive number" : "a number \(lower)" }
            return "a number \(lower) and \(hi ? "below" : "at most") \(formatted(r.upperBound))"
        case .choice(let words): return "one of \(words.joined(separator: ", "))"
        case .text: return "text"
        case .flag: return "no value"
        }
    }

    private func refuse(_ got: String) -> OptionError { OptionError(name, "must be \(takes), got \(got)") }

    /// Checks a whole number given as a number (the command line's and JSON's parsers made it).
    package func check(_ value: Int) throws(OptionError) -> Int {
        guard case .whole(let r) = values, r.contains(value) else { throw refuse(String(value)) }
        return value
    }

    /// Checks a number given as a number.
    package func check(_ value: Double) throws(OptionError) -> Double {
        guard case .number(let r, let lo, let hi) = values else { throw refuse(formatted(value)) }
        guard value.isFinite, r.contains(value), !(lo && value == r.lowerBound), !(hi && value == r.upperBound) else { throw refuse(formatted(value)) }
        return value
    }

    /// Checks one of the words.
    package func check(_ word: String) throws(OptionError) -> String {
        guard case .choice(let words) = values, words.contains(word) else {
            var e = refuse("'\(word)'")
            if case .choice(let words) = values { e.help = closestMatch(to: word, in: words).map { "did you mean '\($0)'?" } }
            throw e
        }
        return word
    }

    /// Reads a whole number typed as text (a lesson's `precision=2`).
    package func whole(_ text: String) throws(OptionError) -> Int {
        guard let v = Int(text.trimmingCharacters(in: .whitespaces)) else { throw refuse("'\(text)'") }
        return try check(v)
    }

    /// Reads a number typed as text.
    package func number(_ text: String) throws(OptionError) -> Double {
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else { throw refuse("'\(text)'") }
        return try check(v)
    }

    private func formatted(_ x: Double) -> String {
        x.rounded() == x && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}
