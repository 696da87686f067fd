import Foundation
import Testing
@testable import GradTrace

@Suite struct LessonTests {
    static let sample = """
    ---
    title: The chain rule
    summary: Local times upstream.
    ---
    Intro with $\\frac{\\partial f}{\\partial x}$ and <b>raw html</b>.

    ```gradtrace precision=2 worksheet title="Add then multiply"
    x = -2; y = 5; z = -4
    q = x + y
    f = q * z
    ```

    Between the blocks.

    ```python
    print("not a circuit")
    ```

    ```gradtrace check expand
    a = 0.5
    f = sigmoid(a) * a
    ```
    """

    func lesson(_ text: String = LessonTests.sample, name: String = "01-chain.md") throws -> Lesson {
        try LessonParser.parse(SourceText(text, name: "lessons/\(name)"), fileName: name)
    }

    @Test func parsesFrontMatterBlocksAndOptions() throws {
        let l = try lesson()
        #expect(l.title == "The chain rule")
        #expect(l.summary == "Local times upstream.")
        #expect(l.slug == "01-chain")
        #expect(l.circuits.count == 2)
        let first = l.circuits[0]
        #expect(first.line == 7)
        #expect(first.options.precision == 2)
        #expect(first.options.worksheet == .gradients)
        #expect(first.options.title == "Add then multiply")
        #expect(l.circuits[1].options.check && l.circuits[1].options.expand == .all)
        // Prose is kept as written, other code blocks included.
        let prose = l.segments.compactMap { if case .prose(let p) = $0 { return p } else { return nil } }
        #expect(prose.count == 2)
        #expect(prose[1].contains("```python\nprint(\"not a circuit\")\n```"))
    }

    @Test func errorsHaveFileLineAndColumn() throws {
        let badOption = Self.sample.replacingOccurrences(of: "check expand", with: "check expnad")
        let e1 = try #require(catching { try lesson(badOption) })
        #expect(e1.location == "lessons/01-chain.md:19:20")
        #expect(e1.message == "unknown option 'expnad'")
        #expect(e1.help == "did you mean 'expand'?")

        let badExpression = Self.sample.replacingOccurrences(of: "f = q * z", with: "f = q * sigmod(z)")
        let l = try lesson(badExpression)
        let e2 = try #require(catching { _ = try LessonBuilder().build(l) })
        #expect(e2.location == "lessons/01-chain.md:10:9")
        #expect(e2.description.contains("10 | f = q * sigmod(z)\n   |         ^^^^^^"))

        let unterminated = "Intro\n\n```gradtrace\nf = x * 2\n"
        let e3 = try #require(catching { try lesson(unterminated) })
        #expect(e3.location == "lessons/01-chain.md:3:1")
        #expect(e3.message == "this gradtrace block is never closed")

        let missing = "```gradtrace\nf = x * y\n```\n"
        let e4 = try #require(catching { _ = try LessonBuilder().build(try lesson(missing)) })
        #expect(e4.message == "no value for variable 'x'")
        #expect(e4.location == "lessons/01-chain.md:2:5")

        let frontMatter = "---\ntitel: x\n---\n"
        let e5 = try #require(catching { try lesson(frontMatter) })
        #expect(e5.help == "did you mean 'title'?")
    }

    @Test func slugsCannotLeaveTheOutputFolder() throws {
        for slug in ["../x", "/etc", "a/b", ".", "..", ""] {
            let text = "---\nslug: \(slug)\n---\n```gradtrace\nx = 1\nf = x * 2\n```\n"
            let error = catching { try lesson(text) }
            #expect(error != nil, "slug '\(slug)' was accepted")
        }
        let dir = try temporaryDirectory()
        let folder = OutputFolder(root: dir.path)
        #expect(throws: OutputFolder.Failure.self) { try folder.write([OutputFile(path: "../escape.txt", text: "x")], into: "lesson") }
        #expect(throws: OutputFolder.Failure.self) { try folder.write([OutputFile(path: "/tmp/escape.txt", text: "x")], into: "lesson") }
        #expect(throws: OutputFolder.Failure.self) { try folder.write([OutputFile(path: "a.txt", text: "x")], into: "../up") }
        // A lesson folder that is a symbolic link to elsewhere is refused, not written through.
        let elsewhere = try temporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("linked").path, withDestinationPath: elsewhere.path)
        #expect(throws: OutputFolder.Failure.self) { try folder.write([OutputFile(path: "a.txt", text: "x")], into: "linked") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.deletingLastPathComponent().appendingPathComponent("escape.txt").path))
    }

    @Test func aBrokenLessonLeavesItsPreviousOutputAndOthersStillBuild() throws {
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        let a = src.appendingPathComponent("a.md"), b = src.appendingPathComponent("b.md")
        try "```gradtrace worksheet\nx = 3\nf = x * x\n```\n".write(to: a, atomically: true, encoding: .utf8)
        try "```gradtrace\ny = 2\nf = exp(y)\n```\n".write(to: b, atomically: true, encoding: .utf8)
        let build = LessonBuild()
        let first = try build.run(files: [a.path, b.path], output: out.path, writeIndex: true)
        #expect(first.allSatisfy { $0.error == nil })
        let before = try snapshot(out.appendingPathComponent("a"))
        #expect(before.keys.contains("answer-key.html"))

        try "```gradtrace worksheet\nx = 3\nf = x * * x\n```\n".write(to: a, atomically: true, encoding: .utf8)
        try "```gradtrace\ny = 1\nf = exp(y)\n```\n".write(to: b, atomically: true, encoding: .utf8)
        let second = try build.run(files: [a.path, b.path], output: out.path, writeIndex: true)
        #expect(second[0].error?.location == "\(a.path):3:9")
        #expect(second[1].error == nil && second[1].report?.written ?? 0 > 0, "b was rebuilt")
        #expect(try snapshot(out.appendingPathComponent("a")) == before, "a's output is untouched")
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: out.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func rebuildingChangesNoByte() throws {
        let src = try temporaryDirectory(), out = try temporaryDirectory()
        try Self.sample.write(to: src.appendingPathComponent("01-chain.md"), atomically: true, encoding: .utf8)
        let build = LessonBuild()
        _ = try build.run(files: [src.appendingPathComponent("01-chain.md").path], output: out.path, writeIndex: true)
        let first = try snapshot(out)
        let again = try build.run(files: [src.appendingPathComponent("01-chain.md").path], output: out.path, writeIndex: true)
        #expect(again[0].report?.written == 0)
        #expect(try snapshot(out) == first)
    }

    @Test func answerKeyHasTheTracesNumbers() throws {
        let l = try lesson()
        let files = try LessonBuilder().build(l)
        let key = try #require(files.first { $0.path == "answer-key.html" }).text
        let sheet = try #require(files.first { $0.path == "worksheet.html" }).text
        let t = try Tracer().trace(try Parser.parse(l.circuits[0].source))
        let two = NumberFormat(precision: 2)
        let labels = Labels(t.graph)
        for i in 0..<t.graph.count {
            let row = "<tr><td>\(labels[i])</td>"
            let keyRow = try #require(key.components(separatedBy: "\n").first { $0.contains(row) }, "\(labels[i]) in the key")
            #expect(keyRow.contains("<span class=\"value\">\(two(t.values[i]))</span>"))
            #expect(keyRow.contains("<span class=\"gradient\">\(two(t.gradients[i]))</span>"))
            let sheetRow = try #require(sheet.components(separatedBy: "\n").first { $0.contains(row) })
            #expect(!sheetRow.contains("class=\"gradient\""), "the worksheet leaves gradients blank")
            #expect(sheetRow.contains("<span class=\"blank\"></span>"))
        }
        #expect(!sheet.contains("∇ &#45;4.00"), "no gradient in the worksheet's diagram")
        #expect(key.contains("∇ &#45;4.00"))  // Graphviz writes - as &#45;
    }

    @Test func valuesWorksheetBlanksEverythingButTheInputs() throws {
        let l = try lesson("```gradtrace worksheet=values precision=2\nx = 3; y = -1\nq = x * y\nf = q + x\n```\n")
        let files = try LessonBuilder().build(l)
        let sheet = try #require(files.first { $0.path == "worksheet.html" }).text
        let rows = sheet.components(separatedBy: "\n").filter { $0.hasPrefix("<tr><td>") && $0.contains("<code>") }
        #expect(rows.count == 4)
        for row in rows {
            let isInput = row.contains("<code>input</code>")
            #expect(row.contains("class=\"value\"") == isInput, "\(row)")
            #expect(row.components(separatedBy: "class=\"blank\"").count - 1 == (isInput ? 1 : 2))
        }
        #expect(sheet.contains("Fill in every value and every gradient"))
    }

    @Test func seededVariantsAreReproducibleAndDiffer() throws {
        let l = try lesson()
        func key(_ seed: UInt64?) throws -> String { try #require(try LessonBuilder(seed: seed).build(l).first { $0.path == "answer-key.html" }).text }
        func sheet(_ seed: UInt64) throws -> String { try #require(try LessonBuilder(seed: seed).build(l).first { $0.path == "worksheet.html" }).text }
        #expect(try sheet(7) == sheet(7))
        #expect(try key(7) == key(7))
        #expect(try sheet(7) != sheet(8))
        #expect(try key(7) != key(nil))
        // The variant's key is the trace of the variant's inputs.
        let graph = try Parser.parse(l.circuits[0].source)
        let values = try Variant(seed: 7).values(for: graph, rules: l.circuits[0].options.variant, format: NumberFormat(.decimals(2)), salt: l.slug).get()
        #expect(values != ["x": -2, "y": 5, "z": -4])
        let t = try Tracer(bindings: values).trace(graph)
        #expect(try key(7).contains("Output f = <span class=\"value\">\(NumberFormat(precision: 2)(t.output))</span>"))
    }

    @Test func pagesAreSelfContained() throws {
        let files = try LessonBuilder().build(try lesson())
        for file in files where file.path.hasSuffix(".html") {
            // XML namespace names are identifiers, not addresses anything fetches.
            let html = file.text.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
                .replacingOccurrences(of: "xmlns:xlink=\"http://www.w3.org/1999/xlink\"", with: "")
            for pattern in ["http://", "https://", "src=\"//", "href=\"//", "@import", "url("] {
                #expect(!html.contains(pattern), "\(file.path) contains \(pattern)")
            }
            #expect(!html.contains("<b>raw html</b>"), "raw HTML in prose is shown as text")
        }
        let stepper = try #require(files.first { $0.path == "stepper.html" }).text
        // One forward frame and one frame per backward step, for each circuit.
        let l = try lesson()
        let expected = try l.circuits.reduce(0) { $0 + 1 + (try Tracer().trace(try Parser.parse($1.source, expansion: $1.options.expand))).steps.count }
        #expect(expected == 1 + 2 + 1 + 5)
        #expect(stepper.components(separatedBy: "<section class=\"frame\"").count - 1 == expected)
        #expect(stepper.contains("addEventListener('keydown'"))
    }

    @Test func proseMathBecomesText() {
        #expect(Prose.unicodeMath("\\frac{\\partial f}{\\partial x} = \\sigma(x)(1 - \\sigma(x))") == "∂f/∂x = σ(x)(1 - σ(x))")
        #expect(Prose.mathHTML("E = \\tfrac12 (t_1 - o_{out})^2 + \\frac{\\partial E}{\\partial w_5} < x") == "E = ½ (t<sub>1</sub> - o<sub>out</sub>)<sup>2</sup> + ∂E/∂w<sub>5</sub> &lt; x")
        let html = Prose.html("Use $a_1 * b_2$ and *emphasis*.")
        #expect(html.contains("<span class=\"math\">a<sub>1</sub> * b<sub>2</sub></span>"))
        #expect(html.contains("<em>emphasis</em>"))
    }
}

func catching(_ body: () throws -> Void) -> Diagnostic? {
    do { try body(); return nil } catch { return error as? Diagnostic }
}

/// Every file under `url`, by relative path, with its bytes.
func snapshot(_ url: URL) throws -> [String: Data] {
    var result: [String: Data] = [:]
    for path in try FileManager.default.subpathsOfDirectory(atPath: url.path) {
        let full = url.appendingPathComponent(path)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: full.path, isDirectory: &isDir), !isDir.boolValue {
            result[path] = try Data(contentsOf: full)
        }
    }
    return result
}

extension OutputFile {
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
