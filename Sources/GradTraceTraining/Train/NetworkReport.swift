import Foundation
import GradTraceCore
import GradTraceGraphviz
import GradTraceIO
import GradTraceViews

/// The report of a run on data: the epoch table (training and validation loss and accuracy,
/// side by side so the overfitting gap shows), gradient magnitude per layer, dead ReLUs, and
/// charts of each, with the decision boundary of a 2-D classifier and the network's diagram.
package struct NetworkReport {
    /// The model trained.
    package var model: Model
    /// The trainer that made the run.
    package var trainer: Trainer
    /// The run.
    package var run: Trainer.Run
    /// The training rows.
    package var data: Dataset
    /// How numbers are shown.
    package var format: NumberFormat

    /// A report of `run` of `model` on `data`.
    package init(model: Model, trainer: Trainer, run: Trainer.Run, data: Dataset, format: NumberFormat) {
        self.model = model
        self.trainer = trainer
        self.run = run
        self.data = data
        self.format = format
    }

    package var lossName: String { model.graph.nodes[model.graph.output].name ?? "loss" }

    /// `Training L: 337 parameters on moons(n=100, …), 100 rows, full batch, Adam, η = 0.01, 100 steps`.
    package var headline: String {
        let batch = trainer.batchSize.map { $0 >= data.count ? "full batch" : "batches of \($0)" } ?? "full batch"
        var text = "Training \(lossName) (per example, averaged over each batch): \(run.parameters.count) parameter\(run.parameters.count == 1 ? "" : "s") on \(data.name), \(data.count) rows, \(batch), \(trainer.optimizer.name), \(trainer.schedule.description), \(trainer.steps) step\(trainer.steps == 1 ? "" : "s")"
        if trainer.penalty != .none { text += ", penalty \(trainer.penalty.description)" }
        if let v = trainer.validation { text += "; \(v.count) validation rows" }
        return text
    }

    package func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", 100 * $0) } ?? "—" }

    /// The epoch table, header first.
    package var epochRows: [[String]] {
        var rows = [["epoch", "updates", "training loss", "training accuracy", "validation loss", "validation accuracy"]]
        let epochs = run.epochs
        let shown = Trainer.thinned(epochs.count)
        for k in shown {
            let e = epochs[k - 1]
            rows.append([String(e.epoch), String(e.updates), format(e.trainingLoss), percent(e.trainingAccuracy),
                         e.validationLoss.map(format.callAsFunction) ?? "—", percent(e.validationAccuracy)])
        }
        return rows
    }

    /// The gradient magnitude table: each parameter group's RMS gradient in the first and last epoch.
    package var gradientRows: [[String]] {
        guard let first = run.epochs.first, let last = run.epochs.last else { return [] }
        var rows = [["layer", "RMS gradient, epoch 1", "RMS gradient, epoch \(last.epoch)"]]
        for (g, name) in run.groups.enumerated() {
            rows.append([name, format(first.gradientRMS[g]), format(last.gradientRMS[g])])
        }
        return rows
    }

    /// The result: final loss, accuracy, dead units, or why it stopped.
    package var resultLines: [String] {
        var lines: [String] = []
        if let d = run.divergence {
            lines.append("Stopped: \(d).")
        } else {
            var text = "After \(run.stepsTaken) update\(run.stepsTaken == 1 ? "" : "s"): mean \(lossName) over all \(data.count) training rows (with the penalty) = \(format(run.finalLoss))"
            if run.stoppedEarly, let stop = trainer.stopBelow { text += " (stopped early: a batch's loss fell below \(formatShortest(stop)))" }
            if let a = run.finalAccuracy { text += "; training accuracy \(percent(a))" }
            if let v = run.epochs.last?.validationAccuracy { text += "; validation accuracy \(percent(v))" }
            lines.append(text + ".")
        }
        if !run.deadUnits.isEmpty && run.deadUnits.allSatisfy({ $0.dead == 0 }) {
            lines.append("No dead ReLUs: every unit is active for at least one training row.")
        }
        for d in run.deadUnits where d.dead > 0 {
            lines.append("Dead ReLUs in \(d.layer): \(d.dead) of \(d.total) (input ≤ 0 for every training row, so they pass no gradient and never recover).")
        }
        return lines
    }

    private func table<S: TextOutputStream>(_ rows: [[String]], to out: inout S) {
        guard !rows.isEmpty else { return }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            out.write("  " + row.enumerated().map { String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }.joined(separator: "  ") + "\n")
        }
    }

    /// The report for a terminal.
    package func text<S: TextOutputStream>(to out: inout S) {
        out.write(headline + "\n")
        out.write("Update rule: \(trainer.optimizer.rule)\n\n")
        if run.epochs.count > 0 {
            out.write("Per epoch (losses are mean per-example loss without the penalty)\n")
            table(epochRows, to: &out)
            out.write("\nGradient magnitude per layer\n")
            table(gradientRows, to: &out)
            out.write("\n")
        }
        for line in resultLines { out.write(line + "\n") }
    }

    /// The report in Markdown, with the charts at the given relative paths.
    package func markdown<S: TextOutputStream>(to out: inout S, images: [(title: String, path: String)]) {
        out.write(escapeMarkdown(headline) + ".\n\nUpdate rule: \(escapeMarkdown(trainer.optimizer.rule)).\n\n")
        func md(_ rows: [[String]]) {
            guard rows.count > 1 else { return }
            out.write("| " + rows[0].map(escapeMarkdown).joined(separator: " | ") + " |\n")
            out.write("|" + rows[0].indices.map { $0 == 0 ? "---" : "---:" }.joined(separator: "|") + "|\n")
            for row in rows.dropFirst() { out.write("| " + row.map(escapeMarkdown).joined(separator: " | ") + " |\n") }
            out.write("\n")
        }
        if !run.epochs.isEmpty {
            out.write("## Per epoch\n\nLosses are the mean per-example loss without the penalty; training figures are taken before each batch's update, validation after the epoch.\n\n")
            md(epochRows)
            out.write("## Gradient magnitude per layer\n\n")
            md(gradientRows)
        }
        for image in images { out.write("![\(escapeMarkdown(image.title))](\(image.path))\n\n") }
        out.write("## Result\n\n")
        for line in resultLines { out.write(escapeMarkdown(line) + "\n\n") }
    }

    /// Training and validation loss per epoch.
    package var lossChart: Chart {
        var series = [Chart.Series(name: "training", points: run.epochs.map { (Double($0.epoch), $0.trainingLoss) }, markers: run.epochs.count <= 30)]
        if run.epochs.contains(where: { $0.validationLoss != nil }) {
            series.append(Chart.Series(name: "validation", points: run.epochs.compactMap { e in e.validationLoss.map { (Double(e.epoch), $0) } }, markers: run.epochs.count <= 30))
        }
        let all = series.flatMap { $0.points.map(\.y) }.filter { $0.isFinite }
        let logY = (all.min() ?? 1) > 0 && (all.max() ?? 1) / (all.min() ?? 1) > 50
        return Chart(title: "Loss per epoch (\(lossName), mean per example)", xLabel: "epoch", yLabel: logY ? "loss (log scale)" : "loss", logY: logY, series: series)
    }

    /// Training and validation accuracy per epoch, when the model classifies.
    package var accuracyChart: Chart? {
        guard run.epochs.contains(where: { $0.trainingAccuracy != nil }) else { return nil }
        var series = [Chart.Series(name: "training", points: run.epochs.compactMap { e in e.trainingAccuracy.map { (Double(e.epoch), 100 * $0) } }, markers: run.epochs.count <= 30)]
        if run.epochs.contains(where: { $0.validationAccuracy != nil }) {
            series.append(Chart.Series(name: "validation", points: run.epochs.compactMap { e in e.validationAccuracy.map { (Double(e.epoch), 100 * $0) } }, markers: run.epochs.count <= 30))
        }
        return Chart(title: "Accuracy per epoch", xLabel: "epoch", yLabel: "accuracy (%)", series: series)
    }

    /// RMS gradient per layer per epoch, on a log scale (vanishing and exploding gradients).
    package var gradientChart: Chart {
        let series = run.groups.enumerated().map { g, name in
            Chart.Series(name: name, points: run.epochs.map { (Double($0.epoch), $0.gradientRMS[g]) })
        }
        return Chart(title: "Gradient magnitude per layer (RMS of ∂\(lossName)/∂w)", xLabel: "epoch", yLabel: "RMS gradient (log scale)", logY: true, series: series)
    }

    /// The decision regions at the final parameters, when the data has columns x1, x2 bound to
    /// the model and a classifier is given; else nil.
    package func boundary(classifier: Classifier?) -> DecisionBoundary? {
        guard let classifier, let resolved = try? classifier.resolve(model, data: data),
              var grid = BoundaryGrid(model: model, data: data, points: [data], classifier: classifier, resolution: 60),
              let c1 = data.columns.firstIndex(of: "x1"), let c2 = data.columns.firstIndex(of: "x2") else { return nil }
        let points = (0..<data.count).map { r in
            DecisionBoundary.Point(x: data[r, c1], y: data[r, c2], label: Int(data[r, resolved.targetColumn] > 0 && resolved.nodes.count == 1 ? 1 : max(0, data[r, resolved.targetColumn])))
        }
        let accuracy = run.finalAccuracy.map { ", training accuracy \(percent($0))" } ?? ""
        return DecisionBoundary(title: "Decision boundary after \(run.stepsTaken) updates\(accuracy)", points: points, xRange: grid.xRange, yRange: grid.yRange,
                                resolution: grid.resolution, cells: grid.cells(parameters: run.finalParameters))
    }

    /// One line per step: step, epoch, learning rate, loss, gradient norm (CSV).
    package func historyCSV() -> String {
        var out = "step,epoch,learning_rate,loss,gradient_norm\n"
        for s in run.history {
            let norm = s.gradients.reduce(0) { $0 + $1 * $1 }.squareRoot()
            out += "\(s.step),\(s.epoch),\(formatShortest(s.learningRate)),\(formatShortest(s.loss)),\(formatShortest(norm))\n"
        }
        return out
    }

    /// The epoch table as CSV, with every epoch.
    package func epochsCSV() -> String {
        var out = "epoch,updates,training_loss,training_accuracy,validation_loss,validation_accuracy," + run.groups.map { "rms_gradient_\($0)" }.joined(separator: ",") + "\n"
        func n(_ v: Double?) -> String { v.map(formatShortest) ?? "" }
        for e in run.epochs {
            out += "\(e.epoch),\(e.updates),\(n(e.trainingLoss)),\(n(e.trainingAccuracy)),\(n(e.validationLoss)),\(n(e.validationAccuracy))," + e.gradientRMS.map(formatShortest).joined(separator: ",") + "\n"
        }
        return out
    }

    /// Every file of the report folder: README.md, history.csv, epochs.csv, the charts (SVG and
    /// PNG), the network diagram, and the parameters (final, and each snapshot step).
    package func files(classifier: Classifier?) throws(Graphviz.Failure) -> [OutputFile] {
        var files: [OutputFile] = []
        var images: [(String, String)] = []
        func chart(_ name: String, _ title: String, _ svg: [UInt8], _ png: [UInt8]) {
            files.append(OutputFile(path: "\(name).svg", bytes: svg))
            files.append(OutputFile(path: "\(name).png", bytes: png))
            images.append((title, "\(name).svg"))
        }
        if !run.epochs.isEmpty {
            chart("loss", "Loss per epoch", try lossChart.render(.svg), try lossChart.render(.png))
            if let a = accuracyChart { chart("accuracy", "Accuracy per epoch", try a.render(.svg), try a.render(.png)) }
            chart("gradients", "Gradient magnitude per layer", try gradientChart.render(.svg), try gradientChart.render(.png))
        }
        if let b = boundary(classifier: classifier) { chart("boundary", "Decision boundary", try b.render(.svg), try b.render(.png)) }
        let diagram = NetworkDiagram(model.graph, parameters: run.finalParameters, of: model)
        if diagram.isDrawable {
            let dot = diagram.dot()
            chart("network", "The network", try Graphviz.render(dot: dot, format: .svg), try Graphviz.render(dot: dot, format: .png))
        }
        var md = "# Training\n\n"
        markdown(to: &md, images: images)
        files.insert(OutputFile(path: "README.md", text: md), at: 0)
        files.append(OutputFile(path: "history.csv", text: historyCSV()))
        if !run.epochs.isEmpty { files.append(OutputFile(path: "epochs.csv", text: epochsCSV())) }
        files.append(OutputFile(path: "params-final.json", text: ParameterFile.json(names: run.parameters, values: run.finalParameters, step: nil,
                                                                                     about: "the parameters after \(run.stepsTaken) updates")))
        for step in run.snapshots.keys.sorted() {
            files.append(OutputFile(path: "params-step-\(step).json", text: ParameterFile.json(names: run.parameters, values: run.snapshots[step]!, step: step,
                                                                                                about: "the parameters step \(step) used, before its update")))
        }
        return files
    }
}
