import Foundation
import Testing
@testable import GradTrace

/// Runs gradtrace with standard output going to `stdout` (a file handle) and returns its status,
/// how it ended and its standard error.
func runWithStandardOutput(_ arguments: [String], _ stdout: FileHandle) throws -> (Process.TerminationReason, Int32, String) {
    let exe = try #require(CLI.executable)
    let process = Process()
    process.executableURL = exe
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    process.environment = env
    let errURL = try temporaryDirectory().appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = stdout
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return (process.terminationReason, process.terminationStatus, try String(contentsOf: errURL, encoding: .utf8))
}

/// Every failed write is an error with status 1, never a crash or a silent success; devices are
/// written, never replaced.
@Suite struct WriteFailureTests {
    static let neuron = ["sigmoid(w0*x0 + w1*x1 + w2)", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]

    @Test(arguments: ["text", "markdown", "json", "dot", "svg"])
    func explainToAFullDiskFails(format: String) throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let (reason, status, stderr) = try runWithStandardOutput(["explain"] + Self.neuron + ["--format", format], full)
        #expect(reason == .exit && status == 1, "\(format): \(reason) \(status)")
        #expect(stderr.contains("error: cannot write to standard output: No space left on device"), "\(stderr)")
    }

    @Test func trainToAFullDiskFails() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let (reason, status, stderr) = try runWithStandardOutput(["train", "(w*x - 1)^2", "w=0.5", "x=2", "--params", "w", "--lr", "0.1", "--steps", "3"], full)
        #expect(reason == .exit && status == 1)
        #expect(stderr.contains("cannot write to standard output"))
    }

    @Test func outputOntoAFullDeviceFails() throws {
        let r = try CLI.run(["explain"] + Self.neuron + ["-o", "/dev/full", "--format", "json"])
        #expect(r.status == 1 && r.stderr.contains("cannot write '/dev/full': No space left on device"), "\(r.stderr)")
    }

    @Test func devicesAreWrittenNotReplaced() throws {
        var info = stat()
        for path in ["/dev/null", "/dev/stdout", "-"] {
            let r = try CLI.run(["explain", "x * 2", "x=3", "-o", path, "--format", "json"])
            #expect(r.status == 0, "\(path): \(r.stderr)")
            if path != "/dev/null" { #expect(r.stdout.contains("\"output\": 6"), "\(path) reaches standard output") }
        }
        #expect(stat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR, "/dev/null is still a device")
        #expect(lstat("/dev/stdout", &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK, "/dev/stdout is still a link")
        // Without --format: no extension to go by, so text.
        let text = try CLI.run(["explain", "x * 2", "x=3", "-o", "-"])
        #expect(text.status == 0 && text.stdout.contains("Backward pass"))
        // A folder is refused, not replaced.
        let dir = try temporaryDirectory()
        let r = try CLI.run(["explain", "x * 2", "x=3", "-o", dir.path, "--format", "json"])
        #expect(r.status == 1 && r.stderr.contains("it is a folder"))
    }

    @Test func aSymbolicLinkIsReplacedAndItsTargetLeftAlone() throws {
        // Writing through a link wrote wherever it pointed; now the link itself is replaced.
        let dir = try temporaryDirectory()
        let target = dir.appendingPathComponent("real.json"), link = dir.appendingPathComponent("link.json")
        try "old".write(to: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(try CLI.run(["explain", "x * 2", "x=3", "-o", link.path]).status == 0)
        #expect(try String(contentsOf: target, encoding: .utf8) == "old")
        #expect(try String(contentsOf: link, encoding: .utf8).contains("\"output\": 6"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == nil, "no longer a link")
    }

    @Test func aClosedPipeEndsTheProgramQuietly() throws {
        // A reader that has gone: end by SIGPIPE, as `cat` would, with nothing on standard error.
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let wide = (1...20_000).map { "a\($0)*b\($0)" }.joined(separator: " + ")
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("wide.gt")
        try ((1...20_000).map { "a\($0) = 1; b\($0) = 2" }.joined(separator: "\n") + "\nf = " + wide + "\n").write(to: file, atomically: true, encoding: .utf8)
        let (reason, status, stderr) = try runWithStandardOutput(["explain", file.path, "--format", "json"], pipe.fileHandleForWriting)
        #expect(reason == .uncaughtSignal && status == SIGPIPE, "\(reason) \(status)")
        #expect(stderr.isEmpty, "\(stderr)")
    }

    @Test func aFullStandardErrorIsStatusOne() throws {
        let exe = try #require(CLI.executable)
        let process = Process()
        process.executableURL = exe
        process.arguments = ["explain", "sigmod(x)", "x=1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 2, "the input error's status, not a crash")
        let ok = Process()
        ok.executableURL = exe
        ok.arguments = ["build", "--help"]
        ok.standardOutput = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        ok.standardError = FileHandle.nullDevice
        try ok.run()
        ok.waitUntilExit()
        #expect(ok.terminationReason == .exit && ok.terminationStatus == 1, "help that cannot be written is a failure")
    }

    @Test func theIndexFailingDoesNotHideLessons() throws {
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        try put(squareLesson, "a.md", in: src)
        #expect(try CLI.run(["build", src.path, "-o", out.path]).status == 0)
        // The index page has become a folder (so it cannot be replaced).
        let index = out.appendingPathComponent("index.html")
        try FileManager.default.removeItem(at: index)
        try FileManager.default.createDirectory(at: index, withIntermediateDirectories: false)
        try put("```gradtrace worksheet\nx = 5\nf = x * x\n```\n", "a.md", in: src)
        let r = try CLI.run(["build", src.path, "-o", out.path])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("built a: "), "the lesson's result is still reported: \(r.stderr)")
        #expect(r.stderr.contains("index.html"), "\(r.stderr)")
    }
}
