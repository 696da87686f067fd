import Testing
import GradTrace

@Suite struct ExpressionAPITests {
    @Test func operatorsBuildTheSameCircuitAsText() throws {
        let x = Formula.variable("x"), y = Formula.variable("y"), z = Formula.variable("z")
        let q = (x + y).named("q")
        let trace = try (q * z).trace(["x": -2, "y": 5, "z": -4])
        #expect(trace.output == -12)
        #expect(trace.gradient(of: "x") == -4)
        #expect(trace.gradient(of: "z") == 3)
        #expect(trace.value(of: "q") == 3)
        #expect(trace.steps.count == 2)
    }

    @Test func reusingAValueIsAFork() throws {
        let a = Formula.variable("a"), b = Formula.variable("b")
        let s = a + b
        let trace = try (s * s).trace(["a": 1, "b": 2])
        #expect(trace.graph.gateCount == 2, "s is one node used twice")
        #expect(trace.gradient(of: "a") == 6)
    }

    @Test func neuronFromOperators() throws {
        let w0 = Formula.variable("w0"), x0 = Formula.variable("x0"), w1 = Formula.variable("w1")
        let x1 = Formula.variable("x1"), w2 = Formula.variable("w2")
        let f = 1 / (1 + Formula.exp(-(w0 * x0 + w1 * x1 + w2)))
        let t = try f.trace(["w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3])
        #expect(t.graph.nodes.indices.filter { !t.graph.nodes[$0].gate.isLeaf }.map { t.graph.kind($0).symbol(t.graph.nodes[$0].gate.parameter) } == ["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"])
        #expect(t.output == 0.7310585786300049)
        let g = Formula.sigmoid(w0 * x0 + w1 * x1 + w2)
        #expect(try g.trace(["w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3]).gradient(of: "x1") == -0.5898357997244456)
    }

    @Test func aVeryDeepExpressionNeitherRecursesNorCrashes() throws {
        let x = Formula.variable("x")
        var e = x
        for _ in 0..<100_000 { e = Formula.relu(e * 1.0001 + 0.001) }
        let t = try e.trace(["x": 1])
        #expect(t.graph.gateCount == 300_000)
        #expect(t.output > 1 && t.output.isFinite)
        #expect(t.gradient(of: "x")! > 1)
    }
}
