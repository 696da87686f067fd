import ArgumentParser
import GradTrace

// The command line reads the request tables (GradTraceRequests): an option's name, help and
// placeholder come from its `OptionSpec`, and its value is checked by it, so the message is
// the one a lesson and the server give, spelled `--name`.

extension NameSpecification {
    /// The long name an option has in its table.
    static func spec(_ spec: OptionSpec, short: Character? = nil) -> NameSpecification {
        let long = NameSpecification.Element.customLong(String(spec.name.commandLine.drop { $0 == "-" }))
        return NameSpecification(short.map { [.customShort($0), long] } ?? [long])
    }
}

extension ArgumentHelp {
    /// The help and placeholder an option has in its table.
    init(_ spec: OptionSpec) { self.init(spec.help, valueName: spec.valueName) }
}

/// Runs the table's checks, turning their error into the command line's usage error.
func checkOptions(_ body: () throws(OptionError) -> Void) throws {
    do throws(OptionError) { try body() } catch {
        throw ValidationError(error.message(on: .commandLine) + (error.help.map { "\n  = help: \($0)" } ?? ""))
    }
}

/// `--precision N` or `--digits N`, shared by explain and train.
struct NumberArguments: ParsableArguments {
    @Option(name: .spec(NumberOptions.precision), help: ArgumentHelp(NumberOptions.precision))
    var precision: Int?

    @Option(name: .spec(NumberOptions.digits), help: ArgumentHelp(NumberOptions.digits))
    var digits: Int?

    func validate() throws {
        try checkOptions { () throws(OptionError) in _ = try NumberOptions(precision: precision, digits: digits) }
    }
}
