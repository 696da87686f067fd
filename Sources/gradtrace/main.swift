import ArgumentParser
import Foundation
import GradTrace

// Exit status: 0 success, 1 a failure while writing or rendering (or a failed --check),
// 2 bad usage or bad input. Nothing is printed to standard output on error.
do {
    var command = try GradTraceCommand.parseAsRoot()
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
    // An expression that starts with a minus looks like an option to the argument parser.
    if let range = message.range(of: "Unknown option '-"),
       let end = message[range.upperBound...].firstIndex(of: "'"),
       message[range.upperBound..<end].contains(where: { "*/+^()., 0123456789".contains($0) }) {
        message += "\nhint: an expression that starts with '-' must follow '--', e.g. gradtrace explain -- \"-x*y\" x=1 y=2\n"
    }
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    exit(code == .validationFailure ? 2 : code.rawValue == 64 ? 2 : code.rawValue)
}
