/// Turns a lesson into its files: the Markdown walkthrough page (README.md) with SVG and PNG
/// figures, a self-contained handout, a worksheet and its answer key, and a stepper page.
/// Everything is built in memory first, so a lesson that fails writes nothing.
public struct LessonBuilder: Sendable {
    /// With a seed, worksheets and answer keys use new input values drawn from it.
    public var seed: UInt64?

    public init(seed: UInt64? = nil) { self.seed = seed }

    /// One traced `gradtrace` block.
    struct Circuit {
        var index: Int
        var block: CircuitBlock
        var trace: Trace
        var check: GradientCheck?
        var format: NumberFormat
        var caption: String
        var svg: [UInt8]
        /// The gradient-magnitude chart, for blocks with `plot=depth`.
        var depthSVG: [UInt8]? = nil

        var dotOptions: DotOptions {
            DotOptions(format: format, showGradients: block.options.showGradients, rankdir: block.options.rankdir, title: nil)
        }
        var explainOptions: ExplainOptions {
            ExplainOptions(format: format, check: check, showGradients: block.options.showGradients)
        }
    }

    /// One traced and trained `gradtrace-train` block: one run per learning rate and momentum.
    struct Training {
        var index: Int
        var block: TrainingBlock
        var runs: [(name: String, trainer: Trainer, run: Trainer.Run)]
        var report: TrainingReport
        var caption: String
        var svg: [UInt8]

        var hasChart: Bool { (runs.map { $0.run.history.count }.max() ?? 0) >= 2 }
    }

    func train(_ block: TrainingBlock, index: Int, lesson: Lesson) throws(Diagnostic) -> (Training, [OutputFile]) {
        let graph = try Parser.parse(block.source)
        let first = try Tracer().trace(graph)
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
        let format = o.precision.map { NumberFormat(precision: $0) } ?? NumberFormat(maxDecimals: 6)
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
        let longest = runs.map { $0.run.history.count }.max() ?? 0
        return (training, longest < 2 ? [] : [OutputFile(path: "training-\(index).svg", bytes: svg), OutputFile(path: "training-\(index).png", bytes: png)])
    }

    /// |∂f/∂node| along chains of nodes named prefix1, prefix2, … (the vanishing-gradient chart).
    static func depthChart(_ trace: Trace, series prefixes: [String], title: String) -> Chart {
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

    public func build(_ lesson: Lesson) throws(Diagnostic) -> [OutputFile] {
        var files: [OutputFile] = []
        var circuits: [Circuit] = []
        var trainings: [Training] = []
        for case .training(let block) in lesson.segments {
            let (training, made) = try train(block, index: trainings.count + 1, lesson: lesson)
            trainings.append(training)
            files += made
        }
        for block in lesson.circuits {
            let graph = try Parser.parse(block.source, expand: block.options.expand)
            let trace = try Tracer().trace(graph)
            if graph.gateCount > Graphviz.maxGates {
                throw Diagnostic("this circuit has \(graph.gateCount) gates; lesson diagrams are limited to \(Graphviz.maxGates)",
                                 file: lesson.path, line: block.line, help: "split it into smaller blocks")
            }
            if block.options.frames && graph.gateCount > Graphviz.maxFrameGates {
                throw Diagnostic("frames draw one diagram per step; this circuit has \(graph.gateCount) gates and frames are limited to \(Graphviz.maxFrameGates)",
                                 file: lesson.path, line: block.line, help: "remove 'frames' from this block, or split the circuit")
            }
            let format = block.options.precision.map { NumberFormat(precision: $0) } ?? NumberFormat(maxDecimals: 4)
            let index = circuits.count + 1
            let caption = block.options.title ?? "Circuit \(index): \(Wording(trace, format: format).typedDefinition(graph.output))"
            var circuit = Circuit(index: index, block: block, trace: trace, check: block.options.check ? GradientCheck(trace) : nil,
                                  format: format, caption: caption, svg: [])
            let dot = DotRenderer.render(trace, options: circuit.dotOptions)
            circuit.svg = try render(dot, .svg, lesson, block)
            files.append(OutputFile(path: "figure-\(index).svg", bytes: circuit.svg))
            files.append(OutputFile(path: "figure-\(index).png", bytes: try render(dot, .png, lesson, block)))
            if block.options.frames {
                for step in 1...max(1, trace.steps.count) where !trace.steps.isEmpty {
                    var options = circuit.dotOptions
                    options.frame = step
                    let name = "frames/figure-\(index)-step-\(step < 10 ? "0" : "")\(step)"
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
        }
        let worksheetCircuit = circuits.first { $0.block.options.worksheet != nil }
        files.append(OutputFile(path: "README.md", text: walkthroughPage(lesson, circuits, trainings, hasWorksheet: worksheetCircuit != nil)))
        files.append(OutputFile(path: "handout.html", text: handout(lesson, circuits, trainings)))
        if let worksheetCircuit {
            let sheet = try worksheet(lesson, worksheetCircuit)
            files.append(OutputFile(path: "worksheet.html", text: sheet.worksheet))
            files.append(OutputFile(path: "answer-key.html", text: sheet.key))
        }
        if !circuits.isEmpty {
            files.append(OutputFile(path: "stepper.html", text: try stepper(lesson, circuits)))
        }
        return files.sorted { $0.path < $1.path }
    }

    private func render(_ dot: String, _ format: Graphviz.Format, _ lesson: Lesson, _ block: CircuitBlock) throws(Diagnostic) -> [UInt8] {
        do {
            return try Graphviz.render(dot: dot, format: format)
        } catch {
            throw Diagnostic(error.description, file: lesson.path, line: block.line)
        }
    }

    // MARK: Pages

    private func links(_ circuits: [Circuit], hasWorksheet: Bool) -> [(String, String)] {
        var links = [("Handout", "handout.html")]
        if hasWorksheet { links += [("Worksheet", "worksheet.html"), ("Answer key", "answer-key.html")] }
        if !circuits.isEmpty { links.append(("Step through it", "stepper.html")) }
        return links
    }

    func walkthroughPage(_ lesson: Lesson, _ circuits: [Circuit], _ trainings: [Training], hasWorksheet: Bool) -> String {
        var out = "# \(escapeMarkdown(lesson.title))\n\n"
        if let summary = lesson.summary { out += "*\(escapeMarkdown(summary))*\n\n" }
        out += links(circuits, hasWorksheet: hasWorksheet).map { "[\($0.0)](\($0.1))" }.joined(separator: " · ") + "\n\n"
        var next = 0, nextTraining = 0
        for segment in lesson.segments {
            switch segment {
            case .prose(let text):
                out += Prose.markdown(text) + "\n\n"
            case .training:
                let t = trainings[nextTraining]
                nextTraining += 1
                if t.hasChart { out += "![\(escapeMarkdown(t.caption))](training-\(t.index).svg)\n\n" }
                out += trainingMarkdown(t)
            case .circuit:
                let circuit = circuits[next]
                next += 1
                out += "![\(escapeMarkdown(circuit.caption))](figure-\(circuit.index).svg)\n\n"
                out += "<details>\n<summary>Walkthrough of circuit \(circuit.index): every gate, local gradient × upstream gradient</summary>\n\n"
                var options = circuit.explainOptions
                options.title = "Walkthrough: \(circuit.caption)"
                MarkdownRenderer.render(circuit.trace, options: options, headingLevel: 3, to: &out)
                out = out.trimmingTrailingNewlines() + "\n\n</details>\n\n"
                if circuit.block.options.depthSeries != nil {
                    out += "![Gradient magnitude along the chain](depth-\(circuit.index).svg)\n\n"
                }
                if circuit.block.options.frames {
                    let frames = (1...circuit.trace.steps.count).map { "[\($0)](frames/figure-\(circuit.index)-step-\($0 < 10 ? "0" : "")\($0).svg)" }
                    out += "Step by step: " + frames.joined(separator: " · ") + "\n\n"
                }
            }
        }
        out += "---\n*Generated by gradtrace from `lessons/\(lesson.slug).md`. Do not edit: edit the lesson and rebuild.*\n"
        return out
    }

    func handout(_ lesson: Lesson, _ circuits: [Circuit], _ trainings: [Training]) -> String {
        var body = "<header>\n" + HTML.text("h1", [], lesson.title) + "\n"
        if let summary = lesson.summary { body += HTML.text("p", [("class", "summary")], summary) + "\n" }
        body += "<p class=\"legend\">On every wire: the forward value (green, first line) and the gradient ∂\(HTML.escape(circuits.first.map { Wording($0.trace, format: $0.format).outputName } ?? "f"))/∂wire (red, second line, marked ∇).</p>\n</header>\n"
        var next = 0, nextTraining = 0
        for segment in lesson.segments {
            switch segment {
            case .prose(let text):
                body += "<section class=\"prose\">\n" + Prose.html(text) + "\n</section>\n"
            case .training:
                let t = trainings[nextTraining]
                nextTraining += 1
                if t.hasChart {
                    body += "<figure>\n" + HTML.inlineSVG(t.svg, idPrefix: "t\(t.index)") + "\n" + HTML.text("figcaption", [], t.caption) + "\n</figure>\n"
                }
                body += trainingHTML(t)
            case .circuit:
                let circuit = circuits[next]
                next += 1
                body += "<figure>\n" + HTML.inlineSVG(circuit.svg, idPrefix: "c\(circuit.index)") + "\n"
                body += HTML.text("figcaption", [], circuit.caption) + "\n</figure>\n"
                body += HTMLRenderer.walkthrough(circuit.trace, options: circuit.explainOptions)
                if let svg = circuit.depthSVG {
                    body += "<figure>\n" + HTML.inlineSVG(svg, idPrefix: "d\(circuit.index)") + "\n</figure>\n"
                }
            }
        }
        body += "<footer>Generated by gradtrace from lessons/\(HTML.escape(lesson.slug)).md.</footer>"
        return HTML.page(title: lesson.title, css: Styles.base, body: body)
    }

    // MARK: Training

    /// Loss per run at the thinned steps: one column per run.
    private func comparisonRows(_ t: Training) -> [[String]] {
        let longest = t.runs.map { $0.run.history.count }.max() ?? 0
        var rows = [["step"] + t.runs.map(\.name)]
        for step in Trainer.thinned(longest) {
            rows.append([String(step)] + t.runs.map { step <= $0.run.history.count ? t.report.format($0.run.history[step - 1].loss) : "—" })
        }
        return rows
    }

    func trainingMarkdown(_ t: Training) -> String {
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

    func trainingHTML(_ t: Training) -> String {
        var out = "<div class=\"walkthrough\">\n"
        let rows: [[String]]
        if t.runs.count == 1 {
            out += HTML.text("p", [], t.report.headline + ".") + "\n<h4>Updates after step 1 (gradients taken at the old weights)</h4>\n<ul>\n"
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

    func worksheet(_ lesson: Lesson, _ circuit: Circuit) throws(Diagnostic) -> (worksheet: String, key: String) {
        var trace = circuit.trace
        var variantNote = ""
        if let seed {
            guard let values = Variant(seed: seed).values(for: trace.graph, salt: lesson.slug) else {
                throw Diagnostic("could not find input values for seed \(seed) that avoid division by zero and ties",
                                 file: lesson.path, line: circuit.block.line, help: "try another --seed")
            }
            trace = try Tracer(bindings: values).trace(trace.graph)
            variantNote = " · variant \(seed)"
        }
        let kind = circuit.block.options.worksheet ?? .gradients
        let format = circuit.block.options.precision.map { NumberFormat(precision: $0) } ?? NumberFormat(maxDecimals: 2)
        let w = Wording(trace, format: format)
        let f = w.outputName
        var blankOptions = DotOptions(format: format, showGradients: true, rankdir: circuit.block.options.rankdir)
        blankOptions.blankGradients = true
        blankOptions.blankValues = kind == .values
        let sheetSVG = try render(DotRenderer.render(trace, options: blankOptions), .svg, lesson, circuit.block)
        let keySVG = try render(DotRenderer.render(trace, options: DotOptions(format: format, rankdir: circuit.block.options.rankdir)), .svg, lesson, circuit.block)

        func table(filled: Bool) -> String {
            var rows = ""
            for i in 0..<trace.graph.count where !isConstant(trace.graph.nodes[i].gate) {
                let isInput = trace.graph.nodes[i].gate == .input
                let showValue = filled || kind == .gradients || isInput
                let value = showValue ? "<span class=\"value\">\(HTML.escape(format(trace.values[i])))</span>" : "<span class=\"blank\"></span>"
                let grad = filled ? "<span class=\"gradient\">\(HTML.escape(format(trace.gradients[i])))</span>" : "<span class=\"blank\"></span>"
                rows += "<tr><td>n\(i)</td><td>\(HTML.escape(w.labels[i]))</td><td><code>\(HTML.escape(trace.graph.nodes[i].gate.isLeaf ? "input" : trace.graph.nodes[i].gate.symbol))</code></td><td class=\"num\">\(value)</td><td class=\"num\">\(grad)</td></tr>\n"
            }
            return "<table class=\"answers\"><thead><tr><th>#</th><th>wire</th><th>gate</th><th class=\"num\">value</th><th class=\"num\">∂\(HTML.escape(f))/∂wire</th></tr></thead><tbody>\n\(rows)</tbody></table>\n"
        }
        let inputs = HTML.escape(w.inputSummary())
        let task = kind == .values
            ? "Run the circuit forward from the inputs, then backward from ∂\(HTML.escape(f))/∂\(HTML.escape(f)) = 1. Fill in every value and every gradient."
            : "The forward values are given. Run the circuit backward, starting from ∂\(HTML.escape(f))/∂\(HTML.escape(f)) = 1 at the output: at each gate multiply its local gradient by the gradient arriving from above, and add the contributions where a wire forks. Fill in every gradient."
        let head = HTML.text("h1", [], lesson.title)
        var sheet = head + "\n<p class=\"summary\">Worksheet\(variantNote) · \(HTML.escape(circuit.caption))</p>\n"
        sheet += "<p>Name: <span class=\"blank\" style=\"min-width: 16rem\"></span></p>\n"
        sheet += "<p>Inputs: <span class=\"value\">\(inputs)</span>. \(task) Round to \(format.precision ?? 2) decimals.</p>\n"
        sheet += "<figure>\n" + HTML.inlineSVG(sheetSVG, idPrefix: "w") + "\n</figure>\n" + table(filled: false)
        var key = head + "\n<p class=\"summary\">Answer key\(variantNote) · \(HTML.escape(circuit.caption))</p>\n"
        key += "<p>Inputs: <span class=\"value\">\(inputs)</span>. Output \(HTML.escape(f)) = <span class=\"value\">\(HTML.escape(format(trace.output)))</span>.</p>\n"
        key += "<figure>\n" + HTML.inlineSVG(keySVG, idPrefix: "k") + "\n</figure>\n" + table(filled: true)
        key += HTMLRenderer.walkthrough(trace, options: ExplainOptions(format: format))
        return (HTML.page(title: "\(lesson.title) — worksheet", css: Styles.base, body: sheet),
                HTML.page(title: "\(lesson.title) — answer key", css: Styles.base, body: key))
    }

    private func isConstant(_ gate: Gate) -> Bool {
        if case .constant = gate { return true }
        return false
    }

    // MARK: Stepper

    func stepper(_ lesson: Lesson, _ circuits: [Circuit]) throws(Diagnostic) -> String {
        var frames: [String] = []
        for circuit in circuits {
            let trace = circuit.trace
            let w = Wording(trace, format: circuit.format)
            var forward = circuit.dotOptions
            forward.showGradients = false
            let total = trace.steps.count
            var frame = "<h2>\(HTML.escape(circuit.caption)) — forward pass</h2>\n"
            frame += "<p class=\"line\">Values flow left to right: \(HTML.escape(w.inputSummary())) gives \(HTML.escape(w.outputName)) = \(HTML.escape(circuit.format(trace.output))). Press → to go backward.</p>\n"
            frame += HTML.inlineSVG(try render(DotRenderer.render(trace, options: forward), .svg, lesson, circuit.block), idPrefix: "s\(frames.count)")
            frames.append(frame)
            guard circuit.block.options.showGradients else { continue }
            for (k, node) in trace.steps.enumerated() {
                var options = circuit.dotOptions
                options.frame = k + 1
                options.stepCaption = false
                var frame = "<h2>\(HTML.escape(circuit.caption)) — backward step \(k + 1) of \(total)</h2>\n"
                frame += "<p class=\"line\">\(HTMLRenderer.step(node, w: w))</p>\n"
                // A layout per step: only for circuits small enough (a 119-gate circuit took 95 s).
                frame += trace.graph.gateCount > Graphviz.maxFrameGates
                    ? "<p class=\"note\">No diagram per step for a circuit of more than \(Graphviz.maxFrameGates) gates.</p>"
                    : HTML.inlineSVG(try render(DotRenderer.render(trace, options: options), .svg, lesson, circuit.block), idPrefix: "s\(frames.count)")
                frames.append(frame)
            }
        }
        var body = HTML.text("h1", [], lesson.title) + "\n"
        body += "<div class=\"controls\"><button id=\"prev\" type=\"button\">← Previous</button><button id=\"next\" type=\"button\">Next →</button>"
        body += "<span id=\"position\" aria-live=\"polite\">1 / \(frames.count)</span><span class=\"legend\">Keys: ← → (or space), Home, End</span></div>\n"
        for (k, frame) in frames.enumerated() {
            body += "<section class=\"frame\" id=\"frame-\(k + 1)\"\(k == 0 ? "" : " hidden")>\n\(frame)\n</section>\n"
        }
        let script = """
        (function () {
          var frames = document.querySelectorAll('section.frame');
          var position = document.getElementById('position');
          var current = 0;
          function show(k) {
            current = Math.max(0, Math.min(frames.length - 1, k));
            for (var j = 0; j < frames.length; j++) { frames[j].hidden = (j !== current); }
            position.textContent = (current + 1) + ' / ' + frames.length;
            if (history.replaceState) { history.replaceState(null, '', '#' + (current + 1)); }
          }
          document.getElementById('prev').addEventListener('click', function () { show(current - 1); });
          document.getElementById('next').addEventListener('click', function () { show(current + 1); });
          document.addEventListener('keydown', function (e) {
            if (e.key === 'ArrowRight' || e.key === ' ' || e.key === 'PageDown') { show(current + 1); e.preventDefault(); }
            else if (e.key === 'ArrowLeft' || e.key === 'PageUp') { show(current - 1); e.preventDefault(); }
            else if (e.key === 'Home') { show(0); } else if (e.key === 'End') { show(frames.length - 1); }
          });
          var start = parseInt((location.hash || '#1').slice(1), 10);
          show(isNaN(start) ? 0 : start - 1);
        })();
        """
        return HTML.page(title: "\(lesson.title) — step through", css: Styles.base + "\n" + Styles.stepper, body: body, script: script)
    }
}
