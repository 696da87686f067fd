import GradTraceCore
import GradTraceViews
/// Why the parameters moved at one step of a run on data: one example's full forward and
/// backward pass at the parameters that step used, and for every parameter that example's
/// gradient, the batch's mean, the penalty's share and the update line.
package struct StepExplanation {
    /// The model.
    package var model: Model
    /// The trainer of the run.
    package var trainer: Trainer
    /// The step explained, as the run recorded it.
    package var step: Trainer.Step
    /// The batch's rows (from 0).
    package var batch: [Int]
    /// The row walked through (from 0).
    package var row: Int
    /// The example's trace at the step's parameters.
    package var trace: Trace
    /// How numbers are shown.
    package var format: NumberFormat

    /// Explains `step` (whose parameters before the update are `parameters`) through `row` of `data`.
    package init(model: Model, trainer: Trainer, step: Trainer.Step, parameters: [Double], batch: [Int], row: Int, data: Dataset,
                format: NumberFormat) throws(Diagnostic) {
        self.model = model
        self.trainer = trainer
        self.step = step
        self.batch = batch
        self.row = row
        self.format = format
        trace = try Tracer(bindings: model.bindings(row: row, of: data, parameters: parameters)).trace(model.graph)
    }

    /// The penalty's share of parameter k's gradient at the step's point.
    package func penaltyGradient(_ k: Int) -> Double { trainer.penalty.gradient(step.parameters[k]) }

    /// One line per parameter: this example's gradient, the batch mean, the penalty, the update.
    package var updateRows: [[String]] {
        let loss = model.graph.nodes[model.graph.output].name ?? "loss"
        var rows = [["parameter", "∂\(loss)/∂w, this example", "batch mean", "+ penalty", "update"]]
        for (k, name) in step.parametersNames(model).enumerated() {
            let id = model.parameterNodes[k]
            let g = step.gradients[k], p = penaltyGradient(k)
            let line: String
            if case .gradientDescent = trainer.optimizer {
                let e = DisplayedArithmetic.update(step.parameters[k], step.learningRate, g, step.updated[k], format)
                line = "\(e.operands[0].text) − \(formatShortest(step.learningRate)) × \(Say.factor(e.operands[2].text)) \(e.equals) \(e.result.text)"
            } else {
                let e = DisplayedArithmetic.sum([step.parameters[k], step.updated[k] - step.parameters[k]], step.updated[k], format)
                line = "\(e.operands[0].text) + (\(e.operands[1].text)) \(e.equals) \(e.result.text)   [\(trainer.optimizer.name)]"
            }
            rows.append([name, format(trace.gradients[id]), format(g - p), trainer.penalty == .none ? "—" : format(p), line])
        }
        return rows
    }

    /// The explanation for a terminal.
    package func text<S: TextOutputStream>(to out: inout S, color: Bool = false) {
        let inBatch = batch.contains(row)
        let shownRows = batch.prefix(12).map { String($0 + 1) }.joined(separator: ", ") + (batch.count > 12 ? ", …" : "")
        out.write("Step \(step.step) (epoch \(step.epoch)), learning rate \(format(step.learningRate)); its batch: \(batch.count) row\(batch.count == 1 ? "" : "s") (\(shownRows))\n")
        out.write("Row \(row + 1) at the parameters step \(step.step) used\(inBatch ? ", one of the batch" : " (not in this step's batch: its gradient shows what it would have added)")\n")
        out.write("=========================================================\n")
        TextRenderer.render(trace, options: ExplainOptions(format: format, color: color), to: &out)
        out.write("\nUpdates of step \(step.step): each gradient is the mean over the batch's \(batch.count) row\(batch.count == 1 ? "" : "s") plus the penalty's; \(trainer.optimizer.rule)\n")
        let rows = updateRows
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for r in rows {
            out.write("  " + r.enumerated().map { $0.offset == r.count - 1 ? $0.element : $0.element + String(repeating: " ", count: widths[$0.offset] - $0.element.count) }.joined(separator: "  ") + "\n")
        }
    }
}

extension StepExplanation {
    /// The explanation in Markdown: the headline, the example's walkthrough, the update table.
    package func markdown<S: TextOutputStream>(to out: inout S) {
        let inBatch = batch.contains(row)
        out.write("# Step \(step.step), row \(row + 1)\n\n")
        out.write("Step \(step.step) (epoch \(step.epoch)) used learning rate \(escapeMarkdown(format(step.learningRate))) on a batch of \(batch.count) row\(batch.count == 1 ? "" : "s"). ")
        out.write("Row \(row + 1) \(inBatch ? "is one of them" : "is not one of them: its gradients show what it would have added").\n\n")
        MarkdownRenderer.render(trace, options: ExplainOptions(format: format), headingLevel: 2, to: &out)
        out.write("\n## Updates of step \(step.step)\n\nEach gradient is the mean over the batch plus the penalty's; \(escapeMarkdown(trainer.optimizer.rule)).\n\n")
        let rows = updateRows
        out.write("| " + rows[0].map(escapeMarkdown).joined(separator: " | ") + " |\n|---|---:|---:|---:|---|\n")
        for r in rows.dropFirst() { out.write("| " + r.map(escapeMarkdown).joined(separator: " | ") + " |\n") }
    }
}

extension Trainer.Step {
    package func parametersNames(_ model: Model) -> [String] { model.parameterNames }
}
