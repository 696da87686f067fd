import GradTraceCore
import GradTraceViews
/// Explains a training run: step 1 in full (every gate, then the update line per parameter),
/// later steps as a thinned table, then the result. Text for a terminal, Markdown for lessons.
package struct TrainingReport {
    /// The trainer that made the run.
    package var trainer: Trainer
    /// The run being explained.
    package var run: Trainer.Run
    /// The trace of step 1, at the starting parameters.
    package var firstStep: Trace
    /// How numbers are shown.
    package var format: NumberFormat

    /// A report of `run`; `firstStep` is the trace at the starting parameters.
    package init(trainer: Trainer, run: Trainer.Run, firstStep: Trace, format: NumberFormat) {
        self.trainer = trainer
        self.run = run
        self.firstStep = firstStep
        self.format = format
    }

    package var lossName: String { Labels(firstStep.graph)[firstStep.graph.output] }

    /// `Training E over w1, w2 with gradient descent, learning rate η = 0.5, 100 steps`.
    package var headline: String {
        "Training \(lossName) over \(run.parameters.joined(separator: ", ")) with \(trainer.optimizer.name), learning rate η = \(formatShortest(trainer.learningRate)), \(trainer.steps) step\(trainer.steps == 1 ? "" : "s")"
    }

    /// `w5 ← 0.4 − 0.5 × 0.0822 = 0.3589` (with momentum, the velocity first). Every line
    /// holds at the digits it shows (`DisplayedArithmetic`).
    package func updateLines(latex: Bool = false) -> [String] {
        guard let first = run.history.first else { return [] }
        let fmt = format
        let arrow = latex ? " \\leftarrow " : " ← ", minus = latex ? " - " : " − ", times = latex ? " \\times " : " × "
        func n(_ s: Shown) -> String { latex ? s.latex : s.text }
        // The learning rate and momentum are the teacher's own exact numbers: shown as typed.
        func typed(_ s: Shown) -> String { s.isExact && s.exponent == nil ? formatShortest(s.value) : n(s) }
        func eq(_ e: DisplayedArithmetic.Equation) -> String { e.approximate ? (latex ? " \\approx " : " ≈ ") : " = " }
        return run.parameters.indices.map { k in
            let name = latex ? latexName(run.parameters[k]) : run.parameters[k]
            let g = first.gradients[k], w = first.parameters[k], new = first.updated[k]
            switch trainer.optimizer {
            case .gradientDescent:
                let e = DisplayedArithmetic.update(w, first.learningRate, g, new, fmt)
                return "\(name)\(arrow)\(n(e.operands[0]))\(minus)\(typed(e.operands[1]))\(times)\(Say.factor(n(e.operands[2])))\(eq(e))\(n(e.result))"
            case .momentum(let mu), .nesterov(let mu):
                let v = new - w
                let vName = latex ? "v_{\(name)}" : "v(\(name))"
                let ev = DisplayedArithmetic.velocity(mu, 0, first.learningRate, g, v, fmt)
                let ew = DisplayedArithmetic.sum([w, v], new, fmt)
                let velocity = "\(vName)\(arrow)\(typed(ev.operands[0]))\(times)0\(minus)\(typed(ev.operands[2]))\(times)\(Say.factor(n(ev.operands[3])))\(eq(ev))\(n(ev.result))"
                let plus = ew.operands[1].text.hasPrefix("-") ? " − " + n(Shown(value: -v, mantissa: String(ew.operands[1].mantissa.dropFirst()), exponent: ew.operands[1].exponent)) : " + " + n(ew.operands[1])
                return "\(velocity),  \(name)\(arrow)\(n(ew.operands[0]))\(plus)\(eq(ew))\(n(ew.result))"
            case .rmsprop(let rho, let eps):
                // Step 1: s = (1 − ρ)·g², so the step divides by √s + ε.
                let d = ((1 - rho) * g * g).squareRoot() + eps
                let e = DisplayedArithmetic.scaledUpdate(w, first.learningRate, g, d, new, fmt)
                let dName = latex ? "(\\sqrt{s} + \\epsilon)" : "(√s + ε)"
                return "\(name)\(arrow)\(n(e.operands[0]))\(minus)\(typed(e.operands[1]))\(times)\(Say.factor(n(e.operands[2]))) / \(n(e.operands[3]))\(eq(e))\(n(e.result))   [\(dName) with s = (1 − \(formatShortest(rho)))·g²]"
            case .adam(_, _, let eps):
                // Step 1: m̂ = g and v̂ = g², so the step is η·g / (|g| + ε), about η·sign(g).
                let d = abs(g) + eps
                let e = DisplayedArithmetic.scaledUpdate(w, first.learningRate, g, d, new, fmt)
                return "\(name)\(arrow)\(n(e.operands[0]))\(minus)\(typed(e.operands[1]))\(times)\(Say.factor(n(e.operands[2]))) / \(n(e.operands[3]))\(eq(e))\(n(e.result))   [m̂ = g, √v̂ + ε = |g| + ε at step 1]"
            }
        }
    }

    private func latexName(_ s: String) -> String { s.replacingOccurrences(of: "_", with: "\\_") }

    /// One row per thinned number of updates: the loss and parameters after that many updates
    /// (0: at the start), and the gradients taken there for the next update.
    package var tableRows: [[String]] {
        let header = ["after k updates", lossName] + run.parameters + run.parameters.map { "∂\(lossName)/∂\($0)" }
        var rows = [header]
        for updates in Trainer.thinnedUpdates(run.stepsTaken) {
            guard let loss = run.loss(afterUpdates: updates), let parameters = run.parameters(afterUpdates: updates) else { continue }
            let gradients = updates < run.stepsTaken ? (run.entry(step: updates + 1)?.gradients ?? []).map(format.callAsFunction)
                : run.parameters.map { _ in "—" }
            rows.append([String(updates), format(loss)] + parameters.map(format.callAsFunction) + gradients)
        }
        return rows
    }

    /// The loss and parameters after the last update, or why training stopped.
    package var resultLine: String {
        var text: String
        if let divergence = run.divergence {
            text = "Stopped: \(divergence)."
        } else {
            text = "After \(run.stepsTaken) step\(run.stepsTaken == 1 ? "" : "s"): \(lossName) = \(format(run.finalLoss))"
            if run.stoppedEarly, let stop = trainer.stopBelow { text += " (stopped early: below \(formatShortest(stop)))" }
            text += "; " + zip(run.parameters, run.finalParameters).map { "\($0) = \(format($1))" }.joined(separator: ", ") + "."
        }
        return text
    }

    /// The report for a terminal: the headline, step 1 walked through, the update lines, the thinned
    /// table and the result; `color` adds ANSI colour.
    package func text<S: TextOutputStream>(to out: inout S, color: Bool = false) {
        out.write(headline + "\n\n")
        out.write("Step 1 in full\n==============\n")
        TextRenderer.render(firstStep, options: ExplainOptions(format: format, color: color), to: &out)
        out.write("\nUpdates (every gradient of a step is taken at the old weights)\n")
        for line in updateLines() { out.write("  \(line)\n") }
        out.write("\nTraining (each row: after k updates; its gradients feed the next update)\n")
        let rows = tableRows
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            out.write("  " + row.enumerated().map { String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }.joined(separator: "  ") + "\n")
        }
        out.write("\n" + resultLine + "\n")
    }

    /// The report in Markdown: step 1 in a `<details>` (when `explainFirstStep`), the update lines
    /// in LaTeX, the loss chart at the relative path `plot`, the thinned table and the result.
    package func markdown<S: TextOutputStream>(to out: inout S, plot: String?, headingLevel: Int = 2, explainFirstStep: Bool = true) {
        let h = String(repeating: "#", count: headingLevel)
        out.write("\(escapeMarkdown(headline)).\n\n")
        if explainFirstStep {
            out.write("<details>\n<summary>Step 1 in full: the forward pass, every backward step, then the updates</summary>\n\n")
            MarkdownRenderer.render(firstStep, options: ExplainOptions(format: format, title: "Step 1"), headingLevel: headingLevel + 1, to: &out)
            out.write("</details>\n\n")
        }
        out.write("\(h)# Updates after step 1\n\nEvery gradient of a step is taken at the old weights; only then are the weights changed.\n\n")
        for line in updateLines(latex: true) { out.write("- $\(line)$\n") }
        if let plot { out.write("\n![Loss per step](\(plot))\n") }
        out.write("\n\(h)# Training, step by step\n\nEach row is the state after k updates (k = 0 is the start); its gradients are the ones the next update uses.\n\n")
        let rows = tableRows
        out.write("| " + rows[0].map(MarkdownRenderer.cell).joined(separator: " | ") + " |\n")
        out.write("|" + rows[0].map { _ in "---:|" }.joined() + "\n")
        for row in rows.dropFirst() { out.write("| " + row.joined(separator: " | ") + " |\n") }
        out.write("\n" + escapeMarkdown(resultLine) + "\n\n")
    }

    /// Every state as CSV: updates made so far (0 is the start), the loss and parameters then,
    /// and the gradients the next update uses (empty on the last row); full precision.
    package func csv() -> String {
        var out = (["updates", "loss"] + run.parameters + run.parameters.map { "d_\($0)" }).joined(separator: ",") + "\n"
        for s in run.history {
            out += ([String(s.step - 1), jsonNumber(s.loss)] + s.parameters.map(jsonNumber) + s.gradients.map(jsonNumber)).joined(separator: ",") + "\n"
        }
        if run.divergence == nil {
            out += ([String(run.stepsTaken), jsonNumber(run.finalLoss)] + run.finalParameters.map(jsonNumber)
                    + run.parameters.map { _ in "" }).joined(separator: ",") + "\n"
        }
        return out
    }

    /// The loss against the number of updates made, one series per run; the y axis is
    /// logarithmic when every loss is positive and they span more than a factor of 50.
    package static func lossChart(_ runs: [(name: String, run: Trainer.Run)], title: String) -> Chart {
        // x is the number of updates made: the history's step k is the loss after k − 1 updates.
        let series = runs.map { entry in
            var points = entry.run.history.map { (x: Double($0.step - 1), y: $0.loss) }
            if entry.run.divergence == nil { points.append((x: Double(entry.run.stepsTaken), y: entry.run.finalLoss)) }
            return Chart.Series(name: entry.name, points: points)
        }
        // A log scale when every loss is positive and they span more than a factor of 50.
        let losses: [Double] = runs.flatMap { $0.run.history.map(\.loss) }.filter(\.isFinite)
        let lowest: Double = losses.min() ?? 1
        let highest: Double = losses.max() ?? 1
        let logY = lowest > 0 && highest / lowest > 50
        return Chart(title: title, xLabel: "updates made", yLabel: logY ? "loss (log scale)" : "loss", logY: logY, series: series)
    }
}
