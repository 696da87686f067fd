import ArgumentParser
import Foundation
import GradTrace

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

do {
    var command = try GradTraceCommand.parseAsRoot()
    try command.run()
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
    // An expression that starts with a minus looks like an option to the argument parser.
    if let range = message.range(of: "Unknown option '-"),
       let end = message[range.upperBound...].firstIndex(of: "'"),
       message[range.upperBound..<end].contains(where: { "*/+^()., 0123456789".contains($0) }) {
        message += "\nhint: an expression that starts with '-' must follow '--', e.g. gradtrace explain -- \"-x*y\" x=1 y=2\n"
    }
    StandardStreams.writeStandardError(message.hasSuffix("\n") ? message : message + "\n")
    finish(code == .validationFailure ? 2 : code.rawValue == 64 ? 2 : code.rawValue)
}
