import Foundation
import Testing
@testable import GradTrace

/// The TikZ picture: placed where Graphviz puts the diagram, and it compiles. pdflatex (Debian's
/// texlive-latex-base and texlive-pictures, which `.ci/run` installs) must be there on CI; off CI
/// a machine without it skips the compiling tests.
@Suite struct TikZTests {
    static let pdflatex = ["/usr/bin/pdflatex", "/usr/local/bin/pdflatex"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let onCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static func trace(_ text: String = "e = (a + b) * (b + 1)", _ bindings: [String: Double] = ["a": 2, "b": 1]) throws -> Trace {
        try Tracer(bindings: bindings).trace(try Parser.parse(SourceText(text)))
    }

    @Test func pdflatexIsThereOnCI() {
        #expect(!Self.onCI || (Self.pdflatex != nil && Self.pdftotext != nil), "CI must install texlive-latex-base, texlive-pictures and poppler-utils (.ci/run does)")
    }

    @Test func positionsComeFromTheGraphvizLayout() throws {
        let t = try Self.trace()
        let layout = try Graphviz.layout(dot: DotRenderer.render(t))
        let tex = TikZRenderer.render(t, layout: layout, options: DotOptions(), tex: .init())
        for i in t.graph.nodes.indices where !t.graph.nodes[i].gate.isLeaf {
            let p = try #require(layout.nodes["n\(i)"])
            #expect(tex.contains("(n\(i)) at (\(TikZRenderer.num(p.x)),\(TikZRenderer.num(p.y)))"))
        }
        // Every wire of the DOT has its spline and label: 5 uses, the fork's trunk, the output.
        #expect(layout.edges.count == 7)
        #expect(tex.components(separatedBy: "\\node[wire label]").count - 1 == 7)
        #expect(tex.contains("$\\nabla\\,\\mathit{5 = 3 + 2}$"), "the fork's sum, as the diagram shows it")
    }

    /// Compiles `tex` in a temporary folder and returns the page's text.
    static func compile(_ tex: String, name: String = "circuit") throws -> String {
        let dir = try temporaryDirectory()
        try tex.write(to: dir.appendingPathComponent("\(name).tex"), atomically: true, encoding: .utf8)
        let latex = Process()
        latex.executableURL = URL(fileURLWithPath: try #require(pdflatex))
        latex.arguments = ["-interaction=nonstopmode", "-halt-on-error", "\(name).tex"]
        latex.currentDirectoryURL = dir
        latex.standardOutput = FileHandle.nullDevice
        try latex.run()
        latex.waitUntilExit()
        let log = (try? String(contentsOf: dir.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
        #expect(latex.terminationStatus == 0, "pdflatex failed:\n\(log.suffix(2000))")
        let out = dir.appendingPathComponent("\(name).txt")
        let text = Process()
        text.executableURL = URL(fileURLWithPath: try #require(pdftotext))
        text.arguments = [dir.appendingPathComponent("\(name).pdf").path, out.path]
        try text.run()
        text.waitUntilExit()
        return try String(contentsOf: out, encoding: .utf8)
    }

    @Test(.enabled(if: pdflatex != nil || onCI))
    func theStandaloneDocumentCompilesToOnePageWithTheWireValues() throws {
        let t = try Self.trace()
        let text = try Self.compile(try TikZRenderer.render(t))
        for s in ["6", "∇1", "∇5 = 3 + 2", "∇2", "∇3"] { #expect(text.contains(s), "\(s) in:\n\(text)") }
        #expect(!text.contains("\u{0C}\u{0C}"), "one page")
        #expect(text.components(separatedBy: "\u{0C}").count <= 2, "one page")
    }

    @Test(.enabled(if: pdflatex != nil || onCI))
    func forwardModeAndAWideCircuitCompile() throws {
        var options = DotOptions()
        let t = try Self.trace()
        options.tangentWith = t.graph.input(named: "b")
        let forward = try Self.compile(try TikZRenderer.render(t, options: options))
        #expect(forward.contains("∂/∂b = 5") && forward.contains("∂/∂b = 0"), "\(forward)")
        // Composites, a def box, constants, generated names, negative and tiny numbers.
        let wide = try Self.trace("def sq(u) = u*u; h = sigmoid(w0*x0 + w1*x1 + w2); f = sq(h) - 3e-7*relu(x0) + max(x1, -2)",
                                  ["w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3])
        let text = try Self.compile(try TikZRenderer.render(wide))
        #expect(text.contains("0.7311"), "\(text)")
        // An expanded call is drawn as its body in a labelled box, as in the diagram.
        let expanded = try Tracer(bindings: ["w": 2, "x": -1]).trace(try Parser.parse(SourceText("sigmoid(w*x)"), expansion: .all))
        let boxed = try TikZRenderer.render(expanded)
        #expect(boxed.contains("\\draw[call]"))
        #expect(try Self.compile(boxed).contains("0.1192"))
        // Names pdflatex cannot read as they are: Greek letters, subscript digits, underscores.
        let names = try Self.trace("θ * w₁ + x_1 * exp(θ)", ["θ": 0.5, "w₁": 2, "x_1": -1])
        let named = try Self.compile(try TikZRenderer.render(names))
        #expect(named.contains("θ") && named.contains("exp"), "\(named)")
    }

    @Test(.enabled(if: pdflatex != nil || onCI))
    func beamerOverlaysGiveOneSlidePerStep() throws {
        let t = try Self.trace()
        let picture = try TikZRenderer.render(t, tex: .init(overlays: true))
        #expect(picture.contains("\\only<4>{") && !picture.contains("\\documentclass"))
        let preamble = picture.split(separator: "\n").filter { $0.hasPrefix("%   ") && !$0.contains("usepackage{tikz}") }.map { $0.dropFirst(4) }.joined(separator: "\n")
        let document = "\\documentclass{beamer}\n\\usepackage{tikz}\n\(preamble)\n\\begin{document}\n\\begin{frame}\n\(picture)\\end{frame}\n\\end{document}\n"
        let text = try Self.compile(document, name: "slides")
        let slides = text.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        #expect(slides.count == 4, "the forward pass and three backward steps:\n\(text)")
        #expect(!slides[0].contains("∇") && slides[3].contains("∇5 = 3 + 2"))
    }
}

/// `--format latex`: the walkthrough as align* blocks. It compiles inside a Beamer frame, and
/// every product it shows adds up at its digits, as in the other views.
@Suite struct LaTeXViewTests {
    static let cases: [(String, [String: Double], ExplainOptions)] = [
        ("q = x + y; f = q * z", ["x": -2, "y": 5, "z": -4], ExplainOptions()),
        ("1/(1 + exp(-(w0*x0 + w1*x1 + w2)))", ["w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3], ExplainOptions(format: NumberFormat(.decimals(2)))),
        ("e = (a + b) * (b + 1)", ["a": 2, "b": 1], ExplainOptions()),
    ]

    @Test func itsEquationsAddUp() throws {
        for (text, bindings, options) in Self.cases {
            let trace = try Tracer(bindings: bindings).trace(try Parser.parse(SourceText(text)))
            var tex = ""
            LaTeXRenderer.render(trace, options: options, to: &tex)
            let (found, checked) = EquationScanner.scan(tex)
            #expect(found.isEmpty, "\(text): \(found)")
            #expect(checked >= trace.steps.count, "\(text): \(checked) equations")
            #expect(tex.components(separatedBy: "\\begin{align*}").count == tex.components(separatedBy: "\\end{align*}").count)
        }
    }

    @Test(.enabled(if: TikZTests.pdflatex != nil || TikZTests.onCI))
    func itCompilesInABeamerFrame() throws {
        let trace = try Tracer(bindings: ["a": 2, "b": 1]).trace(try Parser.parse(SourceText("e = (a + b) * (b + 1)")))
        var tex = ""
        LaTeXRenderer.render(trace, options: ExplainOptions(), to: &tex)
        let deck = "\\documentclass{beamer}\n\\begin{document}\n\\begin{frame}[allowframebreaks]{Backprop}\n\\small\n" + tex + "\\end{frame}\n\\end{document}\n"
        let page = try TikZTests.compile(deck, name: "deck")
        #expect(page.contains("Backward pass"))
        #expect(page.contains("Gradients"))
    }
}
