import Foundation
import Testing
@testable import GradTrace

/// Every equation a page shows holds at the digits it shows (the teaching standard), in every
/// built file and every `explain` format, while the published figures still come out.
@Suite struct DisplayedEquationTests {
    /// The files of a built output folder that a class sees.
    static func pages(in folder: URL) -> [URL] {
        guard let e = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        return e.compactMap { $0 as? URL }.filter { ["md", "html", "svg"].contains($0.pathExtension) }.sorted { $0.path < $1.path }
    }

    static func falseEquations(in folder: URL) throws -> [String] {
        try pages(in: folder).flatMap { url in
            EquationScanner.falseEquations(in: try String(contentsOf: url, encoding: .utf8)).map {
                "\(url.path.replacingOccurrences(of: folder.path + "/", with: "")): \($0)"
            }
        }
    }

    @Test func theScannerFindsWhatAStudentWouldMarkWrong() {
        #expect(EquationScanner.falseEquations(in: "→ w1: local gradient x1 = -2.00;  -2.00 × 0.20 = -0.39").count == 1)
        #expect(EquationScanner.equationCount(in: "-2.00 × 0.197 = -0.39; 1 + 2 = 3; q = x - 1") == 2)
        #expect(EquationScanner.falseEquations(in: "-2.00 × 0.197 = -0.39").isEmpty)
        #expect(EquationScanner.falseEquations(in: "0.37 × (-0.53) = -0.20").isEmpty)
        #expect(EquationScanner.falseEquations(in: "0.37 × (-0.53) = -0.19").count == 1)
        #expect(EquationScanner.falseEquations(in: "<i>∇ 2.0596 = 1.5832 - 0.0358 + 0.5121</i>").count == 1)
        #expect(EquationScanner.falseEquations(in: "$0.5 \\times 2.9 \\times 10^{-5} = 1.45 \\times 10^{-5}$").isEmpty)
        #expect(EquationScanner.falseEquations(in: "w5 ← 0.4 − 0.5 × 0.082167041 = 0.35").count == 1)
        #expect(EquationScanner.falseEquations(in: "x = -2, y = 5; q = x - 1 = 3; 1.5 × 2 ≈ 2.9").isEmpty)
    }

    /// The quick check of an equation (in doubles, falling back to decimals near the boundary)
    /// answers as the exact one does, on random equations of every operation at every number
    /// format, and on ties: results exactly half a unit off, where only exact arithmetic knows
    /// that the equation holds.
    @Test func theQuickEquationCheckAgreesWithExactDecimals() {
        var rng = ForwardModeTests.SeededRandom(state: 2026)
        let formats = [NumberFormat.standard, .diagram, NumberFormat(.decimals(2)), NumberFormat(.decimals(0)), NumberFormat(.significant(3)), NumberFormat(.shortest)]
        let operations: [(DisplayedArithmetic.Operation, Int)] = [(.product, 2), (.product, 3), (.sum, 2), (.sum, 4), (.update, 3), (.scaledUpdate, 4), (.velocity, 4)]
        var compared = 0, held = 0, failed = 0
        func check(_ operands: [Shown], _ result: Shown, _ op: DisplayedArithmetic.Operation) {
            let quick = DisplayedArithmetic.holds(operands, result, op)
            let exact = DisplayedArithmetic.holds(operands, result) { op.apply($0) }
            #expect(quick == exact, "\(op) of \(operands.map(\.text)) = \(result.text)")
            compared += 1
            if exact { held += 1 } else { failed += 1 }
        }
        for _ in 0..<20_000 {
            let format = formats.randomElement(using: &rng)!
            let (op, arity) = operations.randomElement(using: &rng)!
            let values = (0..<arity).map { _ in
                Double.random(in: -3...3, using: &rng) * pow(10, Double(Int.random(in: -6...6, using: &rng)))
            }
            let operands = values.map { format.shown($0) }
            check(operands, format.shown(op.apply(values)), op)
            // The result the operands as shown give, moved by a random part of a unit or two.
            if let exact = operands.compactMap(\.double).count == arity ? op.apply(operands.compactMap(\.double)) : nil {
                let r = format.shown(exact)
                let nudged = exact + Double.random(in: -2...2, using: &rng) * r.halfUnitDouble
                check(operands, format.shown(nudged), op)
            }
        }
        // Ties: 0.25 × 0.5 = 0.125 is 0.13 and 0.12 at two decimals, each exactly half a unit off.
        let two = NumberFormat(.decimals(2)), three = NumberFormat(.decimals(3))
        for (a, b) in [(0.25, 0.5), (0.75, 0.5), (1.25, 0.1), (0.45, 0.1), (2.5, 0.05)] {
            let p = three.shown(a * b)
            for r in [p.value - 0.005, p.value + 0.005, p.value - 0.0051, p.value + 0.0049] {
                check([two.shown(a), two.shown(b)], Shown(value: r, mantissa: three.shown(r).mantissa.dropLast().description), .product)
            }
        }
        #expect(compared > 40_000 && held > 10_000 && failed > 5_000, "\(compared) compared, \(held) held, \(failed) did not")
    }

    /// Figures are written out from printf's `%e` digits, not from a second `%f`: the two agree
    /// digit for digit, on random values of every size and on values whose rounding carries
    /// (9.9996 at 4 figures is 10.00), checked against Foundation's `String(format:)`.
    @Test func positionalDigitsAreWhatPrintfWrites() {
        var rng = ForwardModeTests.SeededRandom(state: 17)
        var values: [Double] = [9.9996, 0.99996, 99.995, 0.00099996, -9.9996, 1, 0.5, 123.456, 1e-4, 9.5, 0.125]
        for _ in 0..<30_000 {
            values.append(Double.random(in: -10...10, using: &rng) * pow(10, Double(Int.random(in: -5...6, using: &rng))))
        }
        var compared = 0
        for v in values where v != 0 {
            for digits in 1...17 {
                let sci = String(format: "%.\(digits - 1)e", v)
                let exponent = Int(sci[sci.index(after: sci.firstIndex(of: "e")!)...])!
                guard digits - 1 - exponent >= 0 else { continue }
                #expect(NumberFormat.positional(sci, exponent: exponent) == String(format: "%.\(digits - 1 - exponent)f", v), "\(v) at \(digits) figures")
                compared += 1
            }
        }
        #expect(compared > 300_000)
    }

    @Test func noBuiltPageShowsAFalseEquation() throws {
        let folder = ProcessInfo.processInfo.environment["GRADTRACE_SCAN_DIR"].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.appendingPathComponent("output")
        let found = try Self.falseEquations(in: folder)
        #expect(!Self.pages(in: folder).isEmpty)
        // The lessons show thousands of equations; a scanner that stopped seeing them would pass.
        let checked = try Self.pages(in: folder).reduce(0) { $0 + EquationScanner.equationCount(in: try String(contentsOf: $1, encoding: .utf8)) }
        #expect(checked > 1_000, "only \(checked) equations checked")
        #expect(found.isEmpty, "\(found.count) false equations:\n\(found.prefix(40).joined(separator: "\n"))")
    }

    static let expressions: [(String, [String: Double])] = [
        ("1/(1 + exp(-(w0*x0 + w1*x1 + w2)))", ["w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3]),
        ("(x + sigmoid(y)) / (sigmoid(x) + (x + y)^2)", ["x": 3, "y": -4]),
        ("q = x*x + x; f = q * y + exp(x)", ["x": 0.7321, "y": -1.918]),
        ("x*y", ["x": 1e20, "y": 1e-25]),
        ("a*b*c*d + tanh(a*b) * softplus(c - d)", ["a": 1.37, "b": -0.71, "c": 0.043, "d": 2.9]),
    ]

    @Test func noExplainViewShowsAFalseEquation() throws {
        for (text, bindings) in Self.expressions {
            let trace = try Tracer(bindings: bindings).trace(Parser.parse(text))
            for format in [NumberFormat.standard, .diagram, NumberFormat(.decimals(2)), NumberFormat(.decimals(4)), NumberFormat(.significant(2)), NumberFormat(.significant(3))] {
                var out = ""
                TextRenderer.render(trace, options: ExplainOptions(format: format), to: &out)
                MarkdownRenderer.render(trace, options: ExplainOptions(format: format), to: &out)
                out += HTMLRenderer.walkthrough(trace, options: ExplainOptions(format: format))
                out += DotRenderer.render(trace, options: DotOptions(format: format))
                for k in 1...trace.steps.count { out += DotRenderer.render(trace, options: DotOptions(format: format, frame: k)) }
                let (found, checked) = EquationScanner.scan(out)
                #expect(found.isEmpty, "\(text) \(format): \(found.prefix(5))")
                // Every view shows at least one product per backward step.
                #expect(checked >= trace.steps.count, "\(text) \(format): only \(checked) equations checked")
            }
        }
    }

    /// Found by the expression fuzzer: an equation of numbers near 1e300 trapped in Decimal,
    /// whose exponent is 8 bits; such equations are shown, not checked.
    @Test func hugeAndTinyEquationsDoNotTrap() throws {
        for (x, y) in [(1e200, 1e100), (1e-200, 1e-150), (-3e307, 2.5)] {
            let t = try trace("x*y + x", ["x": x, "y": y])
            for format in [NumberFormat.standard, NumberFormat(.decimals(2)), NumberFormat(.significant(3))] {
                var out = ""
                TextRenderer.render(t, options: ExplainOptions(format: format), to: &out)
                #expect(out.contains("Output f"))
            }
        }
    }

    @Test func aNonzeroValueIsNeverShownAsZero() throws {
        let t = try trace("x*y", ["x": 1e20, "y": 1e-25])
        var out = ""
        TextRenderer.render(t, options: ExplainOptions(format: NumberFormat(.decimals(2))), to: &out)
        #expect(out.contains("1.0 × 10⁻²⁵"))
        #expect(!out.contains(" 0.00"))
        #expect(NumberFormat(.significant(2))(2.888e-05) == "2.9 × 10⁻⁵")
        #expect(NumberFormat(.significant(2)).shown(2.888e-05).latex == "2.9 \\times 10^{-5}")
        #expect(NumberFormat(.decimals(4))(3.51e-05) == "3.5 × 10⁻⁵")
    }

    @Test func thePublishedFiguresStillComeOutDigitForDigit() throws {
        let t = try trace("1/(1 + exp(-(w0*x0 + w1*x1 + w2)))", ["w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3])
        var out = ""
        TextRenderer.render(t, options: ExplainOptions(format: NumberFormat(.decimals(2))), to: &out)
        for line in ["∂f/∂w0 = -0.20", "∂f/∂x0 = 0.39", "∂f/∂w1 = -0.39", "∂f/∂x1 = -0.59", "∂f/∂w2 = 0.20", "Output f = 0.73"] {
            #expect(out.contains(line), "\(line)")
        }
        #expect(out.contains("-2.00 × 0.197 = -0.39"))
    }
}
