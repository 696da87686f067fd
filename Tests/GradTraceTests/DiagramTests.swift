import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import GradTrace

@Suite struct DiagramTests {
    static let neuronInputs = ReferenceNumbersTests.neuronInputs

    /// Golden DOT files: set GRADTRACE_RECORD=1 to rewrite them after an intended change.
    @Test(arguments: [
        ("addmul", "(x + y) * z", false, nil as Int?),
        ("neuron-one-gate", "sigmoid(w0*x0 + w1*x1 + w2)", false, 2),
        ("neuron-expanded", "sigmoid(w0*x0 + w1*x1 + w2)", true, 2),
        ("neuron-typed", ReferenceNumbersTests.neuron, false, 2),
    ])
    func dotMatchesGoldenFile(name: String, text: String, expand: Bool, precision: Int?) throws {
        let bindings = text.contains("w0") ? Self.neuronInputs : ["x": -2, "y": 5, "z": -4]
        let t = try trace(text, bindings, expand: expand)
        let format = precision.map { NumberFormat(.decimals($0)) } ?? NumberFormat.diagram
        let dot = DotRenderer.render(t, options: DotOptions(format: format))
        let url = packageRoot.appendingPathComponent("Tests/GradTraceTests/Golden/\(name).dot")
        if ProcessInfo.processInfo.environment["GRADTRACE_RECORD"] != nil {
            try dot.write(to: url, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(dot == golden, "DOT for \(name) changed; if intended, run GRADTRACE_RECORD=1 swift test")
    }

    /// Every wire of the rendered neuron SVG reads as the published figure.
    @Test(arguments: [false, true])
    func neuronSVGWireLabelsMatchThePublishedTable(expand: Bool) throws {
        let text = expand ? "sigmoid(w0*x0 + w1*x1 + w2)" : ReferenceNumbersTests.neuron
        let t = try trace(text, Self.neuronInputs, expand: expand)
        let svg = try Graphviz.render(dot: DotRenderer.render(t, options: DotOptions(format: NumberFormat(precision: 2))), format: .svg)
        let edges = try SVGEdges.parse(svg)
        // The wire leaving each node: (value, gradient) at 2 decimals, from the published table.
        let expected: [(Int, String, String)] = [
            (t.graph.input(named: "w0")!, "2.00", "-0.20"), (t.graph.input(named: "x0")!, "-1.00", "0.39"),
            (t.graph.input(named: "w1")!, "-3.00", "-0.39"), (t.graph.input(named: "x1")!, "-2.00", "-0.59"),
            (t.graph.input(named: "w2")!, "-3.00", "0.20"),
        ]
        var wires = expected
        let gates = (0..<t.graph.count).filter { !t.graph.nodes[$0].gate.isLeaf }
        let published: [(String, String)] = [("-2.00", "0.20"), ("6.00", "0.20"), ("4.00", "0.20"), ("1.00", "0.20"),
                                             ("-1.00", "-0.20"), ("0.37", "-0.53"), ("1.37", "-0.53"), ("0.73", "1.00")]
        #expect(gates.count == published.count)
        for (gate, (v, g)) in zip(gates, published) { wires.append((gate, v, g)) }
        for (node, value, gradient) in wires {
            let target = node == t.graph.output ? "out" : nil
            let labels = edges.filter { $0.from == "n\(node)" && (target == nil || $0.to == target) }.map(\.texts)
            #expect(labels.count == 1, "one wire from n\(node)")
            #expect(labels.first == [value, "∇ \(gradient)"], "wire from n\(node)")
        }
    }

    @Test func forkDrawsOneEdgePerUse() throws {
        let t = try trace("x * x + x", ["x": 3])
        let edges = try SVGEdges.parse(try Graphviz.render(dot: DotRenderer.render(t), format: .svg))
        let x = t.graph.input(named: "x")!
        let trunk = edges.filter { $0.from == "n\(x)" }
        #expect(trunk.count == 1 && trunk[0].to == "f\(x)", "x's wire runs to a fork point")
        #expect(trunk[0].texts == ["3", "∇ 7 = 1 + 3 + 3"])
        let branches = edges.filter { $0.from == "f\(x)" }
        #expect(branches.count == 3, "three uses, three wires")
        #expect(branches.map { $0.texts[1] }.sorted() == ["∇ 1", "∇ 3", "∇ 3"])
    }

    @Test func rendersAreByteIdenticalAndWellFormed() throws {
        let t = try trace("sigmoid(w0*x0 + w1*x1 + w2)", Self.neuronInputs)
        let dot = DotRenderer.render(t, options: DotOptions(title: "A neuron <with> \"quotes\" & </script>"))
        for format in Graphviz.Format.allCases {
            let first = try Graphviz.render(dot: dot, format: format)
            let second = try Graphviz.render(dot: dot, format: format)
            #expect(first == second, "\(format) differs between runs")
            switch format {
            case .svg:
                let parser = XMLParser(data: Data(first))
                #expect(parser.parse(), "SVG is well-formed XML")
                #expect(String(decoding: first, as: UTF8.self).contains("A neuron &lt;with&gt; &quot;quotes&quot; &amp; &lt;/script&gt;"))
            case .png:
                #expect(Array(first.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            case .pdf:
                #expect(Array(first.prefix(5)) == Array("%PDF-".utf8))
                let text = String(decoding: first, as: UTF8.self)
                #expect(text.contains("/CreationDate (D:20000101000000"))
                #expect(text.hasSuffix("%%EOF\n"))
            }
        }
    }

    @Test func pdfDateFixKeepsLength() {
        var bytes = Array("x /CreationDate (D:20261123135959+00'00) y".utf8)
        let count = bytes.count
        Graphviz.fixPDFDates(&bytes)
        #expect(bytes.count == count)
        #expect(String(decoding: bytes, as: UTF8.self) == "x /CreationDate (D:20000101000000+00'00) y")
    }

    @Test func framesRevealGradientsStepByStep() throws {
        let t = try trace("(x + y) * z", ["x": -2, "y": 5, "z": -4])
        let first = DotRenderer.render(t, options: DotOptions(frame: 1))
        let last = DotRenderer.render(t, options: DotOptions(frame: 2))
        // After step 1 only the multiply gate's inputs know their gradients; x and y do not.
        #expect(first.contains("Step 1 of 2"))
        #expect(!first.contains("∇ -4</i></font>>]\n  n1") )
        let xEdge = { (dot: String) in dot.split(separator: "\n").first { $0.hasPrefix("  n0 -> ") }.map(String.init) ?? "" }
        #expect(!xEdge(first).contains("∇"))
        #expect(xEdge(last).contains("∇ -4"))
        #expect(first.contains("fillcolor=\"#ffe08a\""))
    }

    @Test func noGradientsShowsValuesOnly() throws {
        let t = try trace("(x + y) * z", ["x": -2, "y": 5, "z": -4])
        let dot = DotRenderer.render(t, options: DotOptions(showGradients: false))
        #expect(!dot.contains("∇"))
        #expect(dot.contains(">-12<"))
    }
}

/// The edges of a Graphviz SVG: `<g class="edge"><title>n0&#45;&gt;n2</title>…<text>…</text></g>`.
final class SVGEdges: NSObject, XMLParserDelegate {
    struct Edge { var from: String; var to: String; var texts: [String] }
    private var edges: [Edge] = []
    private var inEdge = false, inTitle = false, inText = false
    private var title = "", text = "", texts: [String] = []

    static func parse(_ svg: [UInt8]) throws -> [Edge] {
        let delegate = SVGEdges()
        let parser = XMLParser(data: Data(svg))
        parser.delegate = delegate
        #expect(parser.parse(), "SVG parses as XML")
        return delegate.edges
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if name == "g", attributes["class"] == "edge" { inEdge = true; title = ""; texts = [] }
        if inEdge && name == "title" { inTitle = true }
        if inEdge && name == "text" { inText = true; text = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inTitle { title += string }
        if inText { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "title" { inTitle = false }
        if name == "text" && inText { inText = false; texts.append(text) }
        if name == "g" && inEdge {
            inEdge = false
            let parts = title.components(separatedBy: "->")
            edges.append(Edge(from: parts[0], to: parts.count > 1 ? parts[1] : "", texts: texts))
        }
    }
}
