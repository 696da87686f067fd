import ArgumentParser
import Foundation
import GradTrace

/// The positional arguments `explain` and `train` share: the expression (or a .gt file, or -
/// for standard input) and then name=value bindings; `--file PATH` names the source instead.
enum SourceArguments {
    static func resolve(_ arguments: [String], file: String?) throws -> (source: SourceText, bindings: [String: Double]) {
        var rest = arguments
        let source: SourceText
        if let file {
            source = try SourceReader.read(path: file)
        } else {
            guard !rest.isEmpty else {
                throw ValidationError("give an expression, a .gt file or - for standard input, e.g.: gradtrace explain \"(x + y) * z\" x=-2 y=5 z=-4")
            }
            var first = rest.removeFirst()
            if first.hasPrefix(" -") { first.removeFirst() }  // a leading minus, shielded from the option parser in main
            if first == "-" {
                source = try SourceReader.readStandardInput()
            } else if first.hasSuffix(".gt") && !first.contains("\n") && !first.contains(";") {
                source = try SourceReader.read(path: first)
            } else {
                source = SourceText(first, name: "<expression>")
            }
        }
        return (source, try Bindings.parse(rest.map { $0.hasPrefix(" -") ? String($0.dropFirst()) : $0 }))
    }

    /// Arguments that begin with '-' but are expressions (`-x^2 + 3`) or negative numbers would
    /// be read as options; a leading space keeps them positional (removed again in `resolve`).
    /// `valueOptions` are the options whose next argument is a value.
    static func shieldLeadingMinus(_ arguments: [String], valueOptions: Set<String>, shortOptions: Set<String>) -> [String] {
        var out: [String] = []
        var previous = ""
        var afterDoubleDash = false
        for argument in arguments {
            defer { previous = argument }
            if argument == "--" { afterDoubleDash = true }
            if !afterDoubleDash, argument.hasPrefix("-"), !argument.hasPrefix("--"), argument != "-",
               !shortOptions.contains(argument), !valueOptions.contains(previous) {
                out.append(" " + argument)
            } else {
                out.append(argument)
            }
        }
        return out
    }
}

