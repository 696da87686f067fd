import Foundation
import Testing
@testable import GradTrace

/// Writes `text` to `folder/name` (creating folders) and returns its path.
@discardableResult
func put(_ text: String, _ name: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

let squareLesson = "```gradtrace worksheet\nx = 3\nf = x * x\n```\n"

/// A build never deletes or damages what it did not write, and replaces a lesson's files all
/// together or not at all.
@Suite struct OutputSafetyTests {
    @Test func aFolderGradTraceDidNotMakeIsRefusedAndLeftAlone() throws {
        // `gradtrace build lessons -o .` deleted notes/todo.txt and site/cv.pdf.
        let home = try temporaryDirectory(), src = try temporaryDirectory()
        try put("buy milk", "notes/todo.txt", in: home)
        try put("%PDF", "site/cv.pdf", in: home)
        try put("<p>my own</p>", "site/handout.html", in: home)
        try put(squareLesson, "notes.md", in: src)
        let before = try snapshot(home)
        let r = try CLI.run(["build", src.path, "-o", "."], in: home)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("refusing to write into '.'") && r.stderr.contains("notes/todo.txt"), "\(r.stderr)")
        #expect(try snapshot(home) == before, "not one byte changed")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent(OutputFolder.manifestName).path))
    }

    @Test func onlyFilesInTheManifestAreEverDeleted() throws {
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        let a = try put(squareLesson, "a.md", in: src)
        try put("```gradtrace\ny = 2\nf = exp(y)\n```\n", "b.md", in: src)
        #expect(try CLI.run(["build", src.path, "-o", out.path]).status == 0)
        let manifest = try String(contentsOf: out.appendingPathComponent(OutputFolder.manifestName), encoding: .utf8)
        #expect(manifest.contains("\na/answer-key.html\n") && manifest.contains("\nindex.html\n"))
        // The user keeps notes in the output folder, and in a folder of their own there.
        try put("mine", "notes.txt", in: out)
        try put("mine too", "site/handout.html", in: out)
        // Lesson b is deleted and a loses its worksheet: their files go, the user's stay.
        try FileManager.default.removeItem(atPath: src.appendingPathComponent("b.md").path)
        try "```gradtrace\nx = 3\nf = x * x\n```\n".write(toFile: a, atomically: true, encoding: .utf8)
        let r = try CLI.run(["build", src.path, "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("removed b/"))
        let files = Set(try snapshot(out).keys)
        #expect(files.contains("notes.txt") && files.contains("site/handout.html"))
        #expect(!files.contains(where: { $0.hasPrefix("b/") }))
        #expect(!files.contains("a/worksheet.html") && !files.contains("a/answer-key.html"))
        #expect(files.contains("a/handout.html"))
    }

    @Test func deletingNeverFollowsASymbolicLink() throws {
        let src = try temporaryDirectory(), out = try temporaryDirectory(), elsewhere = try temporaryDirectory()
        try put("```gradtrace frames\nx = 3\nf = x * x\n```\n", "a.md", in: src)
        #expect(try CLI.run(["build", src.path, "-o", out.path]).status == 0)
        // The user swaps a listed folder for a link to their own files of the same names.
        let frames = out.appendingPathComponent("a/frames")
        for name in try FileManager.default.contentsOfDirectory(atPath: frames.path) { try put("mine", name, in: elsewhere) }
        try FileManager.default.removeItem(at: frames)
        try FileManager.default.createSymbolicLink(at: frames, withDestinationURL: elsewhere)
        let before = try snapshot(elsewhere)
        try FileManager.default.removeItem(atPath: src.appendingPathComponent("a.md").path)
        try put("```gradtrace\ny = 1\nf = exp(y)\n```\n", "b.md", in: src)
        let r = try CLI.run(["build", src.path, "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try snapshot(elsewhere) == before, "nothing behind the link was deleted")
    }

    @Test func aFileTheUserPutInALessonFolderStopsOnlyThatLesson() throws {
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        try put(squareLesson, "a.md", in: src)
        _ = try LessonBuild().run(files: [src.appendingPathComponent("a.md").path], output: out.path, writeIndex: true)
        try put("my notes", "a/notes.txt", in: out)
        try put("```gradtrace\nx = 4\nf = x * x\n```\n", "a.md", in: src)
        let before = try snapshot(out)
        let summary = try LessonBuild().build(files: [src.appendingPathComponent("a.md").path], output: out.path, writeIndex: true)
        let error = try #require(summary.outcomes[0].error)
        #expect(summary.outcomes[0].isWriteFailure)
        #expect(error.message.contains("gradtrace did not write 'a/notes.txt'"), "\(error)")
        #expect(try snapshot(out) == before)
    }

    @Test func aLessonThatFailsKeepsItsSluggedFolder() throws {
        // The slug fell back to the file name and the clean-up removed the real folder.
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        let file = try put("---\nslug: chain\n---\n" + squareLesson, "01-intro.md", in: src)
        #expect(try CLI.run(["build", src.path, "-o", out.path]).status == 0)
        let before = try snapshot(out)
        #expect(before.keys.contains("chain/handout.html"))
        try "---\nslug: chain\n---\n```gradtrace worksheet\nx = 3\nf = x * * x\n```\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["build", src.path, "-o", out.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("01-intro.md:6:9"), "\(r.stderr)")
        #expect(r.stderr.contains("previous output left as it was"))
        #expect(try snapshot(out) == before, "out/chain/ and the index are untouched")
        // Unparseable front matter: the same.
        try "---\nslug: chain\ntitel: x\n---\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["build", src.path, "-o", out.path]).status == 2)
        #expect(try snapshot(out) == before)
    }

    @Test func twoLessonsWithOneSlugAreCaughtBeforeAnyWrite() throws {
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        let a = try put("---\nslug: same\n---\n" + squareLesson, "a.md", in: src)
        let b = try put("---\nslug: same\n---\n```gradtrace\ny = 1\nf = exp(y)\n```\n", "b.md", in: src)
        let summary = try LessonBuild().build(files: [a, b], output: out.path, writeIndex: true)
        #expect(summary.outcomes[0].error == nil)
        let clash = try #require(summary.outcomes[1].error)
        #expect(clash.message == "two lessons write to the same folder 'same': '\(a)' and this one")
        #expect(clash.file == b)
        let files = try snapshot(out.appendingPathComponent("same"))
        #expect(files.keys.contains("worksheet.html") && files.keys.contains("answer-key.html"), "the first lesson's sheets are there")
        let handout = String(decoding: try #require(files["handout.html"]), as: UTF8.self)
        #expect(handout.contains("x * x") || handout.contains("x²") || handout.contains("f = x"), "it is a's handout")
        #expect(!handout.contains("exp"), "b wrote nothing")
        #expect(!summary.indexWritten, "a failed build leaves the index as it was")
    }

    @Test func concurrentBuildsTakeTurns() throws {
        // Each build deleted the other's temporary files: one failed in 9 of 20 runs.
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        for k in 1...3 { try put("```gradtrace worksheet frames\nx = \(k); y = 2\nf = (x + y) * x\n```\n", "l\(k).md", in: src) }
        let exe = try #require(CLI.executable)
        for round in 0..<6 {
            // Alternate two seeds so each build really rewrites files.
            let children = (0..<2).map { k -> Process in
                let p = Process()
                p.executableURL = exe
                p.arguments = ["build", src.path, "-o", out.path, "--seed", String(round * 2 + k + 1)]
                p.standardError = FileHandle.nullDevice
                return p
            }
            for p in children { try p.run() }
            for p in children {
                p.waitUntilExit()
                #expect(p.terminationStatus == 0, "round \(round)")
            }
        }
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { $0.contains(".gradtrace-new") || $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func aSecondBuildWaitsForTheLock() throws {
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        try put(squareLesson, "a.md", in: src)
        let session = try OutputFolder(root: out.path).open()
        let exe = try #require(CLI.executable)
        let child = Process()
        child.executableURL = exe
        child.arguments = ["build", src.path, "-o", out.path]
        let errURL = try temporaryDirectory().appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        child.standardError = try FileHandle(forWritingTo: errURL)
        try child.run()
        Thread.sleep(forTimeInterval: 1.5)
        #expect(child.isRunning, "the build waits while the folder is locked")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("a").path))
        session.close()
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
        let stderr = try String(contentsOf: errURL, encoding: .utf8)
        #expect(stderr.contains("waiting for another gradtrace build into '\(out.path)' to finish"), "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("a/handout.html").path))
    }

    @Test func anEarlierGradTracesOutputIsAdopted() throws {
        // A copy of the committed output/ without its manifest: what the first version wrote.
        let out = try temporaryDirectory().appendingPathComponent("output")
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("output"), to: out)
        try? FileManager.default.removeItem(at: out.appendingPathComponent(OutputFolder.manifestName))
        try put("junk", ".index.html.tmp-AbC123", in: out)  // a killed old build's temporary file
        let files = try LessonBuild.lessonFiles(in: packageRoot.appendingPathComponent("lessons").path)
        let summary = try LessonBuild().build(files: files, output: out.path, writeIndex: true)
        #expect(summary.outcomes.allSatisfy { $0.error == nil })
        #expect(summary.adopted > 50)
        #expect(summary.indexWritten)
        let fresh = try temporaryDirectory()
        _ = try LessonBuild().run(files: files, output: fresh.path, writeIndex: true)
        #expect(try snapshot(out) == snapshot(fresh), "afterwards it is exactly a fresh build, manifest included")
        // One foreign file makes the same folder foreign.
        let other = try temporaryDirectory().appendingPathComponent("output")
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("output"), to: other)
        try? FileManager.default.removeItem(at: other.appendingPathComponent(OutputFolder.manifestName))
        try put("mine", "01-chain-rule/my-notes.txt", in: other)
        #expect(throws: OutputFolder.Failure.self) { try LessonBuild().run(files: files, output: other.path, writeIndex: true) }
    }

    @Test func framesReplaceAnEarlierLongerRunAndNothingElse() throws {
        let dir = try temporaryDirectory().appendingPathComponent("frames")
        var r = try CLI.run(["explain", "(a + b) * c + d", "a=1", "b=2", "c=3", "d=4", "--frames", dir.path, "--format", "dot"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("step-") }.count == 3)
        try put("mine", "slides.txt", in: dir)
        r = try CLI.run(["explain", "a * b", "a=1", "b=2", "--frames", dir.path, "--format", "dot"])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == [OutputFolder.manifestName, "slides.txt", "step-01.dot"], "\(names)")
    }

    @Test func framesAreCappedByCircuitSize() throws {
        let big = (1...45).map { "x\($0)" }.joined(separator: " * ")
        let bindings = (1...45).map { "x\($0)=1" }
        let dir = try temporaryDirectory().appendingPathComponent("frames")
        let r = try CLI.run(["explain", big] + bindings + ["--frames", dir.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("frames are limited to 40"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path))
        let lesson = try LessonParser.parse(SourceText("```gradtrace frames\n" + (1...45).map { "x\($0) = 1" }.joined(separator: "\n") + "\nf = \(big)\n```\n",
                                                       name: "lessons/big.md"), fileName: "big.md")
        let error = try #require(catching { _ = try LessonBuilder().build(lesson) })
        #expect(error.message.contains("frames are limited to 40") && error.location == "lessons/big.md:1:1")
    }

    @Test func aLessonIsReplacedWholeOrNotAtAll() throws {
        // A write fails part-way (a 16 KiB file size limit stands in for a full disk):
        // every lesson folder is all old, and the build says so with status 1.
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        for k in 1...2 { try put("```gradtrace worksheet frames\nx = \(k); y = 2; z = -1\nf = (x + y) * z + x\n```\n", "l\(k).md", in: src) }
        let exe = try #require(CLI.executable)
        #expect(try CLI.run(["build", src.path, "-o", out.path]).status == 0)
        let before = try snapshot(out)
        let biggest = before.values.map(\.count).max() ?? 0
        #expect(biggest > 16 << 10, "some file is larger than the limit below")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/bash")
        child.arguments = ["-c", "ulimit -f 16; exec \"$0\" build \"$1\" -o \"$2\" --seed 5", exe.path, src.path, out.path]
        let errURL = try temporaryDirectory().appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        child.standardError = try FileHandle(forWritingTo: errURL)
        try child.run()
        child.waitUntilExit()
        let stderr = try String(contentsOf: errURL, encoding: .utf8)
        #expect(child.terminationReason == .exit && child.terminationStatus == 1, "\(stderr)")
        #expect(stderr.contains("cannot write") && stderr.contains("/l1/") && stderr.contains("/l2/"), "every lesson's error is shown: \(stderr)")
        #expect(stderr.contains("File too large"), "\(stderr)")
        #expect(stderr.contains("index pages left as they were"))
        #expect(try snapshot(out) == before, "all old: not one lesson half old and half new")
    }
}
