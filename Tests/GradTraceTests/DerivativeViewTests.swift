import Foundation
import Testing
@testable import GradTrace

/// The forward-mode, paths and comparison views: what they say on Colah's example, that every
/// equation they show adds up at its shown digits, and the CLI's options and errors.
@Suite struct DerivativeViewTests {
    static let colah = "e = (a + b) * (b + 1)"

    static func trace(_ text: String = colah, _ bindings: [String: Double] = ["a": 2, "b": 1]) throws -> Trace {
        try Tracer(bindings: bindings).trace(try Parser.parse(SourceText(text)))
    }

    @Test func forwardModeTextOfColahsExample() throws {
        let t = try Self.trace()
        var options = ExplainOptions()
        options.forwardWith = t.graph.input(named: "b")
        var out = ""
        TextRenderer.render(t, options: options, to: &out)
        for line in ["seed: ∂a/∂b = 0, ∂b/∂b = 1", "∂(a + b)/∂b = 0 + 1 = 1", "∂(b + 1)/∂b = 1",
                     "← (a + b): local gradient (b + 1) = 2;  2 × 1 = 2", "∂e/∂b = 2 + 3 = 5", "Result ∂e/∂b = 5"] {
            #expect(out.contains(line), "\(line)\n\(out)")
        }
        #expect(!out.contains("Backward pass"))
    }

    @Test func pathsTextListsTheProductsAndTheirSum() throws {
        let t = try Self.trace()
        var options = ExplainOptions()
        options.pathsFrom = t.graph.input(named: "b")
        var out = ""
        TextRenderer.render(t, options: options, to: &out)
        #expect(out.contains("1. b → (a + b) → e:  1 × 2 = 2"))
        #expect(out.contains("2. b → (b + 1) → e:  1 × 3 = 3"))
        #expect(out.contains("∂e/∂b = 2 + 3 = 5"))
    }

    @Test func pathsThroughTwoWiresOfOneGateReadDifferently() throws {
        let t = try Self.trace("y = x + x; f = y * y", ["x": 2])
        let pw = PathWalkthrough(Walkthrough(t), wrt: t.graph.input(named: "x")!)
        let rows = try #require(pw.rows)
        #expect(rows.count == 4)
        #expect(Set(rows.map { $0.names.joined(separator: " → ") }).count == 4)
        #expect(rows[0].names == ["x", "y (wire 1 of 2)", "f (wire 1 of 2)"])
        #expect(pw.sum.map(Say.forkSum) == "4 + 4 + 4 + 4 = 16")
    }

    @Test func beyondTheLimitTheCountAndTheFactoredForm() throws {
        var lines = ["u0 = x + 0", "v0 = x * 1"]
        for k in 1...30 { lines.append("u\(k) = tanh(u\(k - 1) + v\(k - 1))"); lines.append("v\(k) = tanh(u\(k - 1) * v\(k - 1))") }
        lines.append("f = u30 + v30")
        let t = try Self.trace(lines.joined(separator: "\n"), ["x": 0.5])
        let w = Walkthrough(t, format: NumberFormat(.significant(4), trimsZeros: true))
        let pw = PathWalkthrough(w, wrt: t.graph.input(named: "x")!, limit: 64)
        #expect(pw.rows == nil)
        #expect(pw.countText == "2,147,483,648")
        let sum = pw.factoredSum
        #expect(sum.operands.count == 2 && !sum.approximate)
        #expect(sum.result.value == t.gradient(of: "x"))
    }

    /// Every product and sum the views show holds at its shown digits, on a circuit with awkward numbers.
    @Test func shownEquationsAddUp() throws {
        let t = try Self.trace("q = sigmoid(x*y) + x; r = tanh(q*y); f = r*q + x/y", ["x": 0.37, "y": -1.3])
        for format in [NumberFormat(.decimals(2)), NumberFormat(.significant(3), trimsZeros: true)] {
            let w = Walkthrough(t, format: format)
            for id in t.graph.inputs {
                let fw = ForwardModeWalkthrough(w, wrt: id)
                for k in 1...fw.stepCount {
                    let step = fw.step(k)
                    for wire in step.wires {
                        #expect(wire.product.approximate || DisplayedArithmetic.holds(wire.product.operands, wire.product.result) { $0[0] * $0[1] })
                    }
                    if let sum = step.sum { #expect(sum.approximate || DisplayedArithmetic.holds(sum.operands, sum.result) { $0.reduce(0, +) }) }
                }
                let pw = PathWalkthrough(w, wrt: id)
                for row in pw.rows ?? [] {
                    #expect(row.product.approximate || DisplayedArithmetic.holds(row.product.operands, row.product.result) { $0.reduce(1, *) })
                }
                if let sum = pw.sum { #expect(sum.approximate || DisplayedArithmetic.holds(sum.operands, sum.result) { $0.reduce(0, +) }) }
            }
        }
    }

    @Test func jsonCarriesTangentsPathsAndCosts() throws {
        let t = try Self.trace()
        var options = ExplainOptions()
        options.forwardWith = t.graph.input(named: "b")
        options.pathsFrom = t.graph.input(named: "b")
        options.compareModes = true
        var out = ""
        JSONRenderer.render(t, views: options, to: &out)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let forward = try #require(json["forwardMode"] as? [String: Any])
        #expect(forward["wrt"] as? String == "b" && forward["derivative"] as? Double == 5)
        #expect((forward["tangents"] as? [Double]) == [0, 1, 1, 1, 5])
        let paths = try #require(json["paths"] as? [String: Any])
        #expect(paths["count"] as? Double == 2)
        #expect(((paths["listed"] as? [[String: Any]]) ?? []).compactMap { $0["product"] as? Double }.reduce(0, +) == 5)
        let modes = try #require(json["modes"] as? [String: Any])
        #expect((modes["forward"] as? [String: Any])?["passes"] as? Int == 2)
        #expect((modes["reverse"] as? [String: Any])?["passes"] as? Int == 1)
    }

    @Test func diagramsCarryTangentsAndHighlightPaths() throws {
        let t = try Self.trace()
        var options = DotOptions()
        options.tangentWith = t.graph.input(named: "b")
        let dot = DotRenderer.render(t, options: options)
        #expect(dot.contains("∂/∂b = 5") && !dot.contains("∇"))
        options.frame = 1
        let first = DotRenderer.render(t, options: options)
        #expect(first.contains("Forward step 1 of 3") && !first.contains("∂/∂b = 5"), "the output's tangent is not known after step 1")
        var pathOptions = DotOptions()
        let path = try #require(Paths(t, wrt: t.graph.input(named: "b")!).paths?.first)
        pathOptions.path = (1, 2, path)
        let highlighted = DotRenderer.render(t, options: pathOptions)
        #expect(highlighted.contains("Path 1 of 2: b → (a + b) → e"))
        #expect(highlighted.components(separatedBy: "penwidth=3.5").count - 1 == 4, "trunk, branch, wire into the mul gate, output")
    }

    @Test func cliForwardModeAndPaths() throws {
        let r = try CLI.run(["explain", Self.colah, "a=2", "b=1", "--mode", "forward", "--wrt", "b", "--paths", "b", "--compare"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("∂e/∂b = 2 + 3 = 5"))
        #expect(r.stdout.contains("forward  2 (one per input)"))
        let one = try CLI.run(["explain", "sigmoid(x) * x", "x=1", "--mode", "forward"])
        #expect(one.status == 0 && one.stdout.contains("seed: ∂x/∂x = 1"), "with one input, --wrt may be left out")
    }

    @Test func cliErrorsNameTheInputs() throws {
        let cases: [([String], String)] = [
            (["--mode", "forward"], "say which with --wrt"),
            (["--mode", "forward", "--wrt", "c"], "the inputs are a, b"),
            (["--mode", "forward", "--wrt", "q"], "'q' is computed by the expression"),
            (["--wrt", "a"], "--wrt goes with --mode forward"),
            (["--paths", "bb"], "did you mean 'b'?"),
            (["--paths", "a", "--path-limit", "0"], "--path-limit must be a whole number from 1 to 4096, got 0"),
            (["--tex-bare"], "go with a TikZ picture"),
        ]
        for (args, expected) in cases {
            let r = try CLI.run(["explain", "q = a + b; e = q * (b + 1)", "a=2", "b=1"] + args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stdout.isEmpty, "\(args)")
            #expect(r.stderr.contains(expected), "\(args): \(r.stderr)")
        }
    }

    @Test func lessonOptions() throws {
        func options(_ text: String) throws -> CircuitBlock.Options {
            try LessonParser.parseOptions(text, line: 1, column: 1) { message, line, column, length, help in
                Diagnostic(message, file: "t.md", line: line, column: column, help: help)
            }
        }
        let o = try options(" mode=forward wrt=b paths=b path-limit=8 compare")
        #expect(o.forward && o.wrt == "b" && o.paths == "b" && o.pathLimit == 8 && o.compare)
        for (bad, message) in [(" wrt=b", "wrt goes with mode=forward"), (" mode=sideways", "mode must be one of reverse, forward, got 'sideways'"),
                               (" path-limit=0", "path-limit must be a whole number from 1 to 4096, got 0"), (" paths=1x", "paths takes the name of an input")] {
            #expect(throws: Diagnostic.self, "\(bad)") { try options(bad) }
            do { _ = try options(bad) } catch let error as Diagnostic { #expect(error.message.contains(message), "\(bad): \(error.message)") }
        }
    }

    static func buildError(_ lesson: Lesson) -> String? {
        do throws(Diagnostic) {
            _ = try LessonBuilder().build(lesson)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func pathFramesAreCapped() throws {
        // 2^7 = 128 paths in 7 gates: listed with path-limit=4096, but not drawn one frame each.
        let text = "# T\n\n```gradtrace paths=x path-limit=4096 frames\nx = 1\ny1 = x + x; y2 = y1 + y1; y3 = y2 + y2; y4 = y3 + y3; y5 = y4 + y4; y6 = y5 + y5\nf = y6 * y6\n```\n"
        let lesson = try LessonParser.parse(SourceText(text, name: "lessons/t.md"), fileName: "t.md")
        let message = Self.buildError(lesson)
        #expect(message?.contains("128 paths and path frames are limited to 64") == true, "\(message ?? "built 128 path frames")")
        let r = try CLI.run(["explain", "y1 = x + x; y2 = y1 + y1; y3 = y2 + y2; y4 = y3 + y3; y5 = y4 + y4; y6 = y5 + y5; y6 * y6", "x=1",
                             "--paths", "x", "--path-limit", "4096", "--frames", try temporaryDirectory().path])
        #expect(r.status == 2 && r.stderr.contains("path frames are limited to 64"), "\(r.stderr)")
    }

    @Test func lessonBlocksResolveTheirInputs() throws {
        let text = "# T\n\n```gradtrace mode=forward wrt=z\nx = 1\nf = x * x\n```\n"
        let lesson = try LessonParser.parse(SourceText(text, name: "lessons/t.md"), fileName: "t.md")
        #expect(throws: Diagnostic.self) { try LessonBuilder().build(lesson) }
        do { _ = try LessonBuilder().build(lesson) } catch { #expect(error.message.contains("'z' is not an input")) }
    }
}
