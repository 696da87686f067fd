import ArgumentParser
import Foundation
import GradTrace
import GradTraceServer

// Exit status: 0 success, 1 a failure while writing or rendering (or a failed --check),
// 2 bad usage or bad input. Nothing is printed to standard output on error. A write to a closed
// pipe ends the program quietly, as SIGPIPE ends other Unix tools; any other failed write to
// standard output or standard error makes the status 1.

// Writes report EPIPE (and EFBIG past a file size limit) instead of killing the process
// mid-write; `finish` decides.
signal(SIGPIPE, SIG_IGN)
signal(SIGXFSZ, SIG_IGN)

func finish(_ status: Int32) -> Never {
    if StandardStreams.brokenPipe {
        // The reader has gone: end as Unix tools do, by SIGPIPE, with no message.
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
    }
    var status = status
    if let code = StandardStreams.failure(of: 1) {
        Terminal.printError("cannot write to standard output: \(String(cString: strerror(code)))")
        if status == 0 { status = 1 }
    }
    if StandardStreams.failure(of: 2) != nil && status == 0 { status = 1 }
    exit(status)
}

let commands = ["explain", "build", "train", "serve"]
var arguments = Array(CommandLine.arguments.dropFirst())

// Not for people: the process `gradtrace serve` starts to draw its diagrams (GraphvizProcesses.swift).
if arguments == ["graphviz-worker"] { exit(ClassroomServer.graphvizWorkerMain()) }

// `gradtrace explian`: name the command that was probably meant.
if let first = arguments.first, !first.hasPrefix("-"), !commands.contains(first) {
    let help = closestMatch(to: first, in: commands).map { "did you mean '\($0)'?" } ?? "the commands are \(commands.joined(separator: ", "))"
    Terminal.printError(Diagnostic("unknown command '\(Diagnostic.printable(first))'", file: "<command line>", help: help))
    finish(2)
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
    let subcommand: ParsableCommand.Type = command == "explain" ? Explain.self : Train.self
    let declared = SourceArguments.declaredOptions(of: subcommand)
    arguments = [command] + SourceArguments.shieldLeadingMinus(rest, valueOptions: declared.values, shortOptions: declared.short)
}

/// `serve` runs as an AsyncParsableCommand (its server is async); in an async function the
/// async `run()` is the one chosen.
if let command = arguments.first, command == "build" || command == "serve" {
    // `--port -1`: a value, checked and refused in the option's own words, not a missing one.
    let subcommand: ParsableCommand.Type = command == "build" ? Build.self : Serve.self
    arguments = [command] + SourceArguments.joinNegativeValues(Array(arguments.dropFirst()), valueOptions: SourceArguments.declaredOptions(of: subcommand).values)
}

func runAsynchronously(_ command: inout any AsyncParsableCommand) async throws {
    try await command.run()
}

do {
    var command = try GradTraceCommand.parseAsRoot(arguments)
    if var asynchronous = command as? AsyncParsableCommand {
        try await runAsynchronously(&asynchronous)
    } else {
        try command.run()
    }
    finish(0)
} catch let diagnostic as Diagnostic {
    Terminal.printError(diagnostic)
    finish(2)
} catch let failure as CommandFailure {
    Terminal.printError(failure.message)
    finish(failure.status)
} catch {
    let code = GradTraceCommand.exitCode(for: error)
    if code == .success {
        let message = GradTraceCommand.fullMessage(for: error)
        Terminal.writeStandardOutput(Array((message.hasSuffix("\n") ? message : message + "\n").utf8))
        finish(0)
    }
    if let exitCode = error as? ExitCode {
        finish(exitCode.rawValue)
    }
    var message = GradTraceCommand.fullMessage(for: error)
    if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst(7) }
    StandardStreams.writeStandardError(message.hasSuffix("\n") ? message : message + "\n")
    finish(code == .validationFailure ? 2 : code.rawValue == 64 ? 2 : code.rawValue)
}
