import ArgumentParser
import Foundation
import GradTrace

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the parameters of a loss by gradient descent, on fixed values or on data, explaining any step.",
        discussion: """
        The loss is an expression like any other (statements allowed). Parameters are the inputs \
        named with --params, or every `param` the file declares (param W1[16,2] = uniform(-1, 1)). \
        The graph is built once and re-run for every example.

        Without --data, every other input is fixed and step 1 is explained gate by gate, then a \
        table of steps 1-5, 10, 20, 50, ... and the last.

        With --data (a CSV file whose header names the inputs, x1 or x[1] for the input x[1]; or a \
        generator: moons, circles, xor, spiral, blobs, e.g. 'moons(n=200, noise=0.1, seed=7)'), the \
        loss is one example's: each step averages it and its gradients over a batch (--batch, \
        default the whole set) and adds the penalty (--l2/--l1 λ) once. Reports: training and \
        validation loss and accuracy per epoch, gradient magnitude per layer, dead ReLUs, the \
        decision boundary of a 2-D classifier (--classify), and the network drawn in layers.

        Optimisers (--optimizer): sgd (w ← w − η·g), momentum (v ← μv − η·g, w ← w + v; μ from \
        --momentum, default 0.9), nesterov (g at w + μv), rmsprop (ρ = 0.9, ε = 1e-8), adam (β₁ = \
        0.9, β₂ = 0.999, ε = 1e-8). --lr takes a number or an expression in k, the number of \
        updates made so far: --lr '1 - 0.9*k/100'. --step-decay N:F multiplies η by F every N \
        updates; --exp-decay R by R every update. A run whose loss or a parameter becomes inf or \
        nan stops with a message naming the step; what was done is still written.

        Every step can be explained: --explain-step K --example R prints example R's forward and \
        backward pass at the parameters step K used, and the batch-averaged update line of each \
        parameter; --save-every N writes params-step-N.json files into -o DIR, which \
        `gradtrace explain model.gt --data D --row R --weights FILE` explains again.

        Examples:
          gradtrace train examples/mazur.gt --params w1,w2,w3,w4,w5,w6,w7,w8 --lr 0.5 --steps 10000 -o mazur/
          gradtrace train examples/moons.gt --data 'moons(n=100, noise=0.1, seed=1)' --lr '1 - 0.9*k/100' --steps 100 --l2 1e-4 --classify score -o moons/
          gradtrace train examples/moons.gt --data moons.csv --validate 0.3 --batch 16 --epochs 50 --optimizer adam --lr 0.01 --classify score
          gradtrace train examples/moons.gt --data moons.csv --steps 40 --lr 0.5 --explain-step 37 --example 5
        """
    )

    @Argument(help: ArgumentHelp("The loss: an expression, a .gt file or -, then name=value bindings.", valueName: "source-and-bindings"))
    var arguments: [String] = []

    @Option(name: .long, help: ArgumentHelp("Read the loss from this file; every argument is then a binding.", valueName: "path"))
    var file: String?

    @Option(name: .long, help: ArgumentHelp("Comma-separated names of the inputs to train (a declared vector or matrix by its name). Default: every param of the file.", valueName: "names"))
    var params: String?

    @Option(name: .spec(TrainRequest.learningRate), help: ArgumentHelp(TrainRequest.learningRate))
    var lr: String

    @Option(name: .spec(TrainRequest.steps), help: ArgumentHelp(TrainRequest.steps))
    var steps: Int?

    @Option(name: .spec(TrainRequest.epochs), help: ArgumentHelp(TrainRequest.epochs))
    var epochs: Int?

    @Option(name: .spec(TrainRequest.optimizer), help: ArgumentHelp(TrainRequest.optimizer))
    var optimizer: String?

    @Option(name: .spec(TrainRequest.momentum), help: ArgumentHelp(TrainRequest.momentum))
    var momentum: Double?

    @Flag(name: .long, help: "Nesterov momentum (same as --optimizer nesterov).")
    var nesterov = false

    @Option(name: .customLong("step-decay"), help: ArgumentHelp("Multiply η by F every N updates.", valueName: "N:F"))
    var stepDecay: String?

    @Option(name: .customLong("exp-decay"), help: ArgumentHelp("Multiply η by R every update.", valueName: "R"))
    var expDecay: Double?

    @Option(name: .customLong("stop-below"), help: ArgumentHelp("Stop once the loss is below this.", valueName: "loss"))
    var stopBelow: Double?

    @Option(name: .long, help: ArgumentHelp("Train on rows of data: a CSV file or a generator, e.g. 'moons(n=200, noise=0.1, seed=7)'.", valueName: "csv-or-generator"))
    var data: String?

    @Option(name: .spec(TrainRequest.validate), help: ArgumentHelp(TrainRequest.validate))
    var validationFraction: Double?

    @Option(name: .spec(TrainRequest.batch), help: ArgumentHelp(TrainRequest.batch))
    var batch: Int?

    @Option(name: .spec(TrainRequest.l2), help: ArgumentHelp(TrainRequest.l2))
    var l2: Double?

    @Option(name: .spec(TrainRequest.l1), help: ArgumentHelp(TrainRequest.l1))
    var l1: Double?

    @Option(name: .spec(TrainRequest.seed), help: ArgumentHelp(TrainRequest.seed))
    var seedNumber: Int = 0
    var seed: UInt64 { UInt64(seedNumber) }

    @Option(name: .long, help: ArgumentHelp("Score accuracy: a node (class 1 above 0), 'p > 0.5', or a vector (argmax); against column y, or 'score vs label'.", valueName: "node"))
    var classify: String?

    @Option(name: .long, help: ArgumentHelp("Start from the parameters in this JSON or CSV file (name → value).", valueName: "path"))
    var weights: String?

    @Option(name: .customLong("save-every"), help: ArgumentHelp("With -o, write params-step-K.json every N steps (the parameters step K used).", valueName: "n"))
    var saveEvery: Int?

    @Option(name: .customLong("explain-step"), help: ArgumentHelp("Explain step K: one example's walkthrough at its parameters and every update line.", valueName: "k"))
    var explainStep: Int?

    @Option(name: .long, help: ArgumentHelp("The data row (from 1) --explain-step walks through; default the first row of that step's batch.", valueName: "r"))
    var example: Int?

    @OptionGroup var numbers: NumberArguments
    var precision: Int? { numbers.precision }
    var digits: Int? { numbers.digits }

    @Option(name: [.short, .long], help: ArgumentHelp("Write a report folder: README.md, history.csv, charts (SVG and PNG), parameters.", valueName: "dir"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Write the loss curve to this file (.svg, .png or .pdf).", valueName: "path"))
    var plot: String?

    @Option(name: .long, help: ArgumentHelp("Write the decision boundary to this file (.svg, .png or .pdf); needs --data with x1, x2 and --classify.", valueName: "path"))
    var boundary: String?

    @Flag(name: .customLong("no-color"), help: "No colour in text output.")
    var noColor = false


    func validate() throws {
        try checkOptions { () throws(OptionError) in
            if let steps { _ = try TrainRequest.steps.check(steps) }
            if let epochs { _ = try TrainRequest.epochs.check(epochs) }
            if steps != nil && epochs != nil { throw OptionError(TrainRequest.steps.name, "", other: TrainRequest.epochs.name) }
            if let momentum { _ = try TrainRequest.momentum.check(momentum) }
            if let optimizer { _ = try TrainRequest.optimizer.check(optimizer) }
            if let validationFraction { _ = try TrainRequest.validate.check(validationFraction) }
            if let batch { _ = try TrainRequest.batch.check(batch) }
            if let l2 { _ = try TrainRequest.l2.check(l2) }
            if let l1 { _ = try TrainRequest.l1.check(l1) }
            if l1 != nil && l2 != nil { throw OptionError(TrainRequest.l1.name, "", other: TrainRequest.l2.name) }
            _ = try TrainRequest.seed.check(seedNumber)
            if let eta = Double(lr) { _ = try TrainRequest.learningRate.check(eta) }
        }
        if epochs != nil && data == nil { throw ValidationError("--epochs counts passes over --data; without data use --steps") }
        if nesterov && momentum == nil && optimizer == nil { throw ValidationError("--nesterov needs --momentum μ") }
        if validationFraction != nil && data == nil { throw ValidationError("--validate splits --data; give --data") }
        if batch != nil && data == nil { throw ValidationError("--batch takes rows of --data; give --data") }
        if file == nil && arguments.isEmpty { throw ValidationError("give the loss: an expression, a .gt file, - for standard input, or --file PATH") }
        for (flag, path) in [("--plot", plot), ("--boundary", boundary)] {
            if let path, Graphviz.Format(rawValue: URL(fileURLWithPath: path).pathExtension.lowercased()) == nil {
                throw ValidationError("\(flag) writes .svg, .png or .pdf, not '\(path)'")
            }
        }
        if boundary != nil && (data == nil || classify == nil) { throw ValidationError("--boundary needs --data and --classify") }
        if let saveEvery, saveEvery < 1 || output == nil { throw ValidationError("--save-every N needs N ≥ 1 and -o DIR to write into") }
        if example != nil && explainStep == nil { throw ValidationError("--example picks the row --explain-step walks through; give --explain-step K") }
        if let stepDecay {
            let parts = stepDecay.split(separator: ":")
            guard parts.count == 2, let n = Int(parts[0]), n >= 1, let f = Double(parts[1]), f > 0, f.isFinite else {
                throw ValidationError("--step-decay takes N:F, e.g. 10:0.5 (η × 0.5 every 10 updates)")
            }
        }
        if let expDecay, !(expDecay > 0 && expDecay <= 1) { throw ValidationError("--exp-decay must be in (0, 1], got \(expDecay)") }
        if stepDecay != nil && expDecay != nil { throw ValidationError("use either --step-decay or --exp-decay, not both") }
    }

    func chosenOptimizer() -> Optimizer {
        .named(optimizer ?? (nesterov ? "nesterov" : momentum != nil ? "momentum" : "sgd"), momentum: momentum)
    }

    func schedule() throws -> Schedule {
        let base = try Schedule.parse(lr)
        if case .constant(let eta) = base {
            if let stepDecay {
                let parts = stepDecay.split(separator: ":")
                return .step(eta, every: Int(parts[0])!, factor: Double(parts[1])!)
            }
            if let expDecay { return .exponential(eta, rate: expDecay) }
        } else if stepDecay != nil || expDecay != nil {
            throw CommandFailure(message: "--step-decay and --exp-decay apply to a number --lr; an expression in k is its own schedule", status: 2)
        }
        return base
    }

    func run() throws {
        var (source, bindings) = try SourceArguments.resolve(arguments, file: file)
        // Nothing written may be a file read, and the report folder is checked before any work
        // (a foreign non-empty folder used to be refused only after training).
        let inputs = [source.name, weights, data].compactMap { $0 }
        for path in [plot, boundary].compactMap({ $0 }) {
            do { try AtomicFile.refuseOverwriting(path, inputs: inputs) } catch { throw CommandFailure(message: error.description, status: 2) }
        }
        if let output { try OutputFolder(root: output).prepare() }
        var graph = try Explanation.graph(source: source)
        if seed != 0 { graph.initializeParameters(seed: seed) }
        if let weights {
            let loaded = try ParameterFile.read(path: weights)
            for (k, v) in loaded where bindings[k] == nil { bindings[k] = v }
        }
        let names = params.map { $0.split(separator: ",").map { $0.trimmed(" ") }.filter { !$0.isEmpty } }
        var trainer = Trainer(parameters: names, schedule: try schedule(), steps: steps ?? 100, optimizer: chosenOptimizer(), stopBelow: stopBelow)
        trainer.penalty = l2.map { .l2($0) } ?? l1.map { .l1($0) } ?? .none
        trainer.seed = seed
        trainer.batchSize = batch
        let classifier = try classify.map { try Classifier.parse($0) }
        trainer.classifier = classifier
        let format = NumberFormat(precision: precision, digits: digits)
        let stream = FileStream.standardOutput()
        var out = stream

        guard let data else {
            // Fixed inputs: step 1 in full, then the table.
            if explainStep != nil { throw CommandFailure(message: "--explain-step needs --data; without data, step 1 is always explained", status: 2) }
            let model = try Model(graph: graph, parameters: names, bindings: bindings)
            let firstStep = try Tracer(bindings: model.bindings(row: 0, of: nil, parameters: model.initialParameters)).trace(graph)
            let result = try trainer.train(model, data: nil)
            let report = TrainingReport(trainer: trainer, run: result, firstStep: firstStep, format: format)
            report.text(to: &out, color: !noColor && Terminal.stdoutIsTTY)
            stream.flush()
            let chart = TrainingReport.lossChart([(name: trainer.schedule.description, run: result)], title: "Loss per step")
            do {
                if let plot { try AtomicFile.writeBytes(try chart.render(Graphviz.Format(rawValue: URL(fileURLWithPath: plot).pathExtension.lowercased())!), to: plot) }
                if let output {
                    var markdown = "# Training\n\n"
                    report.markdown(to: &markdown, plot: "loss.svg")
                    let files = [OutputFile(path: "README.md", text: markdown), OutputFile(path: "history.csv", text: report.csv()),
                                 OutputFile(path: "loss.svg", bytes: try chart.render(.svg)), OutputFile(path: "loss.png", bytes: try chart.render(.png)),
                                 OutputFile(path: "params-final.json", text: ParameterFile.json(names: result.parameters, values: result.finalParameters, step: nil,
                                                                                                 about: "the parameters after \(result.stepsTaken) updates"))]
                    try write(files, to: output)
                }
            } catch let failure as CommandFailure { throw failure } catch {
                throw CommandFailure(message: "\(error)")
            }
            if let divergence = result.divergence { throw CommandFailure(message: divergence.description) }
            return
        }

        var training = try Dataset.load(data)
        if let validationFraction {
            let parts = training.split(validation: validationFraction, seed: seed)
            training = parts.training
            trainer.validation = parts.validation
        }
        let model = try Model(graph: graph, parameters: names, bindings: bindings, data: training)
        if let epochs { trainer.steps = epochs * ((training.count + (batch ?? training.count) - 1) / min(batch ?? training.count, training.count)) }
        if let saveEvery { trainer.snapshotSteps = Set(stride(from: saveEvery, through: trainer.steps, by: saveEvery)) }
        if let explainStep {
            guard (1...trainer.steps).contains(explainStep) else { throw CommandFailure(message: "--explain-step must be between 1 and the number of steps, \(trainer.steps)", status: 2) }
            trainer.snapshotSteps.insert(explainStep)
        }
        let result = try trainer.train(model, data: training)
        var stepFile: OutputFile?
        let report = NetworkReport(model: model, trainer: trainer, run: result, data: training, format: format)
        report.text(to: &out)
        if let explainStep {
            guard let w = result.snapshots[explainStep], let step = result.entry(step: explainStep) else {
                throw CommandFailure(message: "the run stopped before step \(explainStep)")
            }
            let rows = trainer.rows(ofStep: explainStep, examples: training.count)
            let row = (example.map { $0 - 1 }) ?? rows.first!
            guard (0..<training.count).contains(row) else { throw CommandFailure(message: "--example must be a row from 1 to \(training.count)", status: 2) }
            let explanation = try StepExplanation(model: model, trainer: trainer, step: step, parameters: w, batch: rows, row: row, data: training, format: format)
            out.write("\n")
            explanation.text(to: &out, color: !noColor && Terminal.stdoutIsTTY)
            var md = ""
            explanation.markdown(to: &md)
            stepFile = OutputFile(path: "step-\(explainStep)-row-\(row + 1).md", text: md)
        }
        stream.flush()
        do {
            if let plot { try AtomicFile.writeBytes(try report.lossChart.render(Graphviz.Format(rawValue: URL(fileURLWithPath: plot).pathExtension.lowercased())!), to: plot) }
            if let boundary {
                guard let b = report.boundary(classifier: classifier) else {
                    throw CommandFailure(message: "no decision boundary: it needs data columns x1 and x2 bound to the model's inputs and a --classify node")
                }
                try AtomicFile.writeBytes(try b.render(Graphviz.Format(rawValue: URL(fileURLWithPath: boundary).pathExtension.lowercased())!), to: boundary)
            }
            if let output { try write(try report.files(classifier: classifier) + (stepFile.map { [$0] } ?? []), to: output) }
        } catch let failure as CommandFailure { throw failure } catch {
            throw CommandFailure(message: "\(error)")
        }
        if let divergence = result.divergence { throw CommandFailure(message: divergence.description) }
    }

    private func write(_ files: [OutputFile], to output: String) throws {
        let folder = OutputFolder(root: output)
        try folder.prepare()
        _ = try folder.write(files, into: nil)
    }
}
