import Testing
@testable import GradTrace

/// A variable used twice is two wires with two contributions, never one.
@Suite struct ForkTests {
    @Test func squareIsTwoWires() throws {
        let t = try trace("x * x", ["x": 3])
        let f = t.graph.output
        #expect(t.graph.nodes[f].a == t.graph.nodes[f].b)
        #expect(t.contribution(f, 0) == 3)
        #expect(t.contribution(f, 1) == 3)
        #expect(t.gradient(of: "x") == 6)
        let w = Walkthrough(t)
        #expect(w.forkTerms(t.graph.input(named: "x")!) == [3, 3])
    }

    @Test func productOfSumAndProduct() throws {
        // f = (a+b)*(a*b): df/da = (a*b) + (a+b)*b, df/db = (a*b) + (a+b)*a
        let (a, b) = (2.0, -3.0)
        let t = try trace("(a+b)*(a*b)", ["a": a, "b": b])
        #expect(t.gradient(of: "a") == a * b + (a + b) * b)
        #expect(t.gradient(of: "b") == a * b + (a + b) * a)
        let w = Walkthrough(t)
        #expect(w.forkTerms(t.graph.input(named: "a")!)?.count == 2)
        #expect(w.forkTerms(t.graph.input(named: "b")!)?.count == 2)
    }

    @Test func chainOfDoublings() throws {
        let t = try trace("a=1; b=a+a; c=b+b")
        #expect(t.output == 4)
        #expect(t.gradient(of: "a") == 4)
        let b = try #require(node(t, "b"))
        #expect(t.gradients[b] == 2)
        let w = Walkthrough(t)
        #expect(w.forkTerms(b) == [1, 1])
        #expect(w.forkTerms(t.graph.input(named: "a")!) == [2, 2])
    }

    @Test func backwardTwiceIsIdentical() throws {
        let graph = try Parser.parse("(a+b)*(a*b) + exp(a)")
        let tracer = Tracer(bindings: ["a": 0.5, "b": -1.25])
        let first = try tracer.trace(graph)
        let second = try tracer.trace(graph)
        #expect(first.gradients == second.gradients)
        #expect(first.contributions == second.contributions)
        #expect(first.values == second.values)
    }

    @Test func gradientCheckPassesOnForks() throws {
        let t = try trace("(a+b)*(a*b) + a*a*a", ["a": 0.7, "b": -1.3])
        let check = GradientCheck(t)
        #expect(check.allPassed)
        #expect(check.entries.count == t.graph.count)
    }
}
