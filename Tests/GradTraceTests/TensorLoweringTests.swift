import Foundation
import Testing
@testable import GradTrace

/// Vectors and matrices are lowered to the same scalar tape: the matrix form of a network gives
/// the values and gradients of the same network written scalar by scalar.
@Suite struct TensorLoweringTests {
    /// Every input's value and gradient, by name.
    func byName(_ t: Trace) -> [String: (value: Double, gradient: Double)] {
        var out: [String: (Double, Double)] = [:]
        for id in t.graph.inputs { out[t.graph.nodes[id].name!] = (t.values[id], t.gradients[id]) }
        return out
    }

    @Test func seed002MatrixNetworkEqualsItsScalarForm() throws {
        // Seed 002: z = W x (W is 4×3), y = σ(z), O = w′·y, P = σ(O), L = (GT − P)².
        let matrix = try trace("""
        x = [0.5, -1, 2]
        param W[4,3] = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9], [0.2, -0.1, 0.05]]
        param w2[4] = [0.3, -0.4, 0.5, 0.6]
        GT = 1
        z = W @ x
        y = σ(z)
        O = w2 @ y
        P = σ(O)
        L = (GT - P)^2
        """)
        var scalar = "x1 = 0.5; x2 = -1; x3 = 2; GT = 1\n"
        let W = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9], [0.2, -0.1, 0.05]], w2 = [0.3, -0.4, 0.5, 0.6]
        for i in 0..<4 { for j in 0..<3 { scalar += "W\(i + 1)\(j + 1) = \(W[i][j])\n" } }
        for i in 0..<4 { scalar += "v\(i + 1) = \(w2[i])\n" }
        for i in 1...4 { scalar += "y\(i) = σ(W\(i)1*x1 + W\(i)2*x2 + W\(i)3*x3)\n" }
        scalar += "P = σ(v1*y1 + v2*y2 + v3*y3 + v4*y4)\nL = (GT - P)^2\n"
        let s = try trace(scalar)
        #expect(matrix.output == s.output)
        let m = byName(matrix), sc = byName(s)
        for i in 1...4 {
            for j in 1...3 {
                #expect(m["W[\(i),\(j)]"]!.gradient == sc["W\(i)\(j)"]!.gradient, "∂L/∂W[\(i),\(j)]")
            }
            #expect(m["w2[\(i)]"]!.gradient == sc["v\(i)"]!.gradient)
        }
        for j in 1...3 { #expect(m["x[\(j)]"]!.gradient == sc["x\(j)"]!.gradient) }
        // Every element is named as the reader writes it.
        let names = Set(matrix.graph.nodes.compactMap(\.name))
        for n in ["z[1]", "z[4]", "y[3]", "W[4,3]", "w2[2]", "O", "P", "L"] { #expect(names.contains(n), "\(n)") }
        #expect(matrix.graph.parameters.map(\.name) == ["W", "w2"])
    }

    @Test func vectorFunctionsEqualTheirExpansion() throws {
        let t = try trace("v = [1, -2, 0.5]; u = [3, 1, -1]; s = softmax(v); f = sum(s * u) + mean(v) * dot(v, u) + max(v) + v[2]")
        let e = try trace("""
        v1 = 1; v2 = -2; v3 = 0.5; u1 = 3; u2 = 1; u3 = -1
        e1 = exp(v1); e2 = exp(v2); e3 = exp(v3); S = e1 + e2 + e3
        f = (e1/S*u1 + e2/S*u2 + e3/S*u3) + ((v1 + v2 + v3)/3) * (v1*u1 + v2*u2 + v3*u3) + max(v1, v2, v3) + v2
        """)
        #expect(relativeDifference(t.output, e.output) < 1e-15)
        let a = byName(t), b = byName(e)
        for k in 1...3 {
            #expect(relativeDifference(a["v[\(k)]"]!.gradient, b["v\(k)"]!.gradient) < 1e-14)
            #expect(relativeDifference(a["u[\(k)]"]!.gradient, b["u\(k)"]!.gradient) < 1e-14)
        }
    }

    @Test func broadcastingMatrixProductsAndRows() throws {
        let t = try trace("A = [[1, 2], [3, 4]]; B = [[0.5, -1], [2, 1]]; C = A @ B; r = 2 * A[2] - 1; f = C[1,2] + C[2,1] * r[1] + sum(relu(C - 3))")
        // C = [[4.5, 1], [9.5, 1]]; r = [5, 7]; relu(C − 3) = [1.5, 0, 6.5, 0].
        let expected: Double = 56.5  // 1 + 9.5 × 5 + 8
        #expect(t.output == expected)
    }

    @Test func errorsPointAtTheProblem() throws {
        let cases: [(String, String)] = [
            ("input x[2]; param W[3,3] = 0; f = sum(W @ x)", "shapes 3×3 and 2 do not match"),
            ("v = [1, 2]; f = v[3]", "an index must be a whole number from 1 to 2"),
            ("v = [1, 2]; w = [1, 2, 3]; f = sum(v + w)", "shapes 2 and 3 do not match"),
            ("input x[2]; f = x", "the output must be one number"),
            ("input x[2]; x * 2", "the output must be one number"),
            ("param W[2,2] = [1, 2, 3]; f = sum(W)", "'W' has 4 elements but 3 values are given"),
            ("param W[2] = uniform(1, -1); f = sum(W)", "'uniform' takes (lo, hi) with lo < hi"),
            ("param W[2]; f = sum(W)", "expected '=' and an initialiser"),
            ("m = [[1, 2], [3]]; f = sum(m)", "the rows of a matrix must all have the same length"),
            ("x = 2; f = x[1]", "only a vector or matrix can be indexed"),
            ("input x[2]; input x[3]; f = sum(x)", "'x' is assigned twice"),
            ("def sum(a) = a; f = sum(2)", "already used"),
        ]
        for (text, message) in cases {
            let d = diagnostic(text)
            #expect(d?.message.contains(message) == true || d?.help?.contains(message) == true, "\(text): \(d?.message ?? "no error")")
            #expect(d?.line != nil, "\(text): no position")
        }
    }

    @Test func initialisersAreSeededPerParameter() throws {
        var g = try Parser.parse("param A[3,4] = uniform(-1, 1); param B[4] = he; param C[2] = normal(0.001); f = sum(A @ B) + sum(C)")
        let first = g.boundValues
        g.initializeParameters(seed: 0)
        #expect(g.boundValues == first, "seed 0 is the default")
        g.initializeParameters(seed: 7)
        #expect(g.boundValues != first)
        // Adding a parameter before B does not change B's values: each draws from its own stream.
        let h = try Parser.parse("param Z[5] = he; param A[3,4] = uniform(-1, 1); param B[4] = he; param C[2] = normal(0.001); f = sum(A @ B) + sum(C) + sum(Z)")
        let b1 = try Parser.parse("param A[3,4] = uniform(-1, 1); param B[4] = he; param C[2] = normal(0.001); f = sum(A @ B) + sum(C)")
        for name in ["B[1]", "B[4]", "A[3,4]"] {
            #expect(h.boundValues[h.input(named: name)!] == b1.boundValues[b1.input(named: name)!])
        }
        let a = (0..<12).map { first[g.parameters[0].elements[$0]]! }
        #expect(a.allSatisfy { (-1..<1).contains($0) })
        let c = g.parameters[2].elements.map { first[$0]! }
        #expect(c.allSatisfy { abs($0) < 0.01 })
    }
}
