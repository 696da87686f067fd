import Foundation
import Testing
@testable import GradTraceServer

/// The explain page in headless Chromium, driven by Selenium (tests/browser/explain_page.py):
/// type the neuron, read ∂f/∂w0 = -0.20, step through the backward pass, see a syntax error's
/// caret. Skipped when Chromium, chromedriver or Selenium is missing, except on CI (CI=true),
/// where that is a failure: `.ci/run` installs them.
@Suite struct BrowserPageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let onCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let toolsPresent = FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        && (try? run(["python3", "-c", "import selenium"]).status) == 0

    struct Outcome { var status: Int32; var output: String }

    /// Runs a command to its end (blocking: call it off Swift's cooperative threads).
    static func run(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    @Test func theToolsAreThereOnCI() {
        #expect(!Self.onCI || Self.toolsPresent, "CI must install chromium, chromium-driver and selenium (.ci/run does)")
    }

    @Test(.enabled(if: toolsPresent || onCI), .timeLimit(.minutes(5)))
    func theExplainPageWorksInChromium() async throws {
        try await withServer { port in
            let shot = FileManager.default.temporaryDirectory.appendingPathComponent("gradtrace-explain-\(port).png").path
            let script = Self.root.appendingPathComponent("tests/browser/explain_page.py").path
            let outcome = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async {
                    do { continuation.resume(returning: try Self.run(["python3", script, "http://127.0.0.1:\(port)/", shot])) } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
            #expect(outcome.status == 0, "\(outcome.output)")
            #expect(FileManager.default.fileExists(atPath: shot), "a screenshot was taken")
        }
    }
}
