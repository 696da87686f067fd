import Foundation
import GradTrace

enum Terminal {
    static var stderrIsTTY: Bool { isatty(2) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }
    static var stdoutIsTTY: Bool { isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

    static func printError(_ diagnostic: Diagnostic) {
        var text = diagnostic.description
        if stderrIsTTY {
            text = text.replacingOccurrences(of: "error:", with: "\u{1B}[1;31merror:\u{1B}[0m", options: .anchored)
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func printError(_ message: String) {
        let prefix = stderrIsTTY ? "\u{1B}[1;31merror:\u{1B}[0m " : "error: "
        FileHandle.standardError.write(Data((prefix + message + "\n").utf8))
    }

    static func printWarning(_ message: String) {
        let prefix = stderrIsTTY ? "\u{1B}[1;33mwarning:\u{1B}[0m " : "warning: "
        FileHandle.standardError.write(Data((prefix + message + "\n").utf8))
    }
}
