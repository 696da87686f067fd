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

    /// The command's own options, read from its declaration (ArgumentParser's description of
    /// it), so that no list of them is kept by hand: `values` are the names of the options that
    /// take a value (`--lr`, `-o`), `short` every one-dash name (`-o`, `-h`).
    static func declaredOptions(of command: ParsableCommand.Type) -> (values: Set<String>, short: Set<String>) {
        var values: Set<String> = [], short: Set<String> = ["-h"]
        guard let object = try? JSONSerialization.jsonObject(with: Data(command._dumpHelp().utf8)) as? [String: Any],
              let info = object["command"] as? [String: Any], let arguments = info["arguments"] as? [[String: Any]] else {
            return (values, short)
        }
        // (ArgumentParser's own JSON description of the command; its numbers are not read.)
        for argument in arguments {
            for name in argument["names"] as? [[String: Any]] ?? [] {
                guard let kind = name["kind"] as? String, let text = name["name"] as? String else { continue }
                let spelled = (kind == "long" ? "--" : "-") + text
                if kind != "long" { short.insert(spelled) }
                if argument["kind"] as? String == "option" { values.insert(spelled) }
            }
        }
        return (values, short)
    }

    /// `--port -1` as `--port=-1`: a negative number after an option that takes a value is that
    /// option's value (for commands whose other arguments are not expressions).
    static func joinNegativeValues(_ arguments: [String], valueOptions: Set<String>) -> [String] {
        var out: [String] = []
        var afterDoubleDash = false
        for argument in arguments {
            if afterDoubleDash { out.append(argument); continue }
            if argument == "--" { afterDoubleDash = true }
            if let previous = out.last, previous.hasPrefix("--"), valueOptions.contains(previous), argument.hasPrefix("-"), Double(argument) != nil {
                out[out.count - 1] = previous + "=" + argument
            } else {
                out.append(argument)
            }
        }
        return out
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
            guard !afterDoubleDash, argument.hasPrefix("-"), argument != "-", !argument.hasPrefix("--"), !shortOptions.contains(argument) else {
                out.append(argument)
                continue
            }
            if valueOptions.contains(previous) && previous.hasPrefix("--") {
                // `--precision -3`: the option's value, given as `--precision=-3` so that it is
                // checked (and refused in the option's own words) instead of reported missing.
                out[out.count - 1] = previous + "=" + argument
            } else if valueOptions.contains(previous) {
                out.append(argument)
            } else {
                out.append(" " + argument)
            }
        }
        return out
    }
}
