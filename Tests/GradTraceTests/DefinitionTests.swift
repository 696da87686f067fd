import Foundation
import Testing
@testable import GradTrace

/// `def`: a composite gate of the user's own, the same kind of thing as σ or relu.
@Suite struct DefinitionTests {
    static let cases: [(String, [String: Double], String)] = [
        ("def softplus2(x) = log(1 + exp(x)); f = softplus2(w*x) * x", ["w": 2, "x": 0.5], "softplus2"),
        ("def r(x) = max(x, 0); f = r(a) * b + r(b)", ["a": 0, "b": 0], "r"),              // kinks: ties at 0
        ("def g(a, b, c) = a*b + c; f = g(x, y, z) * g(z, x, x)", ["x": 1.5, "y": -2, "z": 0.25], "g"),
        ("def h(x) = { q = x*x\n  sigmoid(q) - q }\nf = h(u) + h(-u)", ["u": 0.3], "h"),
        ("def f1(x) = x*x + 1; def f2(x) = f1(f1(x)) * x; out = f2(t) + f1(t)", ["t": -0.7], "f2"),
    ]

    @Test(arguments: 0..<cases.count)
    func aDefEqualsItsExpansion(index: Int) throws {
        let (text, bindings, name) = Self.cases[index]
        let collapsed = try Tracer(bindings: bindings).trace(Parser.parse(SourceText(text)))
        #expect(collapsed.graph.nodes.contains { collapsed.graph.kind(of: $0.gate).name == name }, "drawn as one gate")
        for expansion in [Graph.Expansion.only([name]), .all] {
            let expanded = try Tracer(bindings: bindings).trace(Parser.parse(SourceText(text), expansion: expansion))
            #expect(!expanded.graph.nodes.contains { expanded.graph.kind(of: $0.gate).name == name }, "drawn as its body")
            #expect(!expanded.graph.calls.isEmpty)
            #expect(relativeDifference(collapsed.output, expanded.output) < 1e-15, "\(text)")
            for input in collapsed.graph.inputNames {
                let g1 = try #require(collapsed.gradient(of: input)), g2 = try #require(expanded.gradient(of: input))
                #expect(abs(g1 - g2) <= 1e-14 * max(1, abs(g1)), "∂/∂\(input) of \(text): \(g1) vs \(g2)")
            }
            #expect(GradientCheck(expanded).allPassed)
        }
        #expect(GradientCheck(collapsed).allPassed)
    }

    @Test func theLocalGradientIsStatedThroughTheBody() throws {
        let t = try trace("def softplus2(x) = log(1 + exp(x)); f = softplus2(w*x)", ["w": 2, "x": 0.5])
        let w = Walkthrough(t)
        let step = w.step(1)
        #expect(step.wires[0].rule == "(1/(exp(w*x) + 1))·exp(w*x)")
        #expect(step.notes.contains { $0.contains("backpropagating through its body, log(1 + exp(x))") })
        let g = try trace("def g(a, b) = { q = a*b; q + a }; g(x, y)", ["x": 2, "y": 3])
        #expect(Walkthrough(g).step(1).wires.map(\.rule) == ["1 + y", "x"])
    }

    @Test func expandedCallsAreGroupedAndNamed() throws {
        let t = try trace("def sq(a) = a*a; f = sq(x + 1)", ["x": 2], expand: true)
        let call = try #require(t.graph.calls.first)
        #expect(Walkthrough(t).callText(call) == "sq(x + 1)")
        let dot = DotRenderer.render(t)
        #expect(dot.contains("subgraph cluster_call0") && dot.contains("label=<sq(x + 1)>"))
        let steps = (1...t.steps.count).map { Walkthrough(t).step($0) }
        #expect(steps.contains { $0.notes.contains("part of sq(x + 1), drawn as its body") })
    }

    @Test(arguments: [
        ("def f(x) = x + y\nf(2)", "'y' is not a parameter of 'f'", 1, 16),
        ("def f(x) = f(x) + 1\nf(2)", "'f' cannot call itself", 1, 12),
        ("def exp(x) = x\nexp(1)", "'exp' is a built-in function and cannot be redefined", 1, 5),
        ("def f(x) = x*x\nf(1, 2)", "f takes one argument, got 2", 2, 1),
        ("def f(x) = x*x\ndef f(y) = y\nf(1)", "'f' is defined twice", 2, 5),
        ("def f(x, x) = x\nf(1)", "parameter 'x' is listed twice", 1, 10),
        ("def f(x) = 2\nf(1)", "the body of 'f' must compute something from its parameters", 1, 12),
        ("def f(x) = { q = x*x\nq + 1", "expected '}' to close the body of 'f' opened on line 1", 2, 6),
    ])
    func definitionErrorsPointAtTheirPlace(text: String, message: String, line: Int, column: Int) throws {
        let d = try #require(diagnostic(text))
        #expect(d.message == message)
        #expect((d.line, d.column) == (line, column), "\(message)")
        #expect(d.description.contains("^"))
    }

    @Test func aDefBodyCannotGrowWithoutBound() throws {
        var text = "def f0(x) = x*x + 1\n"
        for k in 1...20 { text += "def f\(k)(x) = f\(k - 1)(f\(k - 1)(x))\n" }
        text += "f20(y)"
        let d = try #require(diagnostic(text, ["y": 1]))
        #expect(d.message.contains("more than \(GraphBuilder.maxDefinitionSize) gates"))
    }
}
