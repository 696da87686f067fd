import Foundation
import Testing
@testable import GradTrace

/// Every built-in gate, checked from its one entry in `GateKind.builtins`: the lists below are
/// derived from the table, so a new gate cannot be left out.
@Suite struct GateTests {
    static let kernelGates = GateKind.builtins.filter { $0.kernel != nil }.map(\.name)
    static let composites = GateKind.builtins.filter { $0.body != nil }.map(\.name)
    static let spelled = GateKind.builtins.filter { !$0.spellings.isEmpty }.map(\.name)

    static func kind(_ name: String) -> (UInt16, GateKind) {
        let i = GateKind.builtins.firstIndex { $0.name == name }!
        return (UInt16(i), GateKind.builtins[i])
    }

    /// Points away from kinks and poles, where every gate is differentiable.
    static let points: [(Double, Double)] = [(0.7, 1.9), (2.3, 0.4), (1.1, -0.6), (-0.8, 1.7), (3.5, 3.2), (-1.3, -0.45)]

    @Test(arguments: kernelGates)
    func localGradientMatchesNumerical(name: String) {
        let (_, gate) = Self.kind(name)
        var checked = 0
        for p in gate.testParameters {
            for (a, b) in Self.points where gate.testDomain(a, b, p) {
                let r = gate.evaluate(a, b, parameter: p)
                for slot in 0..<gate.arity {
                    let h = 1e-6 * max(1, abs(slot == 0 ? a : b))
                    let plus = slot == 0 ? gate.evaluate(a + h, b, parameter: p).value : gate.evaluate(a, b + h, parameter: p).value
                    let minus = slot == 0 ? gate.evaluate(a - h, b, parameter: p).value : gate.evaluate(a, b - h, parameter: p).value
                    let numeric = (plus - minus) / (2 * h)
                    let analytic = slot == 0 ? r.localA : r.localB
                    #expect(abs(numeric - analytic) <= 1e-6 * max(1, abs(analytic)), "\(name) slot \(slot) at (\(a), \(b)), parameter \(p)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 3, "\(name) was checked at too few points")
    }

    /// A graph `c = gate(a[, b]); f = c * (a + 0.5) + b`: both inputs reach the output on
    /// several paths, so a wrong gradient anywhere shows.
    static func circuit(_ index: UInt16, parameter: Double, expansion: Graph.Expansion) throws -> Graph {
        var builder = GraphBuilder(source: nil, expansion: expansion)
        try builder.variable("a", span: nil)
        try builder.variable("b", span: nil)
        guard case .node(let b) = builder.pop(), case .node(let a) = builder.pop() else { fatalError() }
        let arity = GateKind.builtins[Int(index)].arity
        let c = builder.emit(Gate(kind: index, parameter: parameter), arity == 1 ? [a] : [a, b], span: nil)
        builder.push(.node(c)); builder.push(.node(a)); builder.number(0.5, span: nil)
        try builder.binary(.add, span: nil); try builder.binary(.mul, span: nil)
        builder.push(.node(b)); try builder.binary(.add, span: nil)
        try builder.statement(name: nil, nameSpan: nil, span: nil)
        return try builder.finish(endSpan: nil)
    }

    /// Each composite gate equals its body, drawn fully expanded into gates with no body:
    /// same value and gradients, kinks included (ties, 0 for relu, abs, leaky relu and elu).
    @Test(arguments: composites)
    func compositeEqualsItsBody(name: String) throws {
        let (index, gate) = Self.kind(name)
        let kinkPoints: [(Double, Double)] = [(0, 0), (1.5, 1.5), (-2, -2), (0, 1), (0, -1)]
        for p in gate.testParameters {
            let one = try Self.circuit(index, parameter: p, expansion: .none)
            let expanded = try Self.circuit(index, parameter: p, expansion: .all)
            #expect(expanded.nodes.allSatisfy { expanded.kind(of: $0.gate).body == nil }, "the expansion of \(name) still has composites")
            for (a, b) in Self.points + kinkPoints where gate.testDomain(a, b, p) || kinkPoints.contains(where: { $0 == (a, b) }) {
                let bindings = ["a": a, "b": b]
                let t1 = try Tracer(bindings: bindings).trace(one), t2 = try Tracer(bindings: bindings).trace(expanded)
                if !t1.output.isFinite { continue }  // a pole (1/0, log 0): nothing to compare
                #expect(relativeDifference(t1.output, t2.output) < 1e-14, "\(name)(\(a), \(b)) p=\(p): \(t1.output) vs \(t2.output)")
                for input in ["a", "b"] {
                    let g1 = try #require(t1.gradient(of: input)), g2 = try #require(t2.gradient(of: input))
                    #expect(g1 == g2 || abs(g1 - g2) <= 1e-13 * max(1, abs(g1)), "∂/∂\(input) of \(name) at (\(a), \(b)), p=\(p): \(g1) vs \(g2)")
                }
            }
        }
    }

    /// Every function name of the table parses, with its arity, and computes what the kernel does.
    @Test(arguments: spelled)
    func everyFunctionNameParses(name: String) throws {
        let (_, gate) = Self.kind(name)
        for spelling in gate.spellings {
            let args = gate.arity == 1 ? "(a)" : "(a, b)"
            let t = try trace("\(spelling)\(args) * 1", gate.arity == 1 ? ["a": 0.7] : ["a": 0.7, "b": 0.3])
            let expected = gate.evaluate(0.7, 0.3, parameter: gate.parameterArgument?.defaultValue ?? 0).value
            #expect(t.output == expected, "\(spelling)\(args)")
            #expect(t.graph.nodes.contains { t.graph.kind(of: $0.gate).name == name })
        }
    }

    @Test func tieAndKinkRulesAreStated() {
        #expect(Self.kind("max").1.evaluate(2, 2) == (2, 1, 0))
        #expect(Self.kind("min").1.evaluate(2, 2) == (2, 1, 0))
        #expect(Self.kind("relu").1.evaluate(0) == (0, 0, 0))
        #expect(Self.kind("abs").1.evaluate(0) == (0, 0, 0))
        #expect(Self.kind("leaky_relu").1.evaluate(0, parameter: 0.1).localA == 0.1)
        let kinked = GateKind.builtins.filter { $0.kink != nil }
        #expect(Set(kinked.flatMap(\.spellings)).isSuperset(of: ["max", "min", "relu", "abs", "leaky_relu"]), "the gates with a kink say so")
        for gate in kinked { #expect(!gate.kink!.rule.isEmpty, "\(gate.name)") }
    }

    @Test func constantGatesAreTheLecturesSymbols() throws {
        let t = try trace("1/(1 + exp(-x))", ["x": 1])
        let symbols = t.graph.nodes.indices.filter { !t.graph.nodes[$0].gate.isLeaf }.map { t.graph.kind($0).symbol(t.graph.nodes[$0].gate.parameter) }
        #expect(symbols == ["*-1", "exp", "+1", "1/x"])
    }

    @Test func analyticMatchesNumericalOnEveryGateOfACircuit() throws {
        let text = """
        q = tanh(a) * relu(b) + log(c) - a^2 / (b + 3); r = max(q, a, b) + min(b, c) + c^a
        s = sqrt(c) + abs(a - b) + softplus(a) + leaky_relu(a - 1) + elu(a - 1, 0.5) + sin(a) * cos(b) + pow(c, b) + ln(c)
        f = sigmoid(r) * exp(-a) + s
        """
        for expand in [false, true] {
            let t = try trace(text, ["a": 0.3, "b": 1.2, "c": 2.5], expand: expand)
            let check = GradientCheck(t)
            #expect(check.allPassed, "expand: \(expand)")
            #expect(check.entries.filter { !t.graph.nodes[$0.node].gate.isLeaf }.count == t.graph.gateCount)
        }
    }

    @Test func variadicMaxChainsAndKeepsTheTieRule() throws {
        let t = try trace("max(a, b, c)", ["a": 2, "b": 2, "c": 1])
        #expect(t.gradient(of: "a") == 1 && t.gradient(of: "b") == 0 && t.gradient(of: "c") == 0)
        let u = try trace("min(a, b, c, d)", ["a": 4, "b": 3, "c": 5, "d": 3])
        #expect(u.gradient(of: "b") == 1 && u.gradient(of: "d") == 0)
        #expect(diagnostic("max(a)", ["a": 1])?.message == "max takes at least 2 arguments, got 1")
    }

    @Test func parameterArgumentsMustBeNumbers() throws {
        let t = try trace("leaky_relu(x, 0.2)", ["x": -1])
        #expect(t.output == -0.2 && t.gradient(of: "x") == 0.2)
        #expect(try trace("leaky_relu(x)", ["x": -1]).gradient(of: "x") == 0.01)
        #expect(diagnostic("leaky_relu(x, a)", ["x": 1, "a": 0.1])?.message == "the slope of leaky_relu must be a number")
        #expect(diagnostic("leaky_relu(x, 2)", ["x": 1])?.message.contains("from 0 up to") == true)
        #expect(try trace("elu(x)", ["x": -1]).output == exp(-1) - 1)
        #expect(diagnostic("elu(x, 1, 2)", ["x": 1])?.message == "elu takes 1 or 2 arguments, got 3")
    }
}

/// The rule a walkthrough prints for a gate's local gradient (`(1 - σ(a))·σ(a)`, `[a > 0]`),
/// written over numbers and evaluated by GradTrace's own parser, equals the kernel's local
/// gradient: what a student reads is what the engine multiplies by.
@Suite struct DisplayedRuleTests {
    /// The rule's text as an expression of the language: Iverson brackets and `sign` decided,
    /// `²` as `^2`, `·` as `*`, `σ` as `sigmoid`.
    static func expression(_ rule: String) -> String {
        var s = rule.replacingOccurrences(of: "·", with: "*").replacingOccurrences(of: "σ(", with: "sigmoid(")
        func number(_ t: String) -> Double? { Double(t.trimmingCharacters(in: CharacterSet(charactersIn: "() "))) }
        func replace(_ pattern: String, _ make: ([String]) -> String?) {
            let regex = try! NSRegularExpression(pattern: pattern)
            while let m = regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) {
                let groups = (0..<m.numberOfRanges).map { String(s[Range(m.range(at: $0), in: s)!]) }
                guard let r = make(groups) else { return }
                s.replaceSubrange(Range(m.range, in: s)!, with: r)
            }
        }
        replace(#"\[([^\[\]]+?) (≥|>|≤|<) ([^\[\]]+?)\]"#) { g in
            guard let a = number(g[1]), let b = number(g[3]) else { return nil }
            let holds = g[2] == "≥" ? a >= b : g[2] == ">" ? a > b : g[2] == "≤" ? a <= b : a < b
            return holds ? "1" : "0"
        }
        replace(#"sign\(([^()]*)\)"#) { g in number(g[1]).map { $0 > 0 ? "1" : $0 < 0 ? "(-1)" : "0" } }
        replace(#"(\w+)²\(([^()]*)\)"#) { g in "\(g[1])(\(g[2]))^2" }
        replace(#"(\([^()]*\)|[0-9.]+)²"#) { g in "\(g[1])^2" }
        return s
    }

    @Test func everyGatesRuleEvaluatesToItsKernelsLocalGradient() throws {
        var checked = 0
        for kind in GateKind.builtins where kind.kernel != nil && kind.arity > 0 {
            for (a, b) in [(0.7, 1.3), (-0.6, 0.4), (1.9, -0.8)] {
                for p in kind.hasParameter ? kind.testParameters : [0] {
                    guard kind.testDomain(a, b, p) else { continue }
                    let label: (Double) -> String = { $0 < 0 ? "(\(formatShortest($0)))" : formatShortest($0) }
                    let operands = GateKind.Operands(a: label(a), b: kind.arity > 1 ? label(b) : "", parameter: p)
                    let local = kind.evaluate(a, b, parameter: p)
                    for slot in 0..<kind.arity {
                        let text = Self.expression(kind.rule(slot, operands))
                        let shown: Double
                        do {
                            let graph = try Parser.parse(SourceText("z = 0; (\(text)) + z", name: "<rule>"))
                            shown = try Tracer(bindings: [:]).trace(graph).values[graph.output]
                        } catch {
                            Issue.record("\(kind.name) slot \(slot): '\(kind.rule(slot, operands))' read as '\(text)': \(error)")
                            continue
                        }
                        let exact = slot == 0 ? local.localA : local.localB
                        #expect(abs(shown - exact) <= 1e-12 * max(1, abs(exact)), "\(kind.name) slot \(slot) at \(a), \(b), p \(p): '\(kind.rule(slot, operands))' = \(shown), kernel \(exact)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked >= 40, "only \(checked) rules checked")
    }
}
