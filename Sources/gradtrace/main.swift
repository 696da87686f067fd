import ArgumentParser
import Foundation
import GradTrace

// Exit status: 0 success, 1 a failure while writing or rendering (or a failed --check),
// 2 bad usage or bad input. Nothing is printed to standard output on error.
let commands = ["explain", "build", "train"]
var arguments = Array(CommandLine.arguments.dropFirst())

// `gradtrace explian`: name the command that was probably meant.
if let first = arguments.first, !first.hasPrefix("-"), !commands.contains(first) {
    let help = closestMatch(to: first, in: commands).map { "did you mean '\($0)'?" } ?? "the commands are \(commands.joined(separator: ", "))"
    Terminal.printError(Diagnostic("unknown command '\(Diagnostic.printable(first))'", file: "<command line>", help: help))
    exit(2)
}
if let command = arguments.first, command == "explain" || command == "train" {
    var rest = Array(arguments.dropFirst())
    // --expand=NAME (or --expand NAME for a built-in composite) draws only those composites.
    let composites = Set(GateKind.builtins.filter { $0.body != nil }.flatMap { [$0.name] + $0.spellings } + ["all"])
    var k = 0
    while k < rest.count {
        if rest[k].hasPrefix("--expand=") {
            rest.replaceSubrange(k...k, with: ["--expand-only", String(rest[k].dropFirst("--expand=".count))])
        } else if rest[k] == "--expand", k + 1 < rest.count, composites.contains(rest[k + 1]) {
            rest[k] = "--expand-only"
        }
        k += 1
    }
    let valueOptions: Set<String> = ["--file", "--format", "-o", "--output", "--precision", "--digits", "--rankdir", "--title",
                                     "--frames", "--expand-only", "--params", "--lr", "--steps", "--momentum", "--stop-below", "--plot"]
    arguments = [command] + SourceArguments.shieldLeadingMinus(rest, valueOptions: valueOptions, shortOptions: ["-o", "-h"])
}

do {
    var command = try GradTraceCommand.parseAsRoot(arguments)
    try command.run()
} catch let diagnostic as Diagnostic {
    Terminal.printError(diagnostic)
    exit(2)
} catch let failure as CommandFailure {
    Terminal.printError(failure.message)
    exit(failure.status)
} catch {
    let code = GradTraceCommand.exitCode(for: error)
    if code == .success {
        print(GradTraceCommand.fullMessage(for: error))
        exit(0)
    }
    if let exitCode = error as? ExitCode {
        exit(exitCode.rawValue)
    }
    var message = GradTraceCommand.fullMessage(for: error)
    if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst(7) }
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    exit(code == .validationFailure ? 2 : code.rawValue == 64 ? 2 : code.rawValue)
}
