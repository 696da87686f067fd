import Foundation
import GradTrace

/// Standard error and standard output as the CLI writes them: never through `FileHandle.write`
/// (which traps on a full disk or a closed pipe), control characters from the user's text made
/// visible so they cannot drive the terminal, and every failure recorded (`StandardStreams`) for
/// `main` to turn into exit status 1.
enum Terminal {
    static var stderrIsTTY: Bool { isatty(2) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }
    static var stdoutIsTTY: Bool { isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

    static func printError(_ diagnostic: Diagnostic) {
        var text = TerminalText.sanitize(diagnostic.description)
        if stderrIsTTY {
            text = text.replacingOccurrences(of: "error:", with: "\u{1B}[1;31merror:\u{1B}[0m", options: .anchored)
        }
        StandardStreams.writeStandardError(text, keepColors: true)
    }

    static func printError(_ message: String) {
        let prefix = stderrIsTTY ? "\u{1B}[1;31merror:\u{1B}[0m " : "error: "
        StandardStreams.writeStandardError(prefix + TerminalText.sanitize(message) + "\n", keepColors: true)
    }

    static func printWarning(_ message: String) {
        let prefix = stderrIsTTY ? "\u{1B}[1;33mwarning:\u{1B}[0m " : "warning: "
        StandardStreams.writeStandardError(prefix + TerminalText.sanitize(message) + "\n", keepColors: true)
    }

    /// A line of progress or a note on standard error.
    static func printNote(_ message: String) {
        StandardStreams.writeStandardError(message + "\n")
    }

    /// Bytes for standard output (a diagram); a failure is recorded, never a trap.
    static func writeStandardOutput(_ bytes: [UInt8]) {
        StandardStreams.writeStandardOutput(bytes)
    }
}
