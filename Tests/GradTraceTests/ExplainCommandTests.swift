import Foundation
import Testing
@testable import GradTrace

@Suite struct ExplainCommandTests {
    @Test func neuronAtTwoDecimals() throws {
        let r = try CLI.run(["explain", "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3", "--precision", "2"])
        #expect(r.status == 0)
        for line in ["∂f/∂w0 = -0.20", "∂f/∂x0 = 0.39", "∂f/∂w1 = -0.39", "∂f/∂x1 = -0.59", "∂f/∂w2 = 0.20", "Output f = 0.73"] {
            #expect(r.stdout.contains(line), "\(line)")
        }
        #expect(r.stdout.contains("-0.53 × 1.00 = -0.53"))
        #expect(!r.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
    }

    @Test func jsonHasTheDocumentedTopLevelFields() throws {
        let r = try CLI.run(["explain", "-", "a=1", "b=2", "c=3", "--format", "json"], stdin: "max(a, b) * c")
        #expect(r.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any])
        #expect(json["output"] as? Double == 6)
        let gradients = try #require(json["gradients"] as? [String: Double])
        #expect(gradients == ["a": 0, "b": 3, "c": 2])
        let nodes = try #require(json["nodes"] as? [[String: Any]])
        #expect(nodes.count == 5)
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.count == 2)
        #expect(json["schema"] as? String == JSONRenderer.schema)
    }

    @Test func jsonKeepsFullPrecision() throws {
        let r = try CLI.run(["explain", "sigmoid(w0*x0 + w1*x1 + w2)", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3", "--format", "json", "--precision", "2"])
        // Foundation's JSON parser on Linux rounds some doubles, so read the number text itself.
        func number(after key: String) -> Double? {
            guard let range = r.stdout.range(of: "\"\(key)\": ") else { return nil }
            return Double(r.stdout[range.upperBound...].prefix { "0123456789.eE+-".contains($0) })
        }
        #expect(number(after: "output") == 0.7310585786300049)
        #expect(number(after: "x1") == -0.5898357997244456)
        #expect(number(after: "w1") == -0.3932238664829637)
    }

    @Test func fileAndCommandLineOverride() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("addmul.gt")
        try "# the CS231n example\nx = -2; y = 5; z = 100\nq = x + y\nf = q * z\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["explain", file.path, "z=-4", "--format", "markdown"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("| x | -2 | -4 |"))
        #expect(r.stdout.contains("| z | -4 | 3 |"))
        #expect(r.stdout.contains("- to $q$: local gradient $z = -4$, so $-4 \\times 1 = -4$"))
    }

    @Test func errorsGoToStderrWithStatus2AndNothingOnStdout() throws {
        let cases: [([String], String)] = [
            (["explain", "sigmod(x)", "x=1"], "did you mean 'sigmoid'?"),
            (["explain", "(x + y) * z", "x=1", "y=2"], "pass z=<number>"),
            (["explain", "x +", "x=1"], "expected an expression"),
            (["explain", "x", "x=abc"], "is not a number"),
            (["explain", "x", "x=nan"], "is not a number"),
            (["explain", "missing.gt"], "no such file"),
            (["explain", "x", "x=1", "--precision", "99"], "--precision must be a whole number from 0 to 17, got 99"),
            (["explain", "x", "x=1", "--bogus"], "Unknown option '--bogus'"),
            (["explain"], "give an expression"),
            (["explain", "x", "x=1", "-o", "out.xyz"], "cannot tell the format"),
            // One value used 60 times: Graphviz would take minutes; refused at once, the text views offered.
            (["explain", Array(repeating: "x", count: 60).joined(separator: " + "), "x=1", "--format", "svg"], "'x' is used 60 times; a diagram is drawn when no value is used more than 48 times"),
        ]
        for (args, expected) in cases {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stdout.isEmpty, "\(args)")
            #expect(r.stderr.contains(expected), "\(args): \(r.stderr)")
        }
    }

    @Test func diagnosticShowsTheCaret() throws {
        let r = try CLI.run(["explain", "1 + sigmod(x)", "x=1"])
        #expect(r.stderr == """
        error: unknown function 'sigmod'
         --> <expression>:1:5
          |
        1 | 1 + sigmod(x)
          |     ^^^^^^
          = help: did you mean 'sigmoid'?

        """)
    }

    @Test func checkFlagsAndPasses() throws {
        let r = try CLI.run(["explain", "tanh(a*b) + a", "a=0.5", "b=-1.5", "--check"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("all gradients agree"))
        #expect(!r.stdout.contains("MISMATCH"))
    }

    @Test func outputFileIsWrittenAtomically() throws {
        let dir = try temporaryDirectory()
        let path = dir.appendingPathComponent("f.json").path
        let r = try CLI.run(["explain", "x*y", "x=2", "y=3", "-o", path])
        #expect(r.status == 0 && r.stdout.isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files == ["f.json"], "no temporary files are left behind")
        let bad = try CLI.run(["explain", "x*y", "x=2", "y=3", "-o", dir.appendingPathComponent("no/such/f.json").path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("does not exist"))
    }
}

/// The leading-minus shield reads the commands' own option table, so a value that starts with
/// '-' reaches every option that takes one (four were missing from the hand-kept list it had).
@Suite struct LeadingMinusTests {
    static func valueOptions(_ command: String) throws -> [String] {
        let dump = try CLI.run([command, "--experimental-dump-help"])
        let object = try #require(try JSONSerialization.jsonObject(with: dump.stdoutBytes) as? [String: Any])
        let arguments = try #require((object["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        return arguments.filter { $0["kind"] as? String == "option" }.compactMap { a in
            (a["names"] as? [[String: Any]])?.first { $0["kind"] as? String == "long" }.flatMap { $0["name"] as? String }.map { "--" + $0 }
        }
    }

    @Test(arguments: ["explain", "train"])
    func everyValueOptionTakesANegativeValue(command: String) throws {
        let options = try Self.valueOptions(command)
        #expect(options.count >= (command == "explain" ? 15 : 25), "\(options)")
        let dir = try temporaryDirectory()
        let base = command == "explain" ? ["explain", "x*y", "x=2", "y=3"] : ["train", "(w*x - 1)^2", "w=0.5", "x=2", "--params", "w", "--lr", "0.1", "--steps", "2"]
        for option in options where command == "explain" || !["--lr", "--params"].contains(option) {
            let r = try CLI.run(base + [option, "-7"], in: dir)
            #expect(!r.stderr.contains("Missing value"), "\(option) -7: \(r.stderr)")
            if r.status != 0 {
                #expect(r.stderr.contains("-7") || r.stderr.contains(option), "\(option) -7 is refused in its own words: \(r.stderr)")
            }
        }
        // And an expression that starts with a minus is still the expression.
        let neg = try CLI.run(["explain", "-x*y", "x=-2", "y=3", "--precision", "2"], in: dir)
        #expect(neg.status == 0 && neg.stdout.contains("Output f = 6.00"), "\(neg.stderr)")
    }
}
