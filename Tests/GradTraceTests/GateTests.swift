import Foundation
import Testing
@testable import GradTrace

@Suite struct GateTests {
    static let unary: [Gate] = [.exp, .reciprocal, .addConst(1), .addConst(-2.5), .mulConst(-1), .mulConst(3),
                                .sigmoid, .tanh, .relu, .divConst(4), .log, .powConst(2), .powConst(3), .powConst(0.5)]
    static let binary: [Gate] = [.add, .mul, .max, .sub, .div, .min, .pow]

    /// Points away from kinks and poles, where every gate is differentiable.
    static let points: [(Double, Double)] = [(0.7, 1.9), (2.3, 0.4), (1.1, -0.6), (-0.8, 1.7), (3.5, 3.2)]

    @Test(arguments: unary + binary)
    func localGradientMatchesNumerical(gate: Gate) {
        for (a, b) in Self.points {
            if gate == .log || gate == .powConst(0.5) || gate == .pow, a <= 0 { continue }
            let r = gate.evaluate(a, b)
            for slot in 0..<gate.arity {
                let h = 1e-6 * max(1, abs(slot == 0 ? a : b))
                let plus = slot == 0 ? gate.evaluate(a + h, b).value : gate.evaluate(a, b + h).value
                let minus = slot == 0 ? gate.evaluate(a - h, b).value : gate.evaluate(a, b - h).value
                let numeric = (plus - minus) / (2 * h)
                let analytic = slot == 0 ? r.localA : r.localB
                #expect(abs(numeric - analytic) <= 1e-6 * max(1, abs(analytic)), "\(gate.name) slot \(slot) at (\(a), \(b))")
            }
        }
    }

    static let composites: [Gate] = [.sigmoid, .tanh, .relu, .sub, .div, .min, .divConst(4)]

    /// Each composite gate's expansion into primitives gives the same value and gradients,
    /// kinks included (ties and relu at 0).
    @Test(arguments: composites)
    func compositeEqualsExpansion(gate: Gate) throws {
        let expansion = try #require(gate.expansion)
        for step in expansion {
            #expect(step.gate.expansion == nil, "expansions use primitives only")
            let primitives: [Gate] = [.add, .mul, .max, .exp, .reciprocal]
            switch step.gate {
            case .addConst, .mulConst: break
            default: #expect(primitives.contains(step.gate), "\(step.gate.name) is not a primitive")
            }
        }
        let call: String
        switch gate {
        case .sub: call = "a - b"
        case .div: call = "a / b"
        case .min: call = "min(a, b)"
        case .divConst: call = "a / 4"
        default: call = "\(gate.name)(a)"
        }
        for (a, b) in Self.points + [(0, 0), (1.5, 1.5), (-2, -2)] {
            if gate == .div && b == 0 { continue }
            let text = "\(call) * (a + 0.5) + b"  // fan-out, so both inputs have several paths
            let one = try trace(text, ["a": a, "b": b])
            let expanded = try trace(text, ["a": a, "b": b], expand: true)
            #expect(one.graph.nodes.contains { $0.gate == gate })
            #expect(expanded.graph.nodes.allSatisfy { $0.gate.expansion == nil })
            #expect(relativeDifference(one.output, expanded.output) < 1e-14, "\(call) at (\(a), \(b))")
            for name in ["a", "b"] {
                let g1 = try #require(one.gradient(of: name)), g2 = try #require(expanded.gradient(of: name))
                #expect(abs(g1 - g2) <= 1e-14 * max(1, abs(g1)), "∂/∂\(name) of \(call) at (\(a), \(b)): \(g1) vs \(g2)")
            }
        }
    }

    @Test func tieRulesAreStated() {
        #expect(Gate.max.evaluate(2, 2) == (2, 1, 0))
        #expect(Gate.min.evaluate(2, 2) == (2, 1, 0))
        #expect(Gate.relu.evaluate(0, 0) == (0, 0, 0))
        #expect(Gate.max.kinkRule != nil && Gate.relu.kinkRule != nil)
    }

    @Test func constantGatesAreTheLecturesSymbols() throws {
        let t = try trace("1/(1 + exp(-x))", ["x": 1])
        let symbols = t.graph.nodes.filter { !$0.gate.isLeaf }.map(\.gate.symbol)
        #expect(symbols == ["*-1", "exp", "+1", "1/x"])
    }

    @Test func analyticMatchesNumericalOnEveryGateOfACircuit() throws {
        let text = "q = tanh(a) * relu(b) + log(c) - a^2 / (b + 3); r = max(q, a) + min(b, c) + c^a; f = sigmoid(r) * exp(-a)"
        for expand in [false, true] {
            let t = try trace(text, ["a": 0.3, "b": 1.2, "c": 2.5], expand: expand)
            let check = GradientCheck(t)
            #expect(check.allPassed, "expand: \(expand)")
            #expect(check.entries.filter { t.graph.nodes[$0.node].gate.isLeaf == false }.count == t.graph.gateCount)
        }
    }
}
