import Testing
@testable import GradTrace

/// Sections 1–4 of shared/reference-numbers.md, digit for digit.
@Suite struct ReferenceNumbersTests {
    @Test func addMulCircuit() throws {
        let t = try trace("(x + y) * z", ["x": -2, "y": 5, "z": -4])
        #expect(t.output == -12)
        #expect(t.values[try #require(node(t, "x + y"))] == 3)
        #expect(t.gradients[try #require(node(t, "x + y"))] == -4)
        #expect(t.gradient(of: "x") == -4)
        #expect(t.gradient(of: "y") == -4)
        #expect(t.gradient(of: "z") == 3)
        #expect(t.gradients[t.graph.output] == 1)
    }

    @Test func namedIntermediatesGiveTheSameNumbers() throws {
        let t = try trace("q = x + y; f = q * z", ["x": -2, "y": 5, "z": -4])
        #expect(t.value(of: "q") == 3)
        #expect(t.gradients[try #require(node(t, "q"))] == -4)
        #expect(t.output == -12)
        #expect([t.gradient(of: "x"), t.gradient(of: "y"), t.gradient(of: "z")] == [-4, -4, 3])
    }

    static let neuron = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
    static let neuronInputs: [String: Double] = ["w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3]

    /// The published circuit, wire by wire: (label, value, gradient) at 2 decimals.
    static let publishedWires: [(String, String, String)] = [
        ("w0", "2.00", "-0.20"), ("x0", "-1.00", "0.39"), ("w1", "-3.00", "-0.39"), ("x1", "-2.00", "-0.59"),
        ("w2", "-3.00", "0.20"), ("w0*x0", "-2.00", "0.20"), ("w1*x1", "6.00", "0.20"),
        ("w0*x0 + w1*x1", "4.00", "0.20"), ("w0*x0 + w1*x1 + w2", "1.00", "0.20"),
        ("-(w0*x0 + w1*x1 + w2)", "-1.00", "-0.20"), ("exp(-(w0*x0 + w1*x1 + w2))", "0.37", "-0.53"),
        ("1 + exp(-(w0*x0 + w1*x1 + w2))", "1.37", "-0.53"), ("f", "0.73", "1.00"),
    ]

    @Test(arguments: [false, true])
    func neuronWireTableAtTwoDecimals(expand: Bool) throws {
        // The primitive form typed out, and the same neuron written with one sigmoid gate
        // (expanded or not): the wires that exist in each must read as published.
        let forms = [(Self.neuron, true), ("sigmoid(w0*x0 + w1*x1 + w2)", false)]
        let two = NumberFormat(precision: 2)
        for (text, hasPrimitives) in forms {
            let t = try trace(text, Self.neuronInputs, expand: expand)
            for (label, value, gradient) in Self.publishedWires {
                let isInner = label.hasPrefix("-(") || label.hasPrefix("exp") || label.hasPrefix("1 +")
                if isInner && !hasPrimitives { continue }
                let id = try #require(node(t, label), "no wire \(label) in \(text)")
                #expect(two(t.values[id]) == value, "value of \(label) in \(text)")
                #expect(two(t.gradients[id]) == gradient, "gradient of \(label) in \(text)")
            }
        }
    }

    @Test func neuronFullPrecisionOneGate() throws {
        let t = try trace("sigmoid(w0*x0 + w1*x1 + w2)", Self.neuronInputs)
        #expect(t.output == 0.7310585786300049)
        let sum = try #require(node(t, "w0*x0 + w1*x1 + w2"))
        #expect(t.gradients[sum] == 0.19661193324148185)
        #expect(t.gradient(of: "w0") == -0.19661193324148185)
        #expect(t.gradient(of: "w1") == -0.3932238664829637)
        #expect(t.gradient(of: "w2") == 0.19661193324148185)
        #expect(t.gradient(of: "x0") == 0.3932238664829637)
        #expect(t.gradient(of: "x1") == -0.5898357997244456)
    }

    @Test(arguments: [false, true])
    func neuronFullPrecisionFourGates(expand: Bool) throws {
        // The typed-out primitives and the expanded sigmoid: the same published numbers, to
        // the last bit the float arithmetic allows (the four-gate route rounds differently).
        for text in [Self.neuron, "sigmoid(w0*x0 + w1*x1 + w2)"] where expand || text == Self.neuron {
            let t = try trace(text, Self.neuronInputs, expand: expand)
            #expect(t.output == 0.7310585786300049)
            let exp = try #require((0..<t.graph.count).first { gate(t, $0).name == "exp" })
            #expect(t.values[exp] == 0.36787944117144233)
            #expect(t.gradients[exp] == -0.534446645388523)
            let plusOne = try #require((0..<t.graph.count).first { gate(t, $0) == ("addConst", 1) })
            #expect(t.gradients[plusOne] == -0.534446645388523)
            let expected: [String: Double] = ["w0": -0.19661193324148185, "w1": -0.3932238664829637, "w2": 0.19661193324148185,
                                              "x0": 0.3932238664829637, "x1": -0.5898357997244456]
            for (name, value) in expected {
                #expect(relativeDifference(try #require(t.gradient(of: name)), value) < 1e-15, "\(name)")
            }
        }
    }

    @Test func stagedComputation() throws {
        let text = "(x + sigmoid(y)) / (sigmoid(x) + (x + y)^2)"
        for expand in [false, true] {
            let t = try trace(text, ["x": 3, "y": -4], expand: expand)
            let tolerance = expand ? 1e-15 : 0
            #expect(relativeDifference(t.output, 1.5456448841066441) <= tolerance)
            #expect(relativeDifference(try #require(t.gradient(of: "x")), 2.0595697955721652) <= 1e-15)
            #expect(relativeDifference(try #require(t.gradient(of: "y")), 1.5922327514838093) <= 1e-15)
        }
        let t = try trace(text, ["x": 3, "y": -4])
        #expect(t.values[try #require(node(t, "sigmoid(y)"))] == 0.01798620996209156)
        #expect(t.values[try #require(node(t, "sigmoid(x)"))] == 0.9525741268224334)
        #expect(t.values[try #require(node(t, "x + y"))] == -1)
        #expect(t.values[try #require(node(t, "(x + y)^2"))] == 1)
        #expect(t.values[try #require(node(t, "sigmoid(x) + (x + y)^2"))] == 1.9525741268224333)
    }

    @Test func patternsInBackwardFlow() throws {
        let t = try trace("2 * (x*y + max(z, w))", ["x": 3, "y": -4, "z": 2, "w": -1])
        #expect(t.values[try #require(node(t, "x*y"))] == -12)
        #expect(t.values[try #require(node(t, "max(z, w)"))] == 2)
        #expect(t.values[try #require(node(t, "x*y + max(z, w)"))] == -10)
        #expect(t.output == -20)
        for label in ["x*y", "max(z, w)", "x*y + max(z, w)"] {
            #expect(t.gradients[try #require(node(t, label))] == 2, "\(label)")
        }
        #expect(t.gradients[t.graph.output] == 1)
        #expect([t.gradient(of: "x"), t.gradient(of: "y"), t.gradient(of: "z"), t.gradient(of: "w")] == [-8, 6, 2, 0])
        // The constant 2 is the lecture's *2 gate, not a wire with a gradient of its own.
        #expect(gate(t, t.graph.output) == ("mulConst", 2))
        #expect(t.graph.kind(try #require(node(t, "max(z, w)"))).pattern?.hasPrefix("max routes") == true)
    }
}
