import Foundation
import Testing
@testable import GradTrace

/// Seeded worksheets are worth solving: for seeds 1–100, every shipped worksheet gets a variant
/// whose key is not all zeros, whose σ and tanh gates are not saturated, with no kink, no
/// division by nearly zero and targets in range; authors control the draw.
@Suite struct WorksheetVariantTests {
    /// The sheet's rounding rule is the one the key is computed with: halves away from zero,
    /// from the number as written (2.345 is 2.3449999… in binary, which rounded 2.34 before).
    @Test func theKeyRoundsAsTheSheetSays() {
        #expect(RoundAsYouGo.round(0.125, decimals: 2) == 0.13)
        #expect(RoundAsYouGo.round(-0.125, decimals: 2) == -0.13)
        #expect(RoundAsYouGo.round(2.345, decimals: 2) == 2.35)
        #expect(RoundAsYouGo.round(0.19661193324148185, decimals: 2) == 0.2)
        #expect(RoundAsYouGo.rule.contains("0.125 → 0.13"))
    }

    static func shippedWorksheets() throws -> [(String, CircuitBlock)] {
        let folder = packageRoot.appendingPathComponent("lessons")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().filter { $0.hasSuffix(".md") }.compactMap { file in
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let lesson = try LessonParser.parse(SourceText(text, name: file), fileName: file)
            return lesson.circuits.first { $0.options.worksheet != nil }.map { (lesson.slug, $0) }
        }
    }

    @Test func everySeedFrom1To100GivesASheetWorthSolving() throws {
        let sheets = try Self.shippedWorksheets()
        #expect(sheets.count >= 6)
        var checked = 0
        for (slug, block) in sheets {
            let graph = try Parser.parse(block.source, expansion: block.options.expand)
            let decimals = block.options.precision ?? 2
            let format = NumberFormat(.decimals(decimals))
            for seed in UInt64(1)...100 {
                guard case .success(let values) = Variant(seed: seed).values(for: graph, rules: block.options.variant, format: format, salt: slug) else {
                    Issue.record("\(slug) seed \(seed): no variant"); continue
                }
                let t = try Tracer(bindings: values).trace(graph)
                let half = 0.5 * pow(10, -Double(decimals))
                // Checked here directly, not through Variant.problems.
                #expect(graph.inputs.contains { abs(t.gradients[$0]) >= half }, "\(slug) seed \(seed): the key is all zeros")
                for i in 0..<graph.count where t.reachesOutput[i] {
                    let g = t.gradients[i]
                    #expect(g == 0 || abs(g) >= 10 * half, "\(slug) seed \(seed): a gradient is too small to read")
                    #expect(t.values[i].isFinite && g.isFinite)
                    switch graph.kind(i).name {
                    case "sigmoid": let s = t.values[i]; #expect(s * (1 - s) >= 0.09, "\(slug) seed \(seed): σ saturates")
                    case "tanh": let v = t.values[i]; #expect(1 - v * v >= 0.19, "\(slug) seed \(seed): tanh saturates")
                    case "max", "min": #expect(t.values[graph.input(i, 0)] != t.values[graph.input(i, 1)], "\(slug) seed \(seed): a tie")
                    case "reciprocal": #expect(abs(t.values[graph.input(i, 0)]) >= 0.5)
                    default: break
                    }
                }
                checked += 1
            }
        }
        #expect(checked == 100 * sheets.count)
    }

    @Test func authorsControlTheDraw() throws {
        let text = """
        ```gradtrace worksheet vary="x=1..3, w=-2..-1" fixed=t step=0.5
        x = 2; w = -1; b = 0.5; t = 0.9
        o = sigmoid(w*x + b)
        L = (t - o)^2
        ```
        """
        let lesson = try LessonParser.parse(SourceText(text, name: "v.md"), fileName: "v.md")
        let block = lesson.circuits[0]
        #expect(block.options.variant.ranges["x"] == 1...3 && block.options.variant.fixed == ["t"] && block.options.variant.step == 0.5)
        let graph = try Parser.parse(block.source)
        for seed in UInt64(1)...30 {
            guard case .success(let v) = Variant(seed: seed).values(for: graph, rules: block.options.variant, format: NumberFormat(.decimals(2)), salt: "v") else {
                Issue.record("seed \(seed)"); continue
            }
            #expect((1...3).contains(v["x"]!) && (-2 ... -1).contains(v["w"]!))
            #expect(v["t"] == nil, "a fixed value is kept")
            #expect(v["x"]! * 2 == (v["x"]! * 2).rounded(), "steps of 0.5")
        }
        // A target compared with a σ output is kept in range by default (it is not drawn).
        #expect(Variant.targets(graph)["t"] == 0...1)
    }

    @Test func anImpossibleDrawIsABuildErrorThatSaysWhy() throws {
        let text = "---\ntitle: T\n---\n```gradtrace worksheet vary=\"x=0..0\"\nx = 1\nf = relu(x) * 2\n```\n"
        let lesson = try LessonParser.parse(SourceText(text, name: "bad.md"), fileName: "bad.md")
        do {
            _ = try LessonBuilder(seed: 7).build(lesson)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("no worksheet variant for seed 7"))
            #expect(error.message.contains("kink") || error.message.contains("0"))
            #expect(error.line == 4)
        }
    }

    @Test func aSecondWorksheetBlockIsAnError() throws {
        let text = "```gradtrace worksheet\nx = 1\nf = x * 2\n```\n\n```gradtrace worksheet\ny = 1\ng = y * 3\n```\n"
        let lesson = try LessonParser.parse(SourceText(text, name: "two.md"), fileName: "two.md")
        #expect(throws: Diagnostic.self) { _ = try LessonBuilder().build(lesson) }
        do { _ = try LessonBuilder().build(lesson) } catch { #expect(error.line == 6 && error.message.contains("second block marked worksheet")) }
    }
}

@Suite struct PageWarningTests {
    @Test func aNonFiniteValueOnAPageIsReportedWithItsPlace() throws {
        let text = "---\ntitle: T\n---\nText.\n\n```gradtrace\nx = 0\nf = 1/x + log(x)\n```\n"
        let lesson = try LessonParser.parse(SourceText(text, name: "nf.md"), fileName: "nf.md")
        let (_, warnings) = try LessonBuilder().buildReporting(lesson)
        #expect(warnings.count == 2)
        #expect(warnings.map(\.location) == ["nf.md:8:5", "nf.md:8:11"])
        #expect(warnings[0].message.contains("division by zero"))
    }
}
