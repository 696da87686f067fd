import Foundation
import Testing
@testable import GradTrace

/// Forward mode (one tangent pass per input) and reverse mode (one backward pass) give the same
/// gradient: on Colah's example, on a seeded random corpus of expressions, and on every lesson.
@Suite struct ForwardModeTests {
    /// SplitMix64: a small seeded generator, so the corpus is the same on every run.
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A random expression over a, b, c of about `size` operators (built with a loop and a stack of pieces).
    static func expression(_ rng: inout SeededRandom, size: Int) -> String {
        var pieces: [String] = (0..<3).map { k in k == 0 ? "a" : ["a", "b", "c", "2", "0.5"][Int.random(in: 0..<5, using: &rng)] }
        let unary = ["sigmoid", "tanh", "sin", "cos", "relu", "softplus", "abs", "exp"]
        let binary = ["+", "-", "*", "max", "min"]
        for _ in 0..<size {
            if pieces.count < 2 || Bool.random(using: &rng) && pieces.count < 5 {
                pieces.append(["a", "b", "c"][Int.random(in: 0..<3, using: &rng)])
            }
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let k = Int.random(in: 0..<pieces.count, using: &rng)
                let f = unary[Int.random(in: 0..<unary.count, using: &rng)]
                pieces[k] = f == "exp" ? "exp(0.3*\(pieces[k]))" : "\(f)(\(pieces[k]))"
            } else {
                let y = pieces.removeLast(), x = pieces.removeLast()
                let op = binary[Int.random(in: 0..<binary.count, using: &rng)]
                pieces.append(op.count == 1 ? "(\(x) \(op) \(y))" : "\(op)(\(x), \(y))")
            }
        }
        while pieces.count > 1 {
            let y = pieces.removeLast(), x = pieces.removeLast()
            pieces.append("(\(x) * \(y))")
        }
        return pieces[0]
    }

    static func agree(_ trace: Trace, _ what: String) {
        for id in trace.graph.inputs {
            let forward = Tangent(trace, wrt: id).tangents[trace.graph.output]
            let reverse = trace.gradients[id]
            if forward.isNaN || reverse.isNaN { #expect(forward.isNaN == reverse.isNaN, "\(what): ∂/∂\(trace.graph.nodes[id].name ?? "?")"); continue }
            let tolerance = 1e-12 * max(1, abs(reverse))
            #expect(abs(forward - reverse) <= tolerance || forward == reverse,
                    "\(what): ∂/∂\(trace.graph.nodes[id].name ?? "?") forward \(forward) reverse \(reverse)")
        }
    }

    @Test func colahsExample() throws {
        let trace = try Tracer(bindings: ["a": 2, "b": 1]).trace(try Parser.parse(SourceText("e = (a + b) * (b + 1)")))
        let b = trace.graph.input(named: "b")!, a = trace.graph.input(named: "a")!
        let tb = Tangent(trace, wrt: b)
        // ∂c/∂b = 1, ∂d/∂b = 1, ∂e/∂b = 2·1 + 3·1 = 5 (Colah's figure).
        #expect(tb.tangents[trace.graph.output] == 5)
        #expect(Tangent(trace, wrt: a).tangents[trace.graph.output] == 2)
        #expect(trace.gradient(of: "b") == 5 && trace.gradient(of: "a") == 2)
    }

    @Test func aRandomCorpusAgrees() throws {
        var rng = SeededRandom(state: 15)
        var traced = 0
        for k in 0..<300 {
            let text = Self.expression(&rng, size: 1 + k % 12)
            let bindings = ["a": Double(Int.random(in: -20...20, using: &rng)) / 10,
                            "b": Double(Int.random(in: -20...20, using: &rng)) / 10,
                            "c": Double(Int.random(in: -20...20, using: &rng)) / 10]
            let graph = try Parser.parse(SourceText(text))
            let used = bindings.filter { graph.inputNames.contains($0.key) }
            for expansion in [Graph.Expansion.none, .all] {
                let g = expansion == .none ? graph : try Parser.parse(SourceText(text), expansion: .all)
                Self.agree(try Tracer(bindings: used).trace(g), "\(text) at \(used)")
                traced += 1
            }
        }
        #expect(traced == 600)
    }

    @Test func everyLessonAgrees() throws {
        let folder = packageRoot.appendingPathComponent("lessons")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }.sorted()
        var blocks = 0
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let lesson = try LessonParser.parse(SourceText(text, name: "lessons/\(file)"), fileName: file)
            for block in lesson.circuits {
                let explanation = try Explanation(source: block.source, expansion: block.options.expand)
                Self.agree(explanation.trace, "\(file) line \(block.line)")
                blocks += 1
            }
        }
        #expect(blocks > 10)
    }

    @Test func theZeroRuleHoldsForwardToo() throws {
        // max picks x; log(0) = -inf has local gradient inf, but y's tangent reaches it times 0.
        let trace = try Tracer(bindings: ["x": 5, "y": 0]).trace(try Parser.parse(SourceText("max(x, log(y))")))
        let x = trace.graph.input(named: "x")!
        #expect(Tangent(trace, wrt: x).tangents[trace.graph.output] == 1)
    }

    @Test func costsCountPassesAndWires() throws {
        let graph = try Parser.parse(SourceText("e = (a + b) * (b + 1)"))
        let cost = ModeCost(graph)
        #expect(cost.inputs == 2 && cost.outputs == 1)
        #expect(cost.gates == 3 && cost.wires == 5)  // a+b (2 wires), b+1 (1: the constant is the gate's parameter), c*d (2)
        #expect(cost.forwardMultiplications == 10 && cost.reverseMultiplications == 5)
        #expect(cost.forwardAdditionsPerPass == 2 && cost.reverseAdditionsPerPass == 1)  // two 2-input gates; b forks
    }
}
