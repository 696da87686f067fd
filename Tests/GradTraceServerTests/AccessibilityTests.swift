import Foundation
import Testing
@testable import GradTraceServer

/// WCAG 2.2 AA in headless Chromium (issue 26). axe-core 4 (scripts/browser/axe_check.py, with
/// the wcag2a/2aa/21a/21aa/22aa rules, in the light and the dark colour scheme) on every page of
/// freshly built lessons that between them have each kind of page and figure, and on the two
/// served pages; then the keyboard alone (scripts/browser/keyboard_walk.py) through a stepper,
/// the explain page and the network page. Skipped without Chromium, chromedriver, Selenium and
/// axe-playwright-python (the wheel that ships axe.min.js), except on CI, where `.ci/run`
/// installs them and their absence fails.
@Suite(.serialized) struct AccessibilityTests {
    static let axePresent = BrowserPageTests.chromiumPresent
        && (try? BrowserPageTests.run(["python3", "-c", "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('axe_playwright_python') else 1)"]).status) == 0
    static func script(_ name: String) -> String { BrowserPageTests.root.appendingPathComponent("scripts/browser/\(name).py").path }
    /// Handout, worksheet, key and stepper (01), a training worksheet (08), network charts (14),
    /// forward-mode frames (23), paths (24).
    static let lessons = ["01-chain-rule", "08-one-training-step", "14-moons", "23-forward-and-reverse-mode", "24-sum-over-paths"]

    @Test func theToolsAreThereOnCI() {
        #expect(!BrowserPageTests.onCI || Self.axePresent, "CI must install axe-playwright-python (.ci/run does)")
    }

    /// Builds the lessons into a folder of its own and hands it over.
    static func withBuiltLessons(_ body: (URL) async throws -> Void) async throws {
        let executable = try #require(gradtraceExecutable, "gradtrace is built")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gradtrace-a11y-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = lessons.map { BrowserPageTests.root.appendingPathComponent("lessons/\($0).md").path }
        let built = try await blocking { try BrowserPageTests.run([executable, "build"] + files + ["--output", folder.path]) }
        try #require(built.status == 0, "gradtrace build: \(built.output)")
        try await body(folder)
    }

    @Test(.enabled(if: axePresent || BrowserPageTests.onCI), .timeLimit(.minutes(10)))
    func lessonPagesHaveNoAxeViolations() async throws {
        try await Self.withBuiltLessons { folder in
            let pages = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".html") }
            // 4 pages of 01, 3 of 08, 1 of 14, 2 of 23 and 24 at least, and the index.
            #expect(pages.count >= 12, "\(pages)")
            let outcome = try await blocking { try BrowserPageTests.run(["python3", Self.script("axe_check"), folder.path]) }
            #expect(outcome.status == 0, "\(outcome.output)")
            // Every page was checked in both schemes.
            #expect(outcome.output.contains("axe: 0 of \(pages.count * 2) page(s) with violations"), "\(outcome.output)")
        }
    }

    @Test(.enabled(if: axePresent || BrowserPageTests.onCI), .timeLimit(.minutes(10)))
    func servedPagesHaveNoAxeViolations() async throws {
        try await withServer { port in
            let base = "http://127.0.0.1:\(port)/"
            let outcome = try await blocking { try BrowserPageTests.run(["python3", Self.script("axe_check"), base, base + "network"]) }
            #expect(outcome.status == 0, "\(outcome.output)")
            #expect(outcome.output.contains("axe: 0 of 4 page(s) with violations"), "\(outcome.output)")
        }
    }

    @Test(.enabled(if: BrowserPageTests.chromiumPresent || BrowserPageTests.onCI), .timeLimit(.minutes(10)))
    func theStepperFromTheKeyboard() async throws {
        try await Self.withBuiltLessons { folder in
            let url = "file://" + folder.appendingPathComponent("01-chain-rule/stepper.html").path
            let outcome = try await blocking { try BrowserPageTests.run(["python3", Self.script("keyboard_walk"), "stepper", url]) }
            #expect(outcome.status == 0, "\(outcome.output)")
        }
    }

    @Test(.enabled(if: BrowserPageTests.chromiumPresent || BrowserPageTests.onCI), .timeLimit(.minutes(10)), arguments: ["live", "network"])
    func theServedPageFromTheKeyboard(_ page: String) async throws {
        try await withServer { port in
            let url = "http://127.0.0.1:\(port)/" + (page == "network" ? "network" : "")
            let outcome = try await blocking { try BrowserPageTests.run(["python3", Self.script("keyboard_walk"), page, url]) }
            #expect(outcome.status == 0, "\(outcome.output)")
        }
    }
}
