import Foundation
import Testing
@testable import GradTrace

/// The language and command line as a teacher types them: a leading minus, hints where a user
/// is close, Unicode names, and the commands' own spelling help.
@Suite struct LanguageTests {
    /// A node is named by what it holds: where one piece of text became several gates (`1 - p`
    /// is `p*-1`, then `+1`; `2/x` is `1/x`, then `*2`), the text names the last, and the gate
    /// before it a formula of its own, so no two gates holding different values share a name.
    @Test func aNodeIsNamedByWhatItHolds() throws {
        for source in ["f = 1 - p", "q = 2/x", "L = -(y*log(p) + (1 - y)*log(1 - p))", "f = 3 - x*y", "f = 1/(1 + exp(-(w*x + b)))"] {
            let graph = try Parser.parse(SourceText(source, name: "t"))
            let values: [String: Double] = ["p": 0.3, "x": 4, "y": 1, "w": 2, "b": -1]
            let trace = try Tracer(bindings: values.filter { graph.inputNames.contains($0.key) }).trace(graph)
            let labels = Labels(trace.graph)
            var holder: [String: Double] = [:]
            for i in 0..<trace.graph.count where !trace.graph.nodes[i].gate.isConstant {
                if let value = holder[labels[i]] {
                    #expect(value == trace.values[i], "'\(labels[i])' names \(value) and \(trace.values[i]) in \(source)")
                }
                holder[labels[i]] = trace.values[i]
            }
        }
        let p = try Tracer(bindings: ["p": 0.3]).trace(try Parser.parse(SourceText("f = 1 - p", name: "t")))
        #expect((0..<p.graph.count).map { Labels(p.graph)[$0] } == ["p", "-p", "f"])
    }

    @Test func anExpressionMayStartWithAMinus() throws {
        for args in [["explain", "-x^2 + 3", "x=2"], ["explain", "--precision", "2", "-x^2 + 3", "x=2"],
                     ["explain", "-x^2 + 3", "x=2", "--precision", "2"], ["explain", "-x", "x=-2", "--format", "json"]] {
            let r = try CLI.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        let r = try CLI.run(["explain", "-x^2 + 3", "x=2", "--format", "json"])
        #expect(r.stdout.contains("\"output\": -1,"))
        #expect(r.stdout.contains("\"x\": -4"))
        // A negative value given with a space after '=' gets the hint, not an option error.
        let spaced = try CLI.run(["explain", "x*y", "x=", "-2", "y=1"])
        #expect(spaced.status == 2 && spaced.stderr.contains("no space after '='"))
    }

    @Test(arguments: [
        ("x**2", "'**' is not an operator", "write powers with '^': x^2"),
        ("x² + 1", "unexpected character '²'", "write powers with '^': x^2"),
        ("e^x", "no value for variable 'e'", "e is not a built-in constant: write exp(x) for e^x, or bind e=2.718281828459045"),
        ("sigmod(x)", "unknown function 'sigmod'", "did you mean 'sigmoid'?"),
    ])
    func hintsWhereAUserIsClose(text: String, message: String, help: String) throws {
        let d = try #require(diagnostic(text, text.hasPrefix("e^") ? ["x": 1] : ["x": 1]))
        #expect(d.message == message)
        #expect(d.help == help)
    }

    @Test func farFromAnyFunctionListsThemAll() throws {
        let d = try #require(diagnostic("frobnicate(x)", ["x": 1]))
        #expect(d.help?.hasPrefix("the functions are ") == true)
        #expect(d.help?.contains("softplus") == true && d.help?.contains("leaky_relu") == true)
        #expect(try trace("elu(x) + sin(x)", ["x": 1]).output == 1 + sin(1))
    }

    @Test func unicodeNamesAndAByteOrderMark() throws {
        let t = try trace("\u{FEFF}θ * η + w₁", ["θ": 2, "η": 3, "w₁": 1])
        #expect(t.output == 7)
        #expect(t.graph.inputNames == ["θ", "η", "w₁"])
        #expect(try Bindings.parse(["θ=0.5"]) == ["θ": 0.5])
        let r = try CLI.run(["explain", "θ * x", "θ=2", "x=3", "--format", "json"])
        #expect(r.status == 0 && r.stdout.contains("\"θ\": 3"))
    }

    @Test func commandSpellingAndVersion() throws {
        let typo = try CLI.run(["explian", "x", "x=1"])
        #expect(typo.status == 2 && typo.stderr.contains("did you mean 'explain'?"))
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.2.0")
    }

    @Test func helpListsEveryFunctionFromTheGateTable() throws {
        let help = try CLI.run(["explain", "--help"]).stdout
        for kind in GateKind.builtins where !kind.spellings.isEmpty {
            #expect(help.contains(kind.spellings[0]), "\(kind.name) is missing from --help")
        }
        #expect(help.contains("def "))
    }

    @Test func expandNamesOneComposite() throws {
        let text = "def sq(a) = a*a; f = sq(x) + sigmoid(x)"
        let only = try CLI.run(["explain", text, "x=1", "--expand=sq", "--format", "json"])
        #expect(only.status == 0 && only.stdout.contains("\"expandedFrom\": \"sq\"") && only.stdout.contains("\"gate\": \"sigmoid\""))
        let builtin = try CLI.run(["explain", text, "x=1", "--expand", "sigmoid", "--format", "json"])
        #expect(builtin.status == 0 && builtin.stdout.contains("\"expandedFrom\": \"sigmoid\"") && builtin.stdout.contains("\"gate\": \"sq\""))
        let unknown = try CLI.run(["explain", text, "x=1", "--expand=sqq"])
        #expect(unknown.status == 2 && unknown.stderr.contains("did you mean 'sq'?"))
    }

    @Test func trainReadsAFile() throws {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("loss.txt")
        try "w = 3\n(w - 1)^2".write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["train", "--file", file.path, "--params", "w", "--lr", "0.25", "--steps", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("w ← 3 − 0.25 × 4 = 2"))
    }
}
