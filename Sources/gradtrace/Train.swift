import ArgumentParser
import Foundation
import GradTrace

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train parameters of an expression by gradient descent, explaining step 1 in full.",
        discussion: """
        The loss is an expression like any other (statements allowed, so a small network is a few \
        named lines); --params names the inputs to train, everything else stays fixed. The graph \
        is built once and re-evaluated each step. Step 1 is explained gate by gate with the update \
        line of every parameter; later steps are a table (steps 1-5, 10, 20, 50, 100, ... and the last).

        Optimisers: gradient descent (w ← w − η·g), --momentum μ (v ← μv − η·g, w ← w + v), and \
        --nesterov (the gradient taken at w + μv). A run whose loss or a parameter becomes inf or \
        nan stops with a message naming the step and the parameter; the table up to there is still \
        written.

        Examples:
          gradtrace train examples/mazur.gt --params w1,w2,w3,w4,w5,w6,w7,w8 --lr 0.5 --steps 10000 -o mazur/
          gradtrace train examples/neuron.gt --params w0,w1,w2 --lr 0.1 --momentum 0.9 --steps 200 --plot loss.svg
        """
    )

    @Argument(help: ArgumentHelp("The loss: an expression, a .gt file or -, then name=value bindings.", valueName: "source-and-bindings"))
    var arguments: [String] = []

    @Option(name: .long, help: ArgumentHelp("Read the loss from this file; every argument is then a binding.", valueName: "path"))
    var file: String?

    @Option(name: .long, help: ArgumentHelp("Comma-separated names of the inputs to train.", valueName: "names"))
    var params: String

    @Option(name: .long, help: "Learning rate η.")
    var lr: Double

    @Option(name: .long, help: "Number of steps.")
    var steps: Int = 100

    @Option(name: .long, help: ArgumentHelp("Momentum μ (0 ≤ μ < 1).", valueName: "mu"))
    var momentum: Double?

    @Flag(name: .long, help: "Nesterov momentum (needs --momentum).")
    var nesterov = false

    @Option(name: .customLong("stop-below"), help: ArgumentHelp("Stop once the loss is below this.", valueName: "loss"))
    var stopBelow: Double?

    @Option(name: .long, help: ArgumentHelp("Round displayed numbers to N decimals.", valueName: "N"))
    var precision: Int?

    @Option(name: .long, help: ArgumentHelp("Show displayed numbers with N significant figures (1 to 17).", valueName: "N"))
    var digits: Int?

    @Option(name: [.short, .long], help: ArgumentHelp("Write a report folder: README.md, history.csv, loss.svg, loss.png.", valueName: "dir"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Write the loss curve to this file (.svg, .png or .pdf).", valueName: "path"))
    var plot: String?

    @Flag(name: .customLong("no-color"), help: "No colour in text output.")
    var noColor = false

    func validate() throws {
        if !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number, got \(lr)") }
        if !(1...10_000_000).contains(steps) { throw ValidationError("--steps must be between 1 and 10000000, got \(steps)") }
        if let momentum, !(0..<1).contains(momentum) { throw ValidationError("--momentum must be at least 0 and below 1, got \(momentum)") }
        if nesterov && momentum == nil { throw ValidationError("--nesterov needs --momentum μ") }
        if let precision, !(0...17).contains(precision) { throw ValidationError("--precision must be between 0 and 17") }
        if let digits, !(1...17).contains(digits) { throw ValidationError("--digits must be between 1 and 17") }
        if precision != nil && digits != nil { throw ValidationError("use either --precision or --digits, not both") }
        if file == nil && arguments.isEmpty { throw ValidationError("give the loss: an expression, a .gt file, - for standard input, or --file PATH") }
        if let plot, Graphviz.Format(rawValue: URL(fileURLWithPath: plot).pathExtension.lowercased()) == nil {
            throw ValidationError("--plot writes .svg, .png or .pdf, not '\(plot)'")
        }
    }

    func run() throws {
        let (source, bindings) = try SourceArguments.resolve(arguments, file: file)
        let graph = try Explanation(source: source, bindings: bindings).graph
        let optimizer: Trainer.Optimizer = momentum.map { nesterov ? .nesterov($0) : .momentum($0) } ?? .gradientDescent
        let names = params.split(separator: ",").map { $0.trimmed(" ") }.filter { !$0.isEmpty }
        let trainer = Trainer(parameters: names, learningRate: lr, steps: steps, optimizer: optimizer, stopBelow: stopBelow)
        let firstStep = try Tracer(bindings: bindings).trace(graph)
        let result = try trainer.train(graph, bindings: bindings)
        let format = NumberFormat(precision: precision, digits: digits)
        let report = TrainingReport(trainer: trainer, run: result, firstStep: firstStep, format: format)

        let stream = FileStream.standardOutput()
        var s = stream
        report.text(to: &s, color: !noColor && Terminal.stdoutIsTTY)
        stream.flush()

        let chart = TrainingReport.lossChart([(name: "η = \(formatShortest(lr))", run: result)], title: "Loss per step")
        do {
            if let plot {
                let format = Graphviz.Format(rawValue: URL(fileURLWithPath: plot).pathExtension.lowercased())!
                try AtomicFile.writeBytes(try chart.render(format), to: plot)
            }
            if let output {
                let folder = OutputFolder(root: output)
                try folder.prepare()
                var markdown = "# Training\n\n"
                report.markdown(to: &markdown, plot: "loss.svg")
                let svg: [UInt8] = try chart.render(Graphviz.Format.svg)
                let png: [UInt8] = try chart.render(Graphviz.Format.png)
                let files = [OutputFile(path: "README.md", text: markdown), OutputFile(path: "history.csv", text: report.csv()),
                             OutputFile(path: "loss.svg", bytes: svg), OutputFile(path: "loss.png", bytes: png)]
                _ = try folder.write(files, into: nil)
            }
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        if let divergence = result.divergence {
            throw CommandFailure(message: divergence.description)
        }
    }
}
