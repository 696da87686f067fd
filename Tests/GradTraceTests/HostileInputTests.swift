import Foundation
import Testing
@testable import GradTrace

/// Big, strange and broken input: every case fails (or works) with one clear message, and
/// nothing half-written is left behind.
@Suite struct HostileInputTests {
    @Test func emptyAndCommentOnlyInput() throws {
        for text in ["", "   \n\n", "# only a comment", "# a\n# b\n;;\n"] {
            let d = try #require(diagnostic(text), "\(text.debugDescription)")
            #expect(d.message == "there is no expression to compute")
        }
        let r = try CLI.run(["explain", "-"], stdin: "# nothing here\n")
        #expect(r.status == 2 && r.stdout.isEmpty && r.stderr.hasPrefix("error: there is no expression to compute"))
    }

    @Test func nonUTF8BytesAreRejectedWithTheirPlace() throws {
        let d = try #require(catching { _ = try SourceReader.decode(Data([0x78, 0x20, 0x2B, 0x0A, 0x79, 0xFF, 0x7A]), name: "bad.gt") })
        #expect(d.message == "'bad.gt' is not UTF-8 text (byte 0xFF at offset 5)")
        #expect((d.line, d.column) == (2, 2))
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("latin1.gt")
        try Data([0x63, 0x61, 0x66, 0xE9, 0x20, 0x2A, 0x20, 0x32]).write(to: file)
        let r = try CLI.run(["explain", file.path])
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(r.stderr.contains("is not UTF-8 text"))
        #expect(catching { _ = try SourceReader.decode(Data([0x78, 0x00, 0x79]), name: "nul") }?.message.contains("NUL byte") == true)
    }

    @Test func aMegabyteIdentifier() throws {
        let name = String(repeating: "x", count: 1 << 20)
        let t = try trace("\(name) * 2", [name: 3])
        #expect(t.output == 6)
        #expect(t.gradient(of: name) == 2)
        let d = try #require(diagnostic("\(name) * y", [name: 1]))
        #expect(d.message == "no value for variable 'y'")
        let long = try #require(diagnostic("\(name) * 2"))
        #expect(long.description.count < 1_000, "the message does not print a megabyte")
        #expect(long.message.contains("…(1048576 characters)"))
    }

    @Test func extremeNumbers() throws {
        #expect(diagnostic("1e400 * x", ["x": 1])?.message == "number '1e400' is too large for a 64-bit float")
        let negativeZero = try trace("x = -0; f = x * 2")
        #expect(negativeZero.output == 0 && negativeZero.output.sign == .minus)
        #expect(NumberFormat()(negativeZero.output) == "0")
        #expect(NumberFormat(precision: 2)(negativeZero.output) == "0.00")
        var json = ""
        JSONRenderer.render(negativeZero, to: &json)
        #expect(json.contains("\"output\": -0,"))
        let tiny = try trace("x * 1e-320", ["x": 1e-5])
        #expect(tiny.output == 0 || tiny.output.isSubnormal || tiny.output.isNormal)
        let big = try trace("x * x", ["x": 1e200])
        #expect(big.output == .infinity)
        #expect(big.warnings.contains { $0.kind == .nonFinite && Walkthrough(big).message($0).contains("overflow") })
    }

    @Test func nanAndInfAreNotNumbers() throws {
        let d = try #require(diagnostic("nan * 2"))
        #expect(d.message == "no value for variable 'nan'")
        #expect(d.help?.contains("there are no nan or inf literals") == true)
        for value in ["nan", "inf", "-inf", "infinity"] {
            let r = try CLI.run(["explain", "x * 2", "x=\(value)"])
            #expect(r.status == 2 && r.stdout.isEmpty, "x=\(value)")
        }
        let infinite = try CLI.run(["explain", "1/x", "x=0", "--format", "json"])
        #expect(infinite.status == 0)
        #expect(infinite.stdout.contains("\"output\": \"inf\""))
        #expect(infinite.stderr.contains("warning: reciprocal gate"))
    }

    @Test func missingAndUnreadableFiles() throws {
        let dir = try temporaryDirectory()
        let missing = try CLI.run(["explain", "--file", dir.appendingPathComponent("nope.gt").path])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"))
        let folder = try CLI.run(["explain", "--file", dir.path])
        #expect(folder.status == 2 && folder.stderr.contains("it is a folder"))
        let lessons = try CLI.run(["build", dir.appendingPathComponent("none").path, "-o", dir.appendingPathComponent("out").path])
        #expect(lessons.status == 2 && lessons.stderr.contains("no such file or folder"))
    }

    @Test func markupInTitlesIsEscapedEverywhere() throws {
        let title = "A \"q\" <b> & </script> | pipe"
        let text = "---\ntitle: \(title)\n---\nProse.\n\n```gradtrace worksheet title=\"\(title.replacingOccurrences(of: "\"", with: "\\\""))\"\nx = 2\nf = x * x\n```\n"
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        try text.write(to: src.appendingPathComponent("t.md"), atomically: true, encoding: .utf8)
        let outcomes = try LessonBuild().run(files: [src.appendingPathComponent("t.md").path], output: out.path, writeIndex: true)
        #expect(outcomes[0].error == nil)
        for page in ["t/handout.html", "t/worksheet.html", "t/answer-key.html", "t/stepper.html", "index.html"] {
            let html = try String(contentsOf: out.appendingPathComponent(page), encoding: .utf8)
            #expect(!html.contains("<b> &"), "\(page) has the raw title")
            #expect(!html.contains("</script> |"), "\(page) has the raw title")
            #expect(html.contains("A &quot;q&quot; &lt;b&gt; &amp; &lt;/script&gt; | pipe"), "\(page)")
        }
        let markdown = try String(contentsOf: out.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(markdown.contains("A \"q\" &lt;b&gt; &amp; &lt;/script&gt; \\| pipe"), "the index table cell escapes the pipe")
        let svg = try String(contentsOf: out.appendingPathComponent("t/handout.html"), encoding: .utf8)
        #expect(svg.components(separatedBy: "<script").count - 1 == 0)
        // DOT: the title is an HTML-like label, escaped.
        let t = try trace("x * 2", ["x": 1])
        let dot = DotRenderer.render(t, options: DotOptions(title: title))
        #expect(dot.contains("A &quot;q&quot; &lt;b&gt; &amp; &lt;/script&gt; | pipe"))
        #expect(try Graphviz.render(dot: dot, format: .svg).count > 0)
    }

    @Test func anInterruptedBuildLeavesWholeFilesOnly() throws {
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        let lesson = src.appendingPathComponent("big.md")
        func write(_ scale: Int) throws {
            var text = "---\ntitle: Big\n---\n"
            for k in 0..<4 {
                text += "\n```gradtrace\n" + (1...6).map { "a\($0) = \(Double($0 * scale) / 10)" }.joined(separator: "\n")
                text += "\nf = " + (1...6).map { "a\($0)*a\(($0 % 6) + 1)" }.joined(separator: " + ") + " + \(k)\n```\n"
            }
            try text.write(to: lesson, atomically: true, encoding: .utf8)
        }
        try write(1)
        _ = try LessonBuild().run(files: [lesson.path], output: out.path, writeIndex: true)
        let before = try snapshot(out)
        try write(2)
        // Build the new version in a child process and kill it part-way.
        let exe = try #require(CLI.executable)
        let child = Process()
        child.executableURL = exe
        child.arguments = ["build", src.path, "-o", out.path]
        child.standardError = FileHandle.nullDevice
        try child.run()
        Thread.sleep(forTimeInterval: 0.1)
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let fresh = try temporaryDirectory()
        _ = try LessonBuild().run(files: [lesson.path], output: fresh.path, writeIndex: true)
        let after = try snapshot(fresh)
        for (path, data) in try snapshot(out) where !(path as NSString).lastPathComponent.hasPrefix(".") {
            #expect(data == before[path] || data == after[path], "\(path) is neither the old nor the new file")
        }
        // The next build finishes the job and clears any temporary file the killed one left.
        _ = try LessonBuild().run(files: [lesson.path], output: out.path, writeIndex: true)
        #expect(try snapshot(out) == after)
    }
}
