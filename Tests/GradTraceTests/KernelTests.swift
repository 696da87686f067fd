import Foundation
import Testing
@testable import GradTrace

/// One backward kernel: `explain` (the Tracer), the gradient check, training (the Evaluator)
/// and collapsed defs give bit-identical gradients, with one rule for 0 × inf and nan.
@Suite struct KernelTests {
    static let corpus: [(String, [String: Double])] = [
        ("x*y", ["x": 3, "y": -4]),
        ("max(x, log(y))", ["x": 5, "y": 0]),           // log(0) = -inf on the wire max does not pick
        ("max(x, log(y))", ["x": -5, "y": 0]),
        ("1/x + y", ["x": 0, "y": 1]),                   // 1/0 = inf, gradient -inf
        ("log(x) * 0 + y", ["x": 0, "y": 2]),
        ("relu(x) * 1/y", ["x": -1, "y": 0]),            // relu passes no gradient into an inf upstream
        ("exp(x) * y", ["x": 800, "y": 0]),               // overflow times zero
        ("sqrt(x) + abs(y)", ["x": 0, "y": 0]),
        ("x^y", ["x": -2, "y": 0.5]),                     // nan
        ("softplus(x) + elu(y, 0.5) + leaky_relu(x - y)", ["x": 0.3, "y": -1.2]),
        ("min(x, y, 0) * tanh(x) + sigmoid(y) * sin(x) * cos(y)", ["x": 0.7, "y": -0.2]),
        ("def sq(a) = a*a; def g(a, b, c) = { q = a*b; q + c }; sq(x) + g(x, y, sq(y)) + g(y, y, x)", ["x": 1.5, "y": -0.5]),
        ("q = x*y; r = q + x; f = r * q * y", ["x": 1e200, "y": 1e200]),
    ]

    /// Bit patterns, with every nan the same (an optimiser may swap a product's operands,
    /// which changes only a nan's payload).
    static func bits(_ values: [Double]) -> [UInt64] { values.map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern } }

    @Test(arguments: 0..<corpus.count)
    func everyPathGivesBitIdenticalGradients(index: Int) throws {
        let (text, bindings) = Self.corpus[index]
        for expansion in [Graph.Expansion.none, .all] {
            let graph = try Parser.parse(SourceText(text), expansion: expansion)
            let trace = try Tracer(bindings: bindings).trace(graph)
            // Training's evaluator.
            var evaluator = Evaluator(graph: graph, inputs: try Tracer(bindings: bindings).inputValues(for: graph))
            evaluator.run()
            #expect(Self.bits(evaluator.gradients) == Self.bits(trace.gradients), "\(text), expansion \(expansion)")
            // The trainer's first step reports the gradients at the starting point.
            let names = graph.inputNames
            let run = try Trainer(parameters: names, learningRate: 1e-9, steps: 1).train(graph, bindings: bindings)
            if let first = run.history.first {
                #expect(Self.bits(first.gradients) == Self.bits(graph.inputs.map { trace.gradients[$0] }), "\(text): training")
            }
            // The gradient check compares against the same numbers.
            let check = GradientCheck(trace)
            for e in check.entries { #expect(Self.bits([e.analytic]) == Self.bits([trace.gradients[e.node]])) }
        }
    }

    @Test func aWireThatCarriesNoGradientContributesNothing() throws {
        // max picks x; log(0) = -inf has local gradient 1/0 = inf, but its upstream is 0.
        let t = try trace("max(x, log(y))", ["x": 5, "y": 0])
        #expect(t.gradient(of: "x") == 1)
        #expect(t.gradient(of: "y") == 0)
        var evaluator = Evaluator(graph: t.graph, inputs: try Tracer(bindings: ["x": 5, "y": 0]).inputValues(for: t.graph))
        evaluator.run()
        #expect(evaluator.gradients[t.graph.input(named: "y")!] == 0)
        // A gate that passes no gradient stops an infinite upstream: relu at -1 under 1/0.
        let u = try trace("relu(x) * (1/y)", ["x": -1, "y": 0])
        #expect(u.gradient(of: "x") == 0)
        // Any other product follows IEEE 754: inf × finite is inf, nan spreads.
        #expect(try trace("1/x", ["x": 0]).gradient(of: "x") == -.infinity)
        #expect(try trace("x^y", ["x": -2, "y": 0.5]).gradient(of: "x")!.isNaN)
        #expect(Backward.product(0, .infinity) == 0 && Backward.product(.nan, 0) == 0 && Backward.product(2, .infinity) == .infinity)
    }

    @Test func theGradientCheckRejectsACorruptedTrace() throws {
        let t = try trace("q = x*y + sigmoid(x); f = q * y", ["x": 0.4, "y": -1.3])
        #expect(GradientCheck(t).allPassed)
        var gradients = t.gradients
        let x = t.graph.input(named: "x")!
        gradients[x] *= 1.001
        let corrupted = GradientCheck(t.replacingGradients(gradients))
        #expect(!corrupted.allPassed)
        #expect(corrupted.entries.first { $0.node == x }?.passed == false)
    }

    @Test func aKinkExcusesOnlyTheNodesBelowIt() throws {
        // relu(a) sits at its kink; b*c does not lead through it, so b and c are still checked.
        let t = try trace("relu(a) + b*c", ["a": 0, "b": 2, "c": 3])
        let check = GradientCheck(t)
        let a = t.graph.input(named: "a")!, b = t.graph.input(named: "b")!
        #expect(check.entries.first { $0.node == a }?.atKink == true)
        #expect(check.entries.first { $0.node == b }?.atKink == false)
        var gradients = t.gradients
        gradients[b] = 99
        #expect(!GradientCheck(t.replacingGradients(gradients)).allPassed, "a kink elsewhere must not hide a wrong gradient")
    }

    @Test func theCheckSamplesLargeCircuitsUnlessAskedForAll() throws {
        let text = (1...1500).map { "a\($0)*b\($0)" }.joined(separator: " + ")
        let graph = try Parser.parse(text)
        var bindings: [String: Double] = [:]
        for name in graph.inputNames { bindings[name] = 0.5 }
        let t = try Tracer(bindings: bindings).trace(graph)
        let sampled = GradientCheck(t)
        #expect(sampled.checked == GradientCheck.defaultLimit && sampled.candidates > GradientCheck.defaultLimit)
        #expect(sampled.entries.contains { $0.node == graph.output })
        #expect(GradientCheck(t, all: true).checked == sampled.candidates)
    }
}
