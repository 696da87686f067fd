import Foundation
import Testing
@testable import GradTrace

/// The browser's view: each page built from a hostile lesson is opened in headless Chromium and
/// must run no script from lesson text, fetch nothing, and still run its own script. On CI
/// (CI=true) a missing Chromium is a failure, not a skip.
@Suite struct BrowserSafetyTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let onCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The DOM after the page loaded and ran its scripts.
    static func dom(_ url: String) throws -> String {
        let exe = try #require(chromium, "Chromium is needed for this test (apt-get install chromium)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(try temporaryDirectory().path)",
                             "--virtual-time-budget=2000", "--dump-dom", url]
        let outURL = try temporaryDirectory().appendingPathComponent("dom")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return try String(contentsOf: outURL, encoding: .utf8)
    }

    @Test func chromiumIsThereOnCI() {
        #expect(!Self.onCI || Self.chromium != nil, "CI must install chromium (.ci/run does)")
    }

    @Test(.enabled(if: chromium != nil || onCI))
    func noScriptFromLessonTextRunsInAnyPage() throws {
        let out = try temporaryDirectory()
        let lessons = ["script-vectors.md", "thematic-breaks.md"].map { fixtures.appendingPathComponent("lessons/\($0)").path }
        let outcomes = try LessonBuild().run(files: lessons, output: out.path, writeIndex: true)
        #expect(outcomes.allSatisfy { $0.error == nil })
        var pages = ["index.html"]
        for slug in ["script-vectors", "thematic-breaks"] {
            for page in ["handout.html", "worksheet.html", "answer-key.html", "stepper.html"]
            where FileManager.default.fileExists(atPath: out.appendingPathComponent("\(slug)/\(page)").path) {
                pages.append("\(slug)/\(page)")
            }
        }
        #expect(pages.count == 5)
        for page in pages {
            let dom = try Self.dom(out.appendingPathComponent(page).absoluteString)
            #expect(dom.contains("</html>"), "\(page) loaded")
            #expect(!dom.contains("<title>PWNED"), "\(page): a script from lesson text ran")
            #expect(!dom.contains("href=\"javascript:"), "\(page)")
        }
        // The page's own script still runs under its policy: the stepper honours #2.
        let stepper = try Self.dom(out.appendingPathComponent("script-vectors/stepper.html").absoluteString + "#2")
        #expect(stepper.contains("<section class=\"frame\" id=\"frame-1\" hidden=\"\">"), "the stepper's script ran")
        #expect(stepper.contains("<section class=\"frame\" id=\"frame-2\">"))
    }

    @Test(.enabled(if: chromium != nil || onCI))
    func thePolicyStopsInjectedScriptAndFetches() throws {
        // Should markup ever get into a page, its Content-Security-Policy still stops it.
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(server >= 0)
        defer { close(server) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(server, $0, &length) } }
        #expect(listen(server, 8) == 0)
        let port = UInt16(bigEndian: address.sin_port)
        let injected = """
        <script>document.title='PWNED-inline'</script>
        <img src="x" onerror="document.title='PWNED-onerror'">
        <img src="http://127.0.0.1:\(port)/pixel.png">
        <link rel="stylesheet" href="http://127.0.0.1:\(port)/style.css">
        """
        let dir = try temporaryDirectory()
        let page = dir.appendingPathComponent("page.html")
        try HTML.page(title: "Injected", css: "p { color: red; }", body: injected, script: "document.body.setAttribute('data-own', 'ran');")
            .write(to: page, atomically: true, encoding: .utf8)
        let dom = try Self.dom(page.absoluteString)
        #expect(dom.contains("<title>Injected</title>"), "no injected script ran")
        #expect(dom.contains("data-own=\"ran\""), "the page's own script, allowed by its hash, ran")
        _ = fcntl(server, F_SETFL, fcntl(server, F_GETFL) | O_NONBLOCK)
        #expect(accept(server, nil, nil) < 0, "the page connected to the network")
    }
}
