import Foundation
import Testing
@testable import GradTrace
@testable import GradTraceServer

/// Every option of the request tables refuses a bad value with the same words on every surface
/// that takes it: the command line (`--lr`), a lesson block (`lr=`) and the server's JSON
/// (`"learningRate"`); only the spelling of the name differs.
@Suite struct OptionSurfacesTests {
    /// A value the option does not take, as each surface would be given it.
    static func invalid(_ spec: OptionSpec) -> (text: String, json: Any) {
        switch spec.values {
        case .whole(let r): return (String(r.lowerBound - 1), r.lowerBound - 1)
        case .number(let r, _, _):
            let v = r.lowerBound - 1  // below every range (0 itself means "none" for the server's validation)
            return (v.rounded() == v ? String(Int(v)) : "\(v)", v)
        case .choice: return ("nonsense", "nonsense")
        case .text, .flag: return ("", "")
        }
    }

    static func cli(_ arguments: [String]) throws -> String {
        let exe = try #require(gradtraceExecutable)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func lessonError(_ block: String) -> String {
        do {
            _ = try LessonParser.parse(SourceText(block, name: "lessons/t.md"), fileName: "t.md")
            return ""
        } catch { return error.message }
    }

    static func jsonError(_ result: Result<some Any, ReplyError>) -> String {
        guard case .failure(let e) = result,
              let object = try? JSONSerialization.jsonObject(with: e.reply.body) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return "" }
        return error["message"] as? String ?? ""
    }

    @Test func explainOptionsSayTheSameOnEverySurface() throws {
        var checked = 0
        for spec in ExplainRequest.all {
            let (text, json) = Self.invalid(spec)
            let expected = { (surface: Surface) in OptionError(spec.name, "must be \(spec.takes), got \(spec.values.isChoice ? "'\(text)'" : text)").message(on: surface) }
            let cli = try Self.cli(["explain", "x*y", "x=2", "y=3", spec.name.commandLine, text])
            #expect(cli.contains("error: " + expected(.commandLine)), "\(spec.name.commandLine): \(cli)")
            let lesson = Self.lessonError("```gradtrace \(spec.name.lesson)=\(text)\nx = 2\ny = 3\nf = x * y\n```\n")
            #expect(lesson == expected(.lesson), "\(spec.name.lesson)=: \(lesson)")
            if let key = spec.name.json {
                let body = try JSONSerialization.data(withJSONObject: ["source": "x * y", key: json])
                let server = Self.jsonError(ExplainQuery.decode(json: body, limits: ServerLimits()))
                #expect(server == expected(.json), "\"\(key)\": \(server)")
            }
            checked += 1
        }
        #expect(checked == ExplainRequest.all.count && checked >= 5)
    }

    @Test func trainOptionsSayTheSameOnEverySurface() throws {
        var checked = 0
        for spec in TrainRequest.all {
            let (text, json) = Self.invalid(spec)
            let expected = { (surface: Surface) in OptionError(spec.name, "must be \(spec.takes), got \(spec.values.isChoice ? "'\(text)'" : text)").message(on: surface) }
            var arguments = ["train", "(w*x - 1)^2", "w=0.5", "x=2", "--params", "w"]
            if spec.name.commandLine != "--lr" { arguments += ["--lr", "0.1"] }
            let cli = try Self.cli(arguments + [spec.name.commandLine, text])
            #expect(cli.contains("error: " + expected(.commandLine)), "\(spec.name.commandLine): \(cli)")
            let options = spec.name.lesson == "lr" ? "" : " lr=0.1"
            let lesson = Self.lessonError("```gradtrace-network data=\"moons(n=20)\"\(options) \(spec.name.lesson)=\(text)\nparam w[2] = he\nx1 = 0\nx2 = 0\ny = 0\nscore = w[1]*x1 + w[2]*x2\nrelu(1 - y*score)\n```\n")
            #expect(lesson == expected(.lesson), "\(spec.name.lesson)=: \(lesson)")
            if let key = spec.name.json {
                let body = try JSONSerialization.data(withJSONObject: [key: json])
                let server = Self.jsonError(NetworkOptions.decode(json: body, limits: NetworkLimits()))
                #expect(server == expected(.json), "\"\(key)\": \(server)")
            }
            checked += 1
        }
        #expect(checked == TrainRequest.all.count && checked >= 10)
    }

    /// `build` and `serve` read their tables too: each option's help is what `--help` says, and
    /// a number out of its range gets the table's message.
    @Test func buildAndServeOptionsComeFromTheirTables() throws {
        func words(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        var checked = 0
        for (command, table) in [("build", BuildRequest.all), ("serve", ServeRequest.all)] {
            let exe = try #require(gradtraceExecutable)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: exe)
            process.arguments = [command, "--help"]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let help = words(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            process.waitUntilExit()
            for spec in table {
                #expect(help.contains(spec.name.commandLine + " <" + spec.valueName + ">"), "\(command) --help names \(spec.name.commandLine)")
                #expect(help.contains(words(spec.help)), "\(command) --help: \(spec.help)")
                if case .whole = spec.values {
                    let (text, _) = Self.invalid(spec)
                    let arguments = command == "build" ? ["build", "lessons", spec.name.commandLine, text] : ["serve", spec.name.commandLine, text]
                    let cli = try Self.cli(arguments)
                    #expect(cli.contains("error: " + OptionError(spec.name, "must be \(spec.takes), got \(text)").message(on: .commandLine)), "\(spec.name.commandLine): \(cli)")
                }
                checked += 1
            }
        }
        #expect(checked == BuildRequest.all.count + ServeRequest.all.count && checked >= 5)
    }
}
