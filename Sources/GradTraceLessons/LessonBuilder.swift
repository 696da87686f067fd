import Foundation
import GradTraceCore
import GradTraceGraphviz
import GradTraceIO
import GradTraceTraining
import GradTraceViews

/// Turns a lesson into its files: the Markdown walkthrough page (README.md) with SVG and PNG
/// figures, a self-contained handout, a worksheet and its answer key, and a stepper page.
/// Everything is built in memory first, so a lesson that fails writes nothing.
package struct LessonBuilder: Sendable {
    /// Training steps one `gradtrace-train` block may take, over all its runs.
    package static let maxTrainingStepsPerBlock = 1_000_000

    /// With a seed, worksheets and answer keys use new input values drawn from it.
    package var seed: UInt64?

    /// A builder; see `seed`.
    package init(seed: UInt64? = nil) { self.seed = seed }

    /// One traced `gradtrace` block.
    package struct Circuit {
        package var index: Int
        package var block: CircuitBlock
        package var trace: Trace
        package var check: GradientCheck?
        package var format: NumberFormat
        package var caption: String
        package var svg: [UInt8]
        /// The gradient-magnitude chart, for blocks with `plot=depth`.
        package var depthSVG: [UInt8]? = nil
        /// `mode=forward`: the input node of the tangent pass.
        package var forwardWith: Int? = nil
        /// `paths=x`: the input node the paths start from.
        package var pathsFrom: Int? = nil

        package var dotOptions: DotOptions {
            var options = DotOptions(format: format, showGradients: block.options.showGradients, rankdir: block.options.rankdir, title: nil)
            options.tangentWith = forwardWith
            return options
        }
        package var explainOptions: ExplainOptions {
            var options = ExplainOptions(format: format, check: check, showGradients: block.options.showGradients)
            options.forwardWith = forwardWith
            options.pathsFrom = pathsFrom
            options.pathLimit = block.options.pathLimit
            options.compareModes = block.options.compare
            return options
        }
        /// The paths listed for frames and the stepper (empty unless `paths=` lists them).
        package var listedPaths: [Paths.Path] {
            guard let from = pathsFrom else { return [] }
            return Paths(trace, wrt: from, limit: block.options.pathLimit).paths ?? []
        }
        /// The frames a `frames` block draws: backward steps, or forward-mode steps, or paths.
        package var frameNames: [String] {
            if pathsFrom != nil && forwardWith == nil { return listedPaths.indices.map { "frames/figure-\(index)-path-\($0 < 9 ? "0" : "")\($0 + 1)" } }
            let count = forwardWith != nil ? trace.graph.gateCount : trace.steps.count
            return (0..<count).map { "frames/figure-\(index)-step-\($0 < 9 ? "0" : "")\($0 + 1)" }
        }
    }

    /// One traced and trained `gradtrace-train` block: one run per learning rate and momentum.
    package struct Training {
        package var index: Int
        package var block: TrainingBlock
        package var runs: [(name: String, trainer: Trainer, run: Trainer.Run)]
        package var report: TrainingReport
        package var caption: String
        package var svg: [UInt8]

        package var hasChart: Bool { (runs.map { $0.run.stepsTaken }.max() ?? 0) >= 2 }
    }

    package func train(_ block: TrainingBlock, index: Int, lesson: Lesson) throws(Diagnostic) -> (Training, [OutputFile]) {
        let explanation = try Explanation(source: block.source)
        let graph = explanation.graph, first = explanation.trace
        // Work per block is bounded: every run is a full training run.
        let o0 = block.options
        let work = o0.steps * max(1, o0.learningRates.count) * max(1, o0.momenta.count)
        if work > LessonBuilder.maxTrainingStepsPerBlock {
            throw Diagnostic("this block trains \(max(1, o0.learningRates.count) * max(1, o0.momenta.count)) run(s) of \(o0.steps) steps, \(work) steps in all; a lesson block may train at most \(LessonBuilder.maxTrainingStepsPerBlock)",
                             file: lesson.path, line: block.line, help: "fewer steps, or fewer learning rates and momenta in one block")
        }
        let o = block.options
        var runs: [(name: String, trainer: Trainer, run: Trainer.Run)] = []
        for mu in o.momenta {
            for lr in o.learningRates {
                let optimizer: Trainer.Optimizer = mu == 0 ? .gradientDescent : (o.nesterov ? .nesterov(mu) : .momentum(mu))
                let trainer = Trainer(parameters: o.parameters, learningRate: lr, steps: o.steps, optimizer: optimizer, stopBelow: o.stopBelow)
                var name = o.learningRates.count > 1 ? "η = \(formatShortest(lr))" : ""
                if o.momenta.count > 1 { name += (name.isEmpty ? "" : ", ") + (mu == 0 ? "plain gradient descent" : "\(o.nesterov ? "Nesterov" : "momentum") μ = \(formatShortest(mu))") }
                if name.isEmpty { name = "η = \(formatShortest(lr))" }
                runs.append((name, trainer, try trainer.train(graph)))
            }
        }
        let format = NumberFormat(precision: o.precision, digits: o.digits, fallback: NumberFormat(.significant(6), trimsZeros: true))
        let report = TrainingReport(trainer: runs[0].trainer, run: runs[0].run, firstStep: first, format: format)
        let caption = o.title ?? "Training \(report.lossName): loss per step"
        let chart = TrainingReport.lossChart(runs.map { ($0.name, $0.run) }, title: caption)
        let svg: [UInt8], png: [UInt8]
        do {
            svg = try chart.render(.svg)
            png = try chart.render(.png)
        } catch {
            throw Diagnostic(error.description, file: lesson.path, line: block.line)
        }
        let training = Training(index: index, block: block, runs: runs, report: report, caption: caption, svg: svg)
        // A single step has no curve to draw.
        let longest = runs.map { $0.run.stepsTaken }.max() ?? 0
        return (training, longest < 2 ? [] : [OutputFile(path: "training-\(index).svg", bytes: svg), OutputFile(path: "training-\(index).png", bytes: png)])
    }

    /// |∂f/∂node| along chains of nodes named prefix1, prefix2, … (the vanishing-gradient chart).
    package static func depthChart(_ trace: Trace, series prefixes: [String], title: String) -> Chart {
        let series = prefixes.map { prefix -> Chart.Series in
            var points: [(x: Double, y: Double)] = []
            for (i, node) in trace.graph.nodes.enumerated() {
                guard let name = node.name, name.hasPrefix(prefix), let k = Int(name.dropFirst(prefix.count)) else { continue }
                points.append((Double(k), abs(trace.gradients[i])))
            }
            return Chart.Series(name: "|∂\(Labels(trace.graph)[trace.graph.output])/∂\(prefix)k|", points: points.sorted { $0.x < $1.x }, markers: true)
        }
        return Chart(title: title, xLabel: "k (distance from the input)", yLabel: "gradient magnitude (log scale)", logY: true, series: series)
    }

    /// Every file of `lesson`, made in memory: README.md with its figures, handout.html, and where
    /// the lesson has them the worksheet, answer key, stepper, frames and charts. Throws a
    /// `Diagnostic` for the first block that fails, so a broken lesson produces no files.
    package func build(_ lesson: Lesson) throws(Diagnostic) -> [OutputFile] {
        try buildReporting(lesson).files
    }

    /// The lesson's files, and what a page would show wrongly enough to tell the author: a
    /// non-finite value in a circuit (inf, nan), as `file:line:column` warnings.
    package func buildReporting(_ lesson: Lesson) throws(Diagnostic) -> (files: [OutputFile], warnings: [Diagnostic]) {
        var warnings: [Diagnostic] = []
        var files: [OutputFile] = []
        var circuits: [Circuit] = []
        var trainings: [Training] = []
        for case .training(let block) in lesson.segments {
            let (training, made) = try train(block, index: trainings.count + 1, lesson: lesson)
            trainings.append(training)
            files += made
        }
        var networks: [Network] = []
        for case .network(let block) in lesson.segments {
            let (network, made) = try trainNetwork(block, index: networks.count + 1, lesson: lesson)
            networks.append(network)
            files += made
        }
        for block in lesson.circuits {
            let explanation = try Explanation(source: block.source, expansion: block.options.expand,
                                              check: block.options.check ? .sample : .none)
            let graph = explanation.graph, trace = explanation.trace
            do { try explanation.requireDrawable() } catch {
                throw Diagnostic(error.message, file: lesson.path, line: block.line, help: "split it into smaller blocks")
            }
            if block.options.frames && graph.gateCount > Graphviz.maxFrameGates {
                throw Diagnostic("frames draw one diagram per step; this circuit has \(graph.gateCount) gates and frames are limited to \(Graphviz.maxFrameGates)",
                                 file: lesson.path, line: block.line, help: "remove 'frames' from this block, or split the circuit")
            }
            let format = NumberFormat(precision: block.options.precision, digits: block.options.digits, fallback: .diagram)
            let index = circuits.count + 1
            let caption = block.options.title ?? "Circuit \(index): \(Walkthrough(trace, format: format).typedDefinition(graph.output))"
            var circuit = Circuit(index: index, block: block, trace: trace, check: explanation.check,
                                  format: format, caption: caption, svg: [])
            func input(_ name: String, _ option: String) throws(Diagnostic) -> Int {
                guard let id = graph.input(named: name) else {
                    throw Diagnostic("\(option)=\(name): '\(name)' is not an input of this circuit", file: lesson.path, line: block.line,
                                     help: graph.inputNames.isEmpty ? "it has no inputs" : "its inputs are \(graph.inputNames.joined(separator: ", "))")
                }
                return id
            }
            if block.options.forward {
                if let wrt = block.options.wrt {
                    circuit.forwardWith = try input(wrt, "wrt")
                } else if graph.inputs.count == 1 {
                    circuit.forwardWith = graph.inputs[0]
                } else {
                    throw Diagnostic("mode=forward pushes ∂/∂x from one input: say which with wrt=", file: lesson.path, line: block.line,
                                     help: "e.g. wrt=\(graph.inputNames.first ?? "x"); the inputs are \(graph.inputNames.joined(separator: ", "))")
                }
            }
            if let paths = block.options.paths { circuit.pathsFrom = try input(paths, "paths") }
            let dot = DotRenderer.render(trace, options: circuit.dotOptions)
            circuit.svg = try render(dot, .svg, lesson, block)
            files.append(OutputFile(path: "figure-\(index).svg", bytes: circuit.svg))
            files.append(OutputFile(path: "figure-\(index).png", bytes: try render(dot, .png, lesson, block)))
            if block.options.frames {
                if circuit.pathsFrom != nil && circuit.forwardWith == nil {
                    let count = Paths(trace, wrt: circuit.pathsFrom!, limit: block.options.pathLimit).count
                    if count > Double(min(block.options.pathLimit, Paths.maxFrames)) {
                        throw Diagnostic("frames with paths= draw one diagram per path; this circuit has \(PathWalkthrough(Walkthrough(trace), wrt: circuit.pathsFrom!, limit: 1).countText) paths and path frames are limited to \(min(block.options.pathLimit, Paths.maxFrames))",
                                         file: lesson.path, line: block.line, help: "remove 'frames' from this block (the paths are still listed up to path-limit)")
                    }
                }
                let listed = circuit.listedPaths
                for (k, name) in circuit.frameNames.enumerated() {
                    var options = circuit.dotOptions
                    if circuit.pathsFrom != nil && circuit.forwardWith == nil {
                        options.path = (k + 1, listed.count, listed[k])
                    } else {
                        options.frame = k + 1
                    }
                    let dot = DotRenderer.render(trace, options: options)
                    files.append(OutputFile(path: name + ".svg", bytes: try render(dot, .svg, lesson, block)))
                    files.append(OutputFile(path: name + ".png", bytes: try render(dot, .png, lesson, block)))
                }
            }
            if let prefixes = block.options.depthSeries {
                let chart = LessonBuilder.depthChart(trace, series: prefixes, title: "Gradient magnitude along the chain")
                do {
                    let svg = try chart.render(.svg)
                    circuit.depthSVG = svg
                    files.append(OutputFile(path: "depth-\(index).svg", bytes: svg))
                    files.append(OutputFile(path: "depth-\(index).png", bytes: try chart.render(.png)))
                } catch {
                    throw Diagnostic(error.description, file: lesson.path, line: block.line)
                }
            }
            circuits.append(circuit)
            let words = Walkthrough(trace)
            for warning in trace.warnings where warning.kind == .nonFinite {
                let span = trace.graph.nodes[warning.node].span
                warnings.append(Diagnostic("a page shows a non-finite value: \(words.message(warning))", file: lesson.path,
                                           line: span.map { $0.line + block.source.lineOffset } ?? block.line, column: span?.column))
            }
        }
        let worksheetLines = (circuits.filter { $0.block.options.worksheet != nil }.map(\.block.line)
            + trainings.filter { $0.block.options.worksheet }.map(\.block.line)).sorted()
        if worksheetLines.count > 1 {
            throw Diagnostic("a lesson has one worksheet; this is its second block marked worksheet", file: lesson.path,
                             line: worksheetLines[1], help: "remove 'worksheet' from all but one block (the first one at line \(worksheetLines[0]))")
        }
        let worksheetCircuit = circuits.first { $0.block.options.worksheet != nil }
        let worksheetTraining = trainings.first { $0.block.options.worksheet }
        files.append(OutputFile(path: "README.md", text: walkthroughPage(lesson, circuits, trainings, networks, hasWorksheet: worksheetCircuit != nil || worksheetTraining != nil)))
        files.append(OutputFile(path: "handout.html", text: handout(lesson, circuits, trainings, networks)))
        if let worksheetTraining {
            let sheet = trainingWorksheet(lesson, worksheetTraining)
            files.append(OutputFile(path: "worksheet.html", text: sheet.worksheet))
            files.append(OutputFile(path: "answer-key.html", text: sheet.key))
        }
        if let worksheetCircuit {
            let sheet = try worksheet(lesson, worksheetCircuit)
            files.append(OutputFile(path: "worksheet.html", text: sheet.worksheet))
            files.append(OutputFile(path: "answer-key.html", text: sheet.key))
        }
        if !circuits.isEmpty {
            files.append(OutputFile(path: "stepper.html", text: try stepper(lesson, circuits)))
        }
        return (files.sorted { $0.path < $1.path }, warnings)
    }

    private func render(_ dot: String, _ format: Graphviz.Format, _ lesson: Lesson, _ block: CircuitBlock) throws(Diagnostic) -> [UInt8] {
        do {
            return try Graphviz.render(dot: dot, format: format)
        } catch {
            throw Diagnostic(error.description, file: lesson.path, line: block.line)
        }
    }

    // MARK: Pages

    /// The lesson's file name, without its folder (which depends on where the build ran).
    package func fileName(_ lesson: Lesson) -> String {
        String(lesson.path.split(separator: "/").last ?? Substring(lesson.slug + ".md"))
    }

    private func code(_ s: String) -> String { s.replacingOccurrences(of: "`", with: "'") }

    private func links(_ circuits: [Circuit], hasWorksheet: Bool) -> [(String, String)] {
        var links = [("Handout", "handout.html")]
        if hasWorksheet { links += [("Worksheet", "worksheet.html"), ("Answer key", "answer-key.html")] }
        if !circuits.isEmpty { links.append(("Step through it", "stepper.html")) }
        return links
    }

    package func walkthroughPage(_ lesson: Lesson, _ circuits: [Circuit], _ trainings: [Training], _ networks: [Network] = [], hasWorksheet: Bool) -> String {
        var out = "# \(escapeMarkdown(lesson.title))\n\n"
        if let summary = lesson.summary { out += "*\(escapeMarkdown(summary))*\n\n" }
        out += links(circuits, hasWorksheet: hasWorksheet).map { "[\($0.0)](\($0.1))" }.joined(separator: " · ") + "\n\n"
        var next = 0, nextTraining = 0, nextNetwork = 0
        for segment in lesson.segments {
            switch segment {
            case .prose(let text):
                out += Prose.markdown(text) + "\n\n"
            case .network:
                out += networkMarkdown(networks[nextNetwork])
                nextNetwork += 1
            case .training:
                let t = trainings[nextTraining]
                nextTraining += 1
                if t.hasChart { out += "![\(escapeMarkdown(t.caption))](training-\(t.index).svg)\n\n" }
                out += trainingMarkdown(t)
            case .circuit:
                let circuit = circuits[next]
                next += 1
                out += "![\(escapeMarkdown(circuit.caption))](figure-\(circuit.index).svg)\n\n"
                let summary = circuit.forwardWith != nil ? "every gate, local gradient × incoming tangent" : "every gate, local gradient × upstream gradient"
                out += "<details>\n<summary>Walkthrough of circuit \(circuit.index): \(summary)</summary>\n\n"
                var options = circuit.explainOptions
                options.title = "Walkthrough: \(circuit.caption)"
                MarkdownRenderer.render(circuit.trace, options: options, headingLevel: 3, to: &out)
                out = out.trimmingTrailingNewlines() + "\n\n</details>\n\n"
                if circuit.block.options.depthSeries != nil {
                    out += "![Gradient magnitude along the chain](depth-\(circuit.index).svg)\n\n"
                }
                if circuit.block.options.frames {
                    let frames = circuit.frameNames.enumerated().map { "[\($0.offset + 1)](\($0.element).svg)" }
                    let what = circuit.pathsFrom != nil && circuit.forwardWith == nil ? "Path by path" : circuit.forwardWith != nil ? "Forward mode, step by step" : "Step by step"
                    out += "\(what): " + frames.joined(separator: " · ") + "\n\n"
                }
            }
        }
        out += "---\n*Generated by gradtrace from the lesson `\(code(fileName(lesson)))`. Do not edit: edit the lesson and rebuild.*\n"
        return out
    }

    /// A circuit for a printed page (PrintLayout): top to bottom as the alternative layout.
    private func printFigure(_ svg: [UInt8], _ options: DotOptions, _ trace: Trace, idPrefix: String, caption: String?,
                             _ lesson: Lesson, _ block: CircuitBlock, keepOnPage: Bool = false, sameAsTopToBottom: Bool = false) -> String {
        PrintLayout.figure(svg, idPrefix: idPrefix, caption: caption, alt: FigureText.circuit(trace, options, caption: caption),
                           table: FigureText.wireTable(trace, options, caption: caption), keepOnPage: keepOnPage, sameAsTopToBottom: sameAsTopToBottom,
                           topToBottom: options.rankdir == "TB" ? nil : {
            var tb = options
            tb.rankdir = "TB"
            return try? Graphviz.render(dot: DotRenderer.render(trace, options: tb), format: .svg)
        })
    }

    package func handout(_ lesson: Lesson, _ circuits: [Circuit], _ trainings: [Training], _ networks: [Network] = []) -> String {
        var body = "<header>\n" + HTML.text("h1", [], lesson.title) + "\n"
        if let summary = lesson.summary { body += HTML.text("p", [("class", "summary")], summary) + "\n" }
        // The legend reads the wires of circuit diagrams; a lesson of charts only has none.
        if !circuits.isEmpty || trainings.contains(where: { $0.block.options.explain }) || networks.isEmpty {
            body += "<p class=\"legend\">On every wire: the forward value (green, first line) and the gradient ∂\(HTML.escape(circuits.first.map { Labels($0.trace.graph)[$0.trace.graph.output] } ?? "f"))/∂wire (red, second line, marked ∇)\(circuits.contains { $0.forwardWith != nil } ? "; in forward mode, the tangent ∂wire/∂x instead (blue, second line, marked ∂/∂x)" : "").</p>\n"
        }
        body += "</header>\n"
        var next = 0, nextTraining = 0, nextNetwork = 0
        for segment in lesson.segments {
            switch segment {
            case .prose(let text):
                body += "<section class=\"prose\">\n" + Prose.html(text) + "\n</section>\n"
            case .network:
                body += networkHTML(networks[nextNetwork])
                nextNetwork += 1
            case .training:
                let t = trainings[nextTraining]
                nextTraining += 1
                if t.hasChart {
                    body += PrintLayout.figure(t.svg, idPrefix: "t\(t.index)", caption: t.caption,
                                               alt: (t.caption, "Line chart of the training loss: step number across, loss up.")) + "\n"
                }
                body += trainingHTML(t)
            case .circuit:
                let circuit = circuits[next]
                next += 1
                body += printFigure(circuit.svg, circuit.dotOptions, circuit.trace, idPrefix: "c\(circuit.index)", caption: circuit.caption,
                                        lesson, circuit.block) + "\n"
                body += HTMLRenderer.walkthrough(circuit.trace, options: circuit.explainOptions)
                if let svg = circuit.depthSVG {
                    body += PrintLayout.figure(svg, idPrefix: "d\(circuit.index)", caption: nil,
                                               alt: ("Gradient magnitude along the chain", "Chart of the size of the gradient at each stage of \(circuit.caption), from the output back to the input.")) + "\n"
                }
            }
        }
        body += "<footer>Generated by gradtrace from the lesson \(HTML.escape(fileName(lesson))).</footer>"
        return HTML.page(title: lesson.title, css: Styles.base, body: body)
    }

    // MARK: Training

    /// Loss per run at the thinned steps: one column per run.
    private func comparisonRows(_ t: Training) -> [[String]] {
        let longest = t.runs.map { $0.run.stepsTaken }.max() ?? 0
        var rows = [["after k updates"] + t.runs.map(\.name)]
        for updates in Trainer.thinnedUpdates(longest) {
            rows.append([String(updates)] + t.runs.map { $0.run.loss(afterUpdates: updates).map(t.report.format.callAsFunction) ?? "—" })
        }
        return rows
    }

    package func trainingMarkdown(_ t: Training) -> String {
        var out = ""
        if t.runs.count == 1 {
            t.report.markdown(to: &out, plot: nil, headingLevel: 3, explainFirstStep: t.block.options.explain)
            return out
        }
        for run in t.runs {
            let report = TrainingReport(trainer: run.trainer, run: run.run, firstStep: t.report.firstStep, format: t.report.format)
            out += "- **\(escapeMarkdown(run.name))**: \(escapeMarkdown(report.resultLine))\n"
        }
        let rows = comparisonRows(t)
        out += "\n| " + rows[0].map(MarkdownRenderer.cell).joined(separator: " | ") + " |\n|" + rows[0].map { _ in "---:|" }.joined() + "\n"
        for row in rows.dropFirst() { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out + "\n"
    }

    package func trainingHTML(_ t: Training) -> String {
        var out = "<div class=\"walkthrough\">\n"
        let rows: [[String]]
        if t.runs.count == 1 {
            out += HTML.text("p", [], t.report.headline + ".") + "\n"
            if t.block.options.explain {
                out += "<h4>Step 1 in full: the forward pass and every backward step</h4>\n"
                out += HTMLRenderer.walkthrough(t.report.firstStep, options: ExplainOptions(format: t.report.format))
            }
            out += "<h4>Updates after step 1 (gradients taken at the old weights)</h4>\n<ul>\n"
            for line in t.report.updateLines() { out += HTML.text("li", [("class", "line")], line) + "\n" }
            out += "</ul>\n"
            rows = t.report.tableRows
        } else {
            out += "<ul>\n"
            for run in t.runs {
                let report = TrainingReport(trainer: run.trainer, run: run.run, firstStep: t.report.firstStep, format: t.report.format)
                out += "<li>" + HTML.text("strong", [], run.name) + ": " + HTML.escape(report.resultLine) + "</li>\n"
            }
            out += "</ul>\n"
            rows = comparisonRows(t)
        }
        out += "<h4>Training, step by step</h4>\n<p class=\"note\">Each row is the state after k updates (k = 0 is the start); its gradients are the ones the next update uses, so the last row has none (—).</p>\n"
        // Parameters and gradients as two tables, so a page holds them at any width.
        let columns = rows[0].count
        let groups: [[Int]] = t.runs.count == 1 && columns > 6
            ? [Array(0..<(2 + (columns - 2) / 2)), [0] + Array((2 + (columns - 2) / 2)..<columns)]
            : [Array(0..<columns)]
        for group in groups {
            out += "<table class=\"wide\"><thead><tr>" + group.map { HTML.text("th", [("class", "num")], rows[0][$0]) }.joined() + "</tr></thead><tbody>\n"
            for row in rows.dropFirst() { out += "<tr>" + group.map { HTML.text("td", [("class", "num")], row[$0]) }.joined() + "</tr>\n" }
            out += "</tbody></table>\n"
        }
        if t.runs.count == 1 { out += HTML.text("p", [], t.report.resultLine) + "\n" }
        return out + "</div>\n"
    }

    // MARK: Worksheet and answer key

    /// One training step by hand: the circuit at the starting parameters with its gradients
    /// blank, then one update line per parameter to complete; the key fills both in.
    package func trainingWorksheet(_ lesson: Lesson, _ t: Training) -> (worksheet: String, key: String) {
        let trace = t.report.firstStep
        let format = t.report.format
        let w = Walkthrough(trace, format: format)
        let run = t.runs[0]
        let f = w.outputName
        var blank = DotOptions(format: format, showGradients: true, rankdir: "LR")
        blank.blankGradients = true
        let full = DotOptions(format: format, rankdir: "LR")
        func figure(_ options: DotOptions, _ prefix: String, sameAsTopToBottom: Bool = false) -> String {
            guard let svg = try? Graphviz.render(dot: DotRenderer.render(trace, options: options), format: .svg) else { return "" }
            return printFigure(svg, options, trace, idPrefix: prefix, caption: nil, lesson, CircuitBlock(source: t.block.source, line: t.block.line, options: .init()),
                               keepOnPage: true, sameAsTopToBottom: sameAsTopToBottom)
        }
        let lines = TrainingReport(trainer: run.trainer, run: run.run, firstStep: trace, format: format).updateLines()
        let rule: String
        switch run.trainer.optimizer {
        case .gradientDescent: rule = "w ← w − η × ∂\(f)/∂w with η = \(formatShortest(run.trainer.learningRate))"
        case .momentum(let mu), .nesterov(let mu):
            rule = "v ← μ × v − η × ∂\(f)/∂w, then w ← w + v, with μ = \(formatShortest(mu)), η = \(formatShortest(run.trainer.learningRate)) and v = 0 at the start"
        case .rmsprop, .adam:
            rule = run.trainer.optimizer.rule + ", with η = \(formatShortest(run.trainer.learningRate))"
        }
        let rounding: String
        switch format.mode {
        case .decimals(let p): rounding = "Round every number you write to \(p) decimals (\(RoundAsYouGo.rule))."
        case .significant(let n): rounding = "Keep \(n) significant figures in every number you write."
        case .shortest: rounding = ""
        }
        func table(filled: Bool) -> String {
            var rows = ""
            for (k, name) in run.run.parameters.enumerated() {
                let id = trace.graph.input(named: name)!
                let g = filled ? "<span class=\"gradient\">\(HTML.escape(format(trace.gradients[id])))</span>" : "<span class=\"blank\"></span>"
                let update = filled ? "<span class=\"value\">\(HTML.escape(lines[k]))</span>" : "\(HTML.escape(name)) ← <span class=\"blank\" style=\"min-width: 16rem\"></span>"
                rows += "<tr><td>\(HTML.escape(name))</td><td class=\"num value\">\(HTML.escape(format(trace.values[id])))</td><td class=\"num\">\(g)</td><td>\(update)</td></tr>\n"
            }
            return "<table class=\"answers\"><thead><tr><th>parameter</th><th class=\"num\">value</th><th class=\"num\">∂\(HTML.escape(f))/∂parameter</th><th>after one update</th></tr></thead><tbody>\n\(rows)</tbody></table>\n"
        }
        let head = HTML.text("h1", [], lesson.title)
        let task = "The forward values are on the wires. Run the circuit backward from ∂\(f)/∂\(f) = 1, filling in every gradient; then update every parameter once: \(rule). Every gradient of the step is taken at the old values. \(rounding)"
        var sheet = head + "\n<p class=\"summary\">Worksheet · one training step by hand, from the starting values</p>\n"
        sheet += "<p>Name: <span class=\"blank\" style=\"min-width: 16rem\"></span></p>\n<p>\(HTML.escape(task))</p>\n"
        let sheetFigure = figure(blank, "w")
        sheet += sheetFigure + "\n" + table(filled: false)
        var key = head + "\n<p class=\"summary\">Answer key · one training step by hand, from the starting values</p>\n"
        key += "<p>\(HTML.escape(f)) = <span class=\"value\">\(HTML.escape(format(trace.output)))</span> at the start; after the update it is <span class=\"value\">\(HTML.escape(run.run.loss(afterUpdates: 1).map(format.callAsFunction) ?? "—"))</span>.</p>\n"
        key += figure(full, "k", sameAsTopToBottom: sheetFigure.hasPrefix("<figure class=\"top-to-bottom\"")) + "\n" + table(filled: true)
        key += HTMLRenderer.walkthrough(trace, options: ExplainOptions(format: format))
        return (HTML.page(title: "\(lesson.title) — worksheet", css: Styles.base, body: sheet),
                HTML.page(title: "\(lesson.title) — answer key", css: Styles.base, body: key))
    }

    package func worksheet(_ lesson: Lesson, _ circuit: Circuit) throws(Diagnostic) -> (worksheet: String, key: String) {
        var trace = circuit.trace
        var variantNote = ""
        var decimals = circuit.block.options.precision ?? 2
        var format = NumberFormat(.decimals(decimals))
        if let seed {
            switch Variant(seed: seed).values(for: trace.graph, rules: circuit.block.options.variant, format: format, salt: lesson.slug) {
            case .success(let values):
                var bindings = values
                for id in trace.graph.inputs where bindings[trace.graph.nodes[id].name ?? ""] == nil {
                    bindings[trace.graph.nodes[id].name ?? ""] = trace.values[id]
                }
                trace = try Tracer(bindings: bindings).trace(trace.graph)
            case .failure(let failure):
                throw Diagnostic("no worksheet variant for seed \(seed) after \(Variant.maxDraws) draws: \(failure.reason)",
                                 file: lesson.path, line: circuit.block.line,
                                 help: "widen the ranges with vary=\"x=-3..3\", keep values with fixed=name, allow decimals with step=0.1, or try another --seed")
            }
            variantNote = " · variant \(seed)"
        }
        if let bad = trace.warnings.first(where: { $0.kind == .nonFinite }) {
            throw Diagnostic("the worksheet would show a non-finite value: \(Walkthrough(trace).message(bad))",
                             file: lesson.path, line: circuit.block.line, help: "choose input values that keep every number finite")
        }
        let kind = circuit.block.options.worksheet ?? .gradients
        // A sheet whose every number is whole shows whole numbers (unless the author set decimals).
        let wholeNumbers = (trace.values + trace.gradients).allSatisfy { $0 == $0.rounded() }
        if wholeNumbers && circuit.block.options.precision == nil {
            decimals = 0
            format = NumberFormat(.decimals(0))
        }
        let w = Walkthrough(trace, format: format)
        let f = w.outputName
        // How to round, and what the key accepts: the drift of a student who rounds every
        // number they write, at least one unit of the last decimal.
        let student = RoundAsYouGo(trace, decimals: decimals)
        let unit = pow(10, -Double(decimals))
        // Each answer's tolerance: how far a student who rounds as they go can land from it.
        func tolerance(_ i: Int) -> Double {
            var drift = abs(student.gradients[i] - trace.gradients[i])
            if kind == .values { drift = max(drift, abs(student.values[i] - trace.values[i])) }
            return max(unit, (drift / unit - 1e-9).rounded(.up) * unit)
        }
        let toleranceFormat = NumberFormat(.decimals(decimals))
        let rounding = wholeNumbers
            ? "Every answer is a whole number."
            : "Round every number you write to \(decimals) decimal\(decimals == 1 ? "" : "s") (\(RoundAsYouGo.rule)), and work on with the rounded numbers. Rounding as you go can move the last digit: the answer key gives, for each answer, how far off it may be."
        var blankOptions = DotOptions(format: format, showGradients: true, rankdir: circuit.block.options.rankdir)
        blankOptions.blankGradients = true
        blankOptions.blankValues = kind == .values
        let sheetSVG = try render(DotRenderer.render(trace, options: blankOptions), .svg, lesson, circuit.block)
        let keyOptions = DotOptions(format: format, rankdir: circuit.block.options.rankdir)
        let keySVG = try render(DotRenderer.render(trace, options: keyOptions), .svg, lesson, circuit.block)

        func table(filled: Bool) -> String {
            var rows = ""
            for i in 0..<trace.graph.count where !trace.graph.nodes[i].gate.isConstant {
                let isInput = trace.graph.nodes[i].gate.isInput
                let showValue = filled || kind == .gradients || isInput
                let value = showValue ? "<span class=\"value\">\(HTML.escape(format(trace.values[i])))</span>" : "<span class=\"blank\"></span>"
                let grad = filled ? "<span class=\"gradient\">\(HTML.escape(format(trace.gradients[i])))</span>" : "<span class=\"blank\"></span>"
                let accept = filled && !wholeNumbers ? "<td class=\"num\">±\(HTML.escape(toleranceFormat(tolerance(i))))</td>" : ""
                rows += "<tr><td>\(HTML.escape(w.labels[i]))</td><td><code>\(HTML.escape(w.gateText(i)))</code></td><td class=\"num\">\(value)</td><td class=\"num\">\(grad)</td>\(accept)</tr>\n"
            }
            let acceptHead = filled && !wholeNumbers ? "<th class=\"num\">accept</th>" : ""
            return "<table class=\"answers\"><thead><tr><th>wire</th><th>gate</th><th class=\"num\">value</th><th class=\"num\">∂\(HTML.escape(f))/∂wire</th>\(acceptHead)</tr></thead><tbody>\n\(rows)</tbody></table>\n"
        }
        let inputs = HTML.escape(w.inputSummary())
        let task = kind == .values
            ? "Run the circuit forward from the inputs, then backward from ∂\(HTML.escape(f))/∂\(HTML.escape(f)) = 1. Fill in every value and every gradient."
            : "The forward values are given. Run the circuit backward, starting from ∂\(HTML.escape(f))/∂\(HTML.escape(f)) = 1 at the output: at each gate multiply its local gradient by the gradient arriving from above, and add the contributions where a wire forks. Fill in every gradient."
        let head = HTML.text("h1", [], lesson.title)
        var sheet = head + "\n<p class=\"summary\">Worksheet\(variantNote) · \(HTML.escape(circuit.caption))</p>\n"
        sheet += "<p>Name: <span class=\"blank\" style=\"min-width: 16rem\"></span></p>\n"
        sheet += "<p>Inputs: <span class=\"value\">\(inputs)</span>. \(task) \(HTML.escape(rounding))</p>\n"
        let sheetFigure = printFigure(sheetSVG, blankOptions, trace, idPrefix: "w", caption: nil, lesson, circuit.block, keepOnPage: true)
        sheet += sheetFigure + "\n" + table(filled: false)
        var key = head + "\n<p class=\"summary\">Answer key\(variantNote) · \(HTML.escape(circuit.caption))</p>\n"
        key += "<p>Inputs: <span class=\"value\">\(inputs)</span>. Output \(HTML.escape(f)) = <span class=\"value\">\(HTML.escape(format(trace.output)))</span>."
        key += wholeNumbers ? " Every answer is a whole number.</p>\n" : " The last column says how far from each answer a student who rounds every number to \(decimals) decimals as they go can land; accept answers within it.</p>\n"
        key += printFigure(keySVG, keyOptions, trace, idPrefix: "k", caption: nil, lesson, circuit.block, keepOnPage: true,
                           sameAsTopToBottom: sheetFigure.hasPrefix("<figure class=\"top-to-bottom\"")) + "\n" + table(filled: true)
        key += HTMLRenderer.walkthrough(trace, options: ExplainOptions(format: format))
        return (HTML.page(title: "\(lesson.title) — worksheet", css: Styles.base, body: sheet),
                HTML.page(title: "\(lesson.title) — answer key", css: Styles.base, body: key))
    }

    // MARK: Stepper

    /// One frame's diagram, named and described for a screen reader, and its wires as a table.
    private func stepperFigure(_ trace: Trace, _ options: DotOptions, _ lesson: Lesson, _ circuit: Circuit, idPrefix: String) throws(Diagnostic) -> String {
        let svg = try render(DotRenderer.render(trace, options: options), .svg, lesson, circuit.block)
        let alt = FigureText.circuit(trace, options, caption: circuit.caption)
        return HTML.inlineSVG(svg, idPrefix: idPrefix, title: alt.title, description: alt.description) + "\n"
            + FigureText.wireTable(trace, options, caption: nil)
    }

    package func stepper(_ lesson: Lesson, _ circuits: [Circuit]) throws(Diagnostic) -> String {
        var frames: [String] = []
        for circuit in circuits {
            let trace = circuit.trace
            let w = Walkthrough(trace, format: circuit.format)
            var forward = circuit.dotOptions
            forward.showGradients = false
            let total = trace.steps.count
            var frame = "<h2>\(HTML.escape(circuit.caption)) — forward pass</h2>\n"
            let next = circuit.forwardWith.map { " Press → to push ∂/∂\(w.labels[$0]) up, gate by gate." } ?? " Press → to go backward."
            frame += "<p class=\"line\">Values flow left to right: \(HTML.escape(w.inputSummary())) gives \(HTML.escape(w.outputName)) = \(HTML.escape(circuit.format(trace.output))).\(circuit.block.options.showGradients ? HTML.escape(next) : "")</p>\n"
            frame += try stepperFigure(trace, forward, lesson, circuit, idPrefix: "s\(frames.count)")
            frames.append(frame)
            guard circuit.block.options.showGradients else { continue }
            let drawn = trace.graph.gateCount <= Graphviz.maxFrameGates
            let tooBig = "<p class=\"note\">No diagram per step for a circuit of more than \(Graphviz.maxFrameGates) gates.</p>"
            if let wrt = circuit.forwardWith {
                let fw = ForwardModeWalkthrough(w, wrt: wrt)
                for k in 1...max(1, fw.stepCount) where fw.stepCount > 0 {
                    var options = circuit.dotOptions
                    options.frame = k
                    options.stepCaption = false
                    var frame = "<h2>\(HTML.escape(circuit.caption)) — forward-mode step \(k) of \(fw.stepCount)</h2>\n"
                    frame += "<p class=\"line\">\(DerivativeHTML.step(fw.step(k), fw))</p>\n"
                    frame += drawn ? try stepperFigure(trace, options, lesson, circuit, idPrefix: "s\(frames.count)") : tooBig
                    frames.append(frame)
                }
            }
            if circuit.pathsFrom != nil && circuit.forwardWith == nil {
                let pw = PathWalkthrough(w, wrt: circuit.pathsFrom!, limit: circuit.block.options.pathLimit)
                for row in (pw.rows ?? []).count <= Paths.maxFrames ? (pw.rows ?? []) : [] {
                    var options = circuit.dotOptions
                    options.path = (row.number, pw.rows!.count, row.path)
                    options.stepCaption = false
                    var frame = "<h2>\(HTML.escape(circuit.caption)) — path \(row.number) of \(pw.rows!.count) from \(HTML.escape(pw.wrtName))</h2>\n"
                    frame += "<p class=\"line\">\(DerivativeHTML.pathLine(row))</p>\n"
                    frame += drawn ? try stepperFigure(trace, options, lesson, circuit, idPrefix: "s\(frames.count)") : tooBig
                    frames.append(frame)
                }
            }
            if circuit.forwardWith != nil { continue }
            for k in 0..<trace.steps.count {
                var options = circuit.dotOptions
                options.frame = k + 1
                options.stepCaption = false
                var frame = "<h2>\(HTML.escape(circuit.caption)) — backward step \(k + 1) of \(total)</h2>\n"
                frame += "<p class=\"line\">\(HTMLRenderer.step(w.step(k + 1), w: w))</p>\n"
                // A layout per step: only for circuits small enough (a 119-gate circuit took 95 s).
                frame += trace.graph.gateCount > Graphviz.maxFrameGates
                    ? "<p class=\"note\">No diagram per step for a circuit of more than \(Graphviz.maxFrameGates) gates.</p>"
                    : try stepperFigure(trace, options, lesson, circuit, idPrefix: "s\(frames.count)")
                frames.append(frame)
            }
        }
        var body = HTML.text("h1", [], lesson.title) + "\n"
        body += "<div class=\"controls\"><button id=\"prev\" type=\"button\">← Previous</button><button id=\"next\" type=\"button\">Next →</button>"
        body += "<span id=\"position\" aria-live=\"polite\">1 / \(frames.count)</span><span class=\"legend\">Keys: ← → (or space), Home, End</span></div>\n"
        for (k, frame) in frames.enumerated() {
            body += "<section class=\"frame\" id=\"frame-\(k + 1)\"\(k == 0 ? "" : " hidden")>\n\(frame)\n</section>\n"
        }
        let script = Styles.stepperScript
        return HTML.page(title: "\(lesson.title) — step through", css: Styles.base + "\n" + Styles.stepper, body: body, script: script)
    }
}

// MARK: Networks trained on data

extension LessonBuilder {
    /// The description of a network block's chart, for a screen reader.
    static func describe(_ figure: NetworkBlock.Figure, _ title: String) -> String {
        switch figure {
        case .loss: return "Line chart of the loss per epoch, training and validation: epoch across, loss up."
        case .accuracy: return "Line chart of the accuracy per epoch, training and validation: epoch across, accuracy up."
        case .gradients: return "Line chart of the root-mean-square gradient of each layer per epoch: epoch across, gradient size up."
        case .boundary: return "Plot of the plane (x1 across, x2 up) shaded by the class the trained network predicts, with the data points drawn on it, each class with its own marker."
        case .network: return "Diagram of the trained network: its layers from the inputs to the output, with a line for each weight."
        case .dead: return "Chart of the dead ReLUs of each layer per epoch."
        case .epochs, .layers: return title
        }
    }
    /// Work one `gradtrace-network` block may do: tape nodes × examples run through them (training
    /// batches, validation after each epoch, the final scores and the decision boundary's grid).
    package static let maxNetworkWorkPerBlock = 200_000_000
    /// Rows a block's data may have.
    package static let maxNetworkRows = 100_000

    /// One trained `gradtrace-network` block: its report and the figures it shows.
    package struct Network {
        package var index: Int
        package var block: NetworkBlock
        package var report: NetworkReport
        /// The figures in the order the page shows them: which, the file's stem, its title, the SVG.
        package var figures: [(figure: NetworkBlock.Figure, name: String, title: String, svg: [UInt8])]
    }

    /// The data of a block: a generator, or a CSV file beside the lesson (never outside the
    /// lesson's folder: no absolute paths, no `..`, no link that leads out).
    package static func networkData(_ spec: String, lesson: Lesson, line: Int) throws(Diagnostic) -> Dataset {
        func fail(_ message: String, _ help: String? = nil) -> Diagnostic { Diagnostic(message, file: lesson.path, line: line, help: help) }
        if !NetworkBlock.isFile(spec), let generator = try? DataGenerator.parse(spec) {
            guard generator.count <= maxNetworkRows else {
                throw fail("data has \(generator.count) rows; a lesson block may use at most \(maxNetworkRows)", "fewer points, e.g. n=200")
            }
            return generator.generate()
        }
        let parts = spec.split(separator: "/", omittingEmptySubsequences: false)
        guard !spec.hasPrefix("/"), !spec.hasPrefix("~"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw fail("data file '\(spec)' must be a path inside the lessons folder, relative to the lesson", "e.g. data=points.csv for lessons/points.csv")
        }
        let folder = URL(fileURLWithPath: lesson.path).deletingLastPathComponent().resolvingSymlinksInPath()
        let file = folder.appendingPathComponent(spec).resolvingSymlinksInPath()
        guard file.path.hasPrefix(folder.path + "/") else {
            throw fail("data file '\(spec)' leads outside the lessons folder", "copy the file into the lessons folder")
        }
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw fail("no data file '\(spec)' beside the lesson", "give a CSV file in the lessons folder, or a generator: \(DataGenerator.usage)")
        }
        let data: Dataset
        do { data = try Dataset.load(file.path) } catch let d {
            throw Diagnostic(d.message, file: lesson.path, line: line, help: d.help ?? (d.line.map { "in \(spec), line \($0)" }))
        }
        // Name the file as the lesson wrote it, not as this machine resolved it.
        guard data.count <= maxNetworkRows else { throw fail("data has \(data.count) rows; a lesson block may use at most \(maxNetworkRows)") }
        return Dataset(name: spec, columns: data.columns, values: data.values)
    }

    package func trainNetwork(_ block: NetworkBlock, index: Int, lesson: Lesson) throws(Diagnostic) -> (Network, [OutputFile]) {
        let o = block.options
        func fail(_ message: String, _ help: String? = nil) -> Diagnostic { Diagnostic(message, file: lesson.path, line: block.line, help: help) }
        func located(_ d: Diagnostic) -> Diagnostic { d.line == nil ? Diagnostic(d.message, file: lesson.path, line: block.line, help: d.help) : d }
        var graph = try Explanation.graph(source: block.source)
        if o.seed != 0 { graph.initializeParameters(seed: o.seed) }
        var training = try LessonBuilder.networkData(o.data, lesson: lesson, line: block.line)
        var trainer: Trainer
        do {
            trainer = Trainer(parameters: o.parameters, schedule: try Schedule.parse(o.learningRate), steps: o.steps ?? 100, optimizer: .gradientDescent)
        } catch { throw fail("lr: \(error.message)", error.help) }
        trainer.optimizer = .named(o.optimizer ?? "sgd", momentum: o.momentum)
        trainer.penalty = o.l2.map { .l2($0) } ?? o.l1.map { .l1($0) } ?? .none
        trainer.seed = o.seed
        trainer.batchSize = o.batch
        var classifier: Classifier?
        if let text = o.classify {
            do { classifier = try Classifier.parse(text) } catch { throw located(error) }
        }
        trainer.classifier = classifier
        if let fraction = o.validate {
            let parts = training.split(validation: fraction, seed: o.seed)
            training = parts.training
            trainer.validation = parts.validation
        }
        let model: Model
        do { model = try Model(graph: graph, parameters: o.parameters, data: training) } catch { throw located(error) }
        let rows = training.count, perBatch = min(o.batch ?? rows, rows)
        let batchesPerEpoch = (rows + perBatch - 1) / perBatch
        if let epochs = o.epochs { trainer.steps = epochs * batchesPerEpoch }
        // The work is bounded before any of it is done.
        let epochs = (trainer.steps + batchesPerEpoch - 1) / batchesPerEpoch
        let examples = trainer.steps * perBatch + epochs * (trainer.validation?.count ?? 0) + 3 * rows + 60 * 60
        let work = graph.count * examples
        if work > LessonBuilder.maxNetworkWorkPerBlock {
            throw fail("this block runs \(examples) examples through a tape of \(graph.count) nodes, \(work) node evaluations; a lesson block may do at most \(LessonBuilder.maxNetworkWorkPerBlock)",
                       "fewer steps, smaller batches, fewer rows or a smaller network")
        }
        let run: Trainer.Run
        do { run = try trainer.train(model, data: training) } catch { throw located(error) }
        let format = NumberFormat(precision: o.precision, digits: o.digits, fallback: NumberFormat(.significant(6), trimsZeros: true))
        let report = NetworkReport(model: model, trainer: trainer, run: run, data: training, format: format)
        var network = Network(index: index, block: block, report: report, figures: [])
        var files: [OutputFile] = []
        for figure in o.show {
            var chart: (title: String, svg: () throws(Graphviz.Failure) -> [UInt8], png: () throws(Graphviz.Failure) -> [UInt8])?
            var missing = ""
            switch figure {
            case .epochs, .dead, .layers: continue
            case .loss:
                let c = report.lossChart
                if !run.epochs.isEmpty { chart = ("Loss per epoch", { () throws(Graphviz.Failure) in try c.render(.svg) }, { () throws(Graphviz.Failure) in try c.render(.png) }) }
                missing = "the run finished no epoch"
            case .accuracy:
                if let c = report.accuracyChart { chart = ("Accuracy per epoch", { () throws(Graphviz.Failure) in try c.render(.svg) }, { () throws(Graphviz.Failure) in try c.render(.png) }) }
                missing = "accuracy needs classify=, e.g. classify=score"
            case .gradients:
                let c = report.gradientChart
                if !run.epochs.isEmpty { chart = ("Gradient magnitude per layer", { () throws(Graphviz.Failure) in try c.render(.svg) }, { () throws(Graphviz.Failure) in try c.render(.png) }) }
                missing = "the run finished no epoch"
            case .boundary:
                if let b = report.boundary(classifier: classifier) { chart = ("Decision boundary", { () throws(Graphviz.Failure) in try b.render(.svg) }, { () throws(Graphviz.Failure) in try b.render(.png) }) }
                missing = "a decision boundary needs classify= and data columns x1 and x2 bound to the model's inputs"
            case .network:
                let diagram = NetworkDiagram(model.graph, parameters: run.finalParameters, of: model)
                if diagram.isDrawable {
                    let dot = diagram.dot()
                    chart = ("The trained network", { () throws(Graphviz.Failure) in try Graphviz.render(dot: dot, format: .svg) }, { () throws(Graphviz.Failure) in try Graphviz.render(dot: dot, format: .png) })
                }
                missing = "no layers to draw: name the layers (h1 = relu(W1 @ x + b1))"
            }
            guard let chart else {
                if o.showGiven { throw fail("show=\(figure.rawValue): \(missing)") }
                continue
            }
            let name = "network-\(index)-\(figure.rawValue)"
            do {
                let svg = try chart.svg()
                files.append(OutputFile(path: name + ".svg", bytes: svg))
                files.append(OutputFile(path: name + ".png", bytes: try chart.png()))
                network.figures.append((figure, name, chart.title, svg))
            } catch {
                throw fail(error.description)
            }
        }
        return (network, files)
    }

    /// The epoch table without its empty columns (accuracy without `classify=`, validation
    /// without `validate=`).
    private func epochRows(_ n: Network) -> [[String]] {
        let rows = n.report.epochRows
        let kept = rows[0].indices.filter { c in c < 2 || rows.dropFirst().contains { $0[c] != "—" } }
        return rows.map { row in kept.map { row[$0] } }
    }

    /// How to read the epoch table.
    private func epochNote(_ n: Network) -> String {
        var note = "losses are the mean per-example loss without the penalty; training figures are taken before each batch's update"
        if n.report.run.epochs.count > 0, n.report.run.epochs[0].updates > 1 { note += ", over all the epoch's batches" }
        if n.report.trainer.validation != nil { note += "; validation figures after the epoch, on rows never trained on" }
        return note
    }

    /// The result lines a block shows: the result, and dead units when asked for.
    private func networkResult(_ n: Network) -> [String] {
        let lines = n.report.resultLines
        return n.block.options.show.contains(.dead) ? lines : Array(lines.prefix(1))
    }

    package func networkMarkdown(_ n: Network) -> String {
        var out = ""
        if let title = n.block.options.title { out += "### \(escapeMarkdown(title))\n\n" }
        out += escapeMarkdown(n.report.headline) + ".\n\nUpdate rule: \(escapeMarkdown(n.report.trainer.optimizer.rule)).\n\n"
        func table(_ rows: [[String]]) {
            guard rows.count > 1 else { return }
            out += "| " + rows[0].map(escapeMarkdown).joined(separator: " | ") + " |\n"
            out += "|" + rows[0].indices.map { $0 == 0 ? "---" : "---:" }.joined(separator: "|") + "|\n"
            for row in rows.dropFirst() { out += "| " + row.map(escapeMarkdown).joined(separator: " | ") + " |\n" }
            out += "\n"
        }
        for figure in n.block.options.show {
            switch figure {
            case .epochs:
                if !n.report.run.epochs.isEmpty {
                    out += "Per epoch (\(escapeMarkdown(epochNote(n)))):\n\n"
                    table(epochRows(n))
                }
            case .layers:
                table(n.report.gradientRows)
            default:
                if let f = n.figures.first(where: { $0.figure == figure }) { out += "![\(escapeMarkdown(f.title))](\(f.name).svg)\n\n" }
            }
        }
        for line in networkResult(n) { out += escapeMarkdown(line) + "\n\n" }
        return out
    }

    package func networkHTML(_ n: Network) -> String {
        var out = ""
        if let title = n.block.options.title { out += HTML.text("h3", [], title) + "\n" }
        out += "<div class=\"walkthrough\">\n" + HTML.text("p", [], n.report.headline + ".") + "\n"
        out += HTML.text("p", [], "Update rule: " + n.report.trainer.optimizer.rule + ".") + "\n"
        func table(_ rows: [[String]]) {
            guard rows.count > 1 else { return }
            out += "<table><thead><tr>" + rows[0].map { HTML.text("th", [("class", "num")], $0) }.joined() + "</tr></thead><tbody>\n"
            for row in rows.dropFirst() { out += "<tr>" + row.map { HTML.text("td", [("class", "num")], $0) }.joined() + "</tr>\n" }
            out += "</tbody></table>\n"
        }
        for figure in n.block.options.show {
            switch figure {
            case .epochs:
                if !n.report.run.epochs.isEmpty {
                    out += "<p class=\"note\">Per epoch: \(HTML.escape(epochNote(n))).</p>\n"
                    table(epochRows(n))
                }
            case .layers:
                table(n.report.gradientRows)
            default:
                if let f = n.figures.first(where: { $0.figure == figure }) {
                    out += PrintLayout.figure(f.svg, idPrefix: "n\(n.index)\(f.figure.rawValue.prefix(2))", caption: f.title,
                                              alt: (f.title, Self.describe(f.figure, f.title))) + "\n"
                }
            }
        }
        for line in networkResult(n) { out += HTML.text("p", [], line) + "\n" }
        return out + "</div>\n"
    }
}
