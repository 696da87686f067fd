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
