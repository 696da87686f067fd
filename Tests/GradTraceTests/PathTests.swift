import Foundation
import Testing
@testable import GradTrace

/// The sum over paths: the count by dynamic programming equals a brute-force count, and the sum
/// of the paths' products equals the gradient backprop computes.
@Suite struct PathTests {
    static func trace(_ text: String, _ bindings: [String: Double]) throws -> Trace {
        try Tracer(bindings: bindings).trace(try Parser.parse(SourceText(text)))
    }

    /// Brute force: every sequence of wires, grown one wire at a time from x, that reaches the output.
    static func bruteForce(_ graph: Graph, from start: Int) -> Int {
        var partial: [[Int]] = [[start]]
        var complete = 0
        while let path = partial.popLast() {
            let last = path.last!
            if last == graph.output { complete += 1 }
            for consumer in 0..<graph.count {
                for slot in 0..<graph.arity(consumer) where graph.input(consumer, slot) == last {
                    partial.append(path + [consumer])
                }
            }
        }
        return complete
    }

    @Test func colahsFork() throws {
        let t = try Self.trace("e = (a + b) * (b + 1)", ["a": 2, "b": 1])
        let b = t.graph.input(named: "b")!
        let paths = Paths(t, wrt: b)
        #expect(paths.count == 2)
        let list = try #require(paths.paths)
        #expect(list.map(\.product).sorted() == [2, 3])
        #expect(list.map(\.product).reduce(0, +) == t.gradient(of: "b"))
    }

    static let corpus: [(String, [String: Double])] = [
        ("x*x", ["x": 3]),
        ("x*x*x + x", ["x": 1.5]),
        ("q = x + y; r = q * x; s = r * q; s + x", ["x": 0.5, "y": -2]),
        ("sigmoid(w0*x0 + w1*x1 + w2)", ["w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3]),
        ("h1 = tanh(x + y); h2 = tanh(x * y); h3 = h1 * h2 + h1; h3 * h2 + max(h1, x)", ["x": 0.3, "y": -0.7]),
        ("min(x, y, x*y) + x", ["x": 2, "y": 3]),
        ("x + 3", ["x": 1]),
    ]

    @Test(arguments: 0..<corpus.count)
    func countsEqualBruteForceAndProductsSumToTheGradient(index: Int) throws {
        let (text, bindings) = Self.corpus[index]
        let t = try Self.trace(text, bindings)
        for id in t.graph.inputs {
            let paths = Paths(t, wrt: id)
            #expect(paths.count == Double(Self.bruteForce(t.graph, from: id)), "\(text)")
            let list = try #require(paths.paths)
            #expect(list.count == Int(paths.count))
            #expect(Set(list.map { $0.wires }).count == list.count, "paths are distinct")
            let sum = list.map(\.product).reduce(0, +)
            let g = t.gradients[id]
            #expect(abs(sum - g) <= 1e-12 * max(1, abs(g)), "\(text): Σ paths \(sum), gradient \(g)")
            for p in list {
                #expect(t.graph.input(p.wires.first!.consumer, p.wires.first!.slot) == id)
                #expect(p.wires.last!.consumer == t.graph.output)
            }
        }
    }

    @Test func deepNetsHaveExponentiallyManyPathsAndTheyAreNotListed() throws {
        // Each layer: two units that both read both units of the layer below: 2^depth paths from x.
        var lines = ["u0 = x + 0", "v0 = x * 1"]
        let depth = 40
        for k in 1...depth { lines.append("u\(k) = tanh(u\(k - 1) + v\(k - 1))"); lines.append("v\(k) = sigmoid(u\(k - 1) * v\(k - 1))") }
        lines.append("u\(depth) + v\(depth)")
        let t = try Self.trace(lines.joined(separator: "\n"), ["x": 0.1])
        let paths = Paths(t, wrt: t.graph.input(named: "x")!, limit: 64)
        #expect(paths.count == Double(1 << 41))  // 1 path to u0 and to v0, twice as many per layer (2^40 each), both into the sum
        #expect(paths.paths == nil)
    }
}
