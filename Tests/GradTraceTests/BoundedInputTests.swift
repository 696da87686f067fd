import Foundation
import Testing
@testable import GradTrace

/// Input that is endless, not UTF-8, or full of terminal escapes: a bounded amount of work and a
/// clear message, never a hang or a terminal taken over.
@Suite struct BoundedInputTests {
    @Test func strictUTF8WithThePlaceOfTheBadByte() throws {
        // "ok\nab" then the bad sequence: the bad byte is at line 2, column 3, offset 5.
        let cases: [(String, [UInt8])] = [
            ("overlong 2-byte NUL", [0xC0, 0x80]), ("overlong 2-byte", [0xC1, 0xBF]),
            ("overlong 3-byte", [0xE0, 0x80, 0xAF]), ("overlong 4-byte", [0xF0, 0x80, 0x80, 0xAF]),
            ("surrogate U+D800", [0xED, 0xA0, 0x80]), ("surrogate U+DFFF", [0xED, 0xBF, 0xBF]),
            ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]), ("lead byte F5", [0xF5, 0x80, 0x80, 0x80]),
            ("lone continuation", [0x80]), ("cut off at the end", [0xE2, 0x82]), ("bad continuation", [0xE2, 0x28, 0xA1]),
        ]
        for (name, bad) in cases {
            let bytes = Array("ok\nab".utf8) + bad + (name == "cut off at the end" ? [] : Array(" x".utf8))
            let d = try #require(catching { _ = try SourceReader.decode(Data(bytes), name: "bad.gt") }, "\(name) was accepted")
            #expect(d.message == "'bad.gt' is not UTF-8 text (byte 0x\(String(bad[0], radix: 16, uppercase: true)) at offset 5)", "\(name): \(d.message)")
            #expect((d.line, d.column) == (2, 3), "\(name)")
        }
        // The largest code point, a 4-byte emoji, and U+FFFD are fine.
        for good in [[0xF4, 0x8F, 0xBF, 0xBF], [0xF0, 0x9F, 0x98, 0x80], [0xEF, 0xBF, 0xBD], [0xED, 0x9F, 0xBF]] as [[UInt8]] {
            #expect(catching { _ = try SourceReader.decode(Data(good), name: "ok.gt") } == nil, "\(good)")
        }
        // The same through a file, read in chunks, with the bad byte past the first chunk.
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("late.gt")
        try Data(Array(repeating: UInt8(ascii: "\n"), count: 70_000) + [0x78, 0xED, 0xA0, 0x80]).write(to: file)
        let late = try #require(catching { _ = try SourceReader.read(path: file.path) })
        #expect((late.line, late.column) == (70_001, 2))
    }

    @Test func endlessInputStopsAtTheFirstBadByteOrTheLimit() throws {
        // --file /dev/zero read until memory ran out.
        let zero = try CLI.run(["explain", "--file", "/dev/zero"])
        #expect(zero.status == 2 && zero.stderr.contains("'/dev/zero' contains a NUL byte"), "\(zero.stderr)")
        // Text from a pipe that goes on past the limit stops there (the writer sends one byte more).
        signal(SIGPIPE, SIG_IGN)
        let pipe = Pipe()
        let writer = Thread {
            try? pipe.fileHandleForWriting.write(contentsOf: Data(repeating: UInt8(ascii: "x"), count: (1 << 20) + 1))
            try? pipe.fileHandleForWriting.close()
        }
        writer.start()
        let d = try #require(catching { _ = try SourceReader.read(fd: pipe.fileHandleForReading.fileDescriptor, name: "<stdin>", maxBytes: 1 << 20) })
        #expect(d.message == "'<stdin>' is larger than 1 MiB; stopped reading there")
        try pipe.fileHandleForReading.close()
        // A FIFO is read like a pipe.
        let dir = try temporaryDirectory()
        let fifo = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let feeder = Thread {
            if let h = FileHandle(forWritingAtPath: fifo) { h.write(Data("x * 2".utf8)); try? h.close() }
        }
        feeder.start()
        let r = try CLI.run(["explain", "--file", fifo, "x=4", "--format", "json"])
        #expect(r.status == 0 && r.stdout.contains("\"output\": 8"), "\(r.stderr)")
        // Lessons have a smaller limit.
        let big = dir.appendingPathComponent("big.md")
        try Data(repeating: UInt8(ascii: "a"), count: LessonBuild.maxLessonBytes + 1).write(to: big)
        let outcomes = try LessonBuild().run(files: [big.path], output: dir.appendingPathComponent("out").path, writeIndex: false)
        #expect(outcomes[0].error?.message.contains("larger than 1 MiB") == true)
    }

    @Test func controlCharactersCannotDriveTheTerminal() throws {
        let hostile = "clear\u{1B}[2J title\u{1B}]0;pwned\u{07} bell\u{07} cr\r c1\u{9B}31m del\u{7F}"
        let clean = TerminalText.sanitize(hostile)
        #expect(!clean.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
        #expect(!clean.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) })
        #expect(clean == "clear␛[2J title␛]0;pwned␇ bell␇ cr␍ c1\u{FFFD}31m del␡")
        #expect(TerminalText.sanitize("a\tb\nc") == "a\tb\nc")
        // Our own colours pass when asked; others' sequences do not.
        #expect(TerminalText.sanitize("\u{1B}[1;31merror:\u{1B}[0m x\u{1B}]0;t\u{07}", keepColors: true) == "\u{1B}[1;31merror:\u{1B}[0m x␛]0;t␇")
        // Standard error shows the line of a diagnostic sanitised, always.
        let r = try CLI.run(["explain", "sigmod(x) # \u{1B}]0;pwned\u{07}\u{1B}[2J", "x=1"])
        #expect(r.status == 2)
        #expect(!r.stderr.contains("\u{1B}") && !r.stderr.contains("\u{07}") && r.stderr.contains("]0;pwned"), "\(r.stderr)")
    }

    @Test func textOnATerminalIsSanitised() throws {
        // A real terminal (a pty from script(1)): a comment and --title with escapes.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "script(1) is needed on CI")
            return
        }
        let exe = try #require(CLI.executable)
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("t.gt")
        try "x = 2\nf = x * 3  # \u{1B}]0;pwned\u{07}\u{1B}[2J\n".write(to: file, atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("typescript")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-q", "-e", "-c", "'\(exe.path)' explain '\(file.path)' --no-color --title \"$(printf 'T\\033[2J')\"", log.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let typescript = String(decoding: try Data(contentsOf: log), as: UTF8.self)
        #expect(typescript.contains("Backward pass"), "\(typescript.prefix(300))")
        #expect(!typescript.contains("\u{1B}]0;pwned") && !typescript.contains("\u{1B}[2J"), "no escape reached the terminal")
        #expect(typescript.contains("␛[2J") || typescript.contains("␛]0;pwned"), "they are shown instead")
    }

    @Test func aBigCircuitLessonBuildsQuickly() throws {
        // 119 gates: a layout per backward step made this take 95 s.
        let n = 60
        var text = "```gradtrace\n" + (1...n).map { "a\($0) = 0.\($0 % 9 + 1)" }.joined(separator: "\n")
        text += "\nf = " + (1...n).map { "a\($0)*a\($0 % n + 1)" }.joined(separator: " + ") + "\n```\n"
        let lesson = try LessonParser.parse(SourceText(text, name: "lessons/big.md"), fileName: "big.md")
        // What made it slow is what is asserted: no diagram per step (a layout each) past 40 gates.
        let files = try LessonBuilder().build(lesson)
        let stepper = try #require(files.first { $0.path == "stepper.html" }).text
        #expect(stepper.contains("No diagram per step for a circuit of more than 40 gates"))
        #expect(stepper.components(separatedBy: "<section class=\"frame\"").count - 1 == 120, "every step is still there")
    }
}
