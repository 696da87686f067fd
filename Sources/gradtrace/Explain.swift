import ArgumentParser
import Foundation
import GradTrace

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trace an expression forward and backward and explain every step.",
        discussion: """
        SOURCE is an expression in quotes, a file ending in .gt, or - for standard input. \
        The bindings that follow give the variables their values (x=-2 y=5); they override \
        values bound in the text (x = -2).

        The language: numbers (3, -2.5, 1e-3), names (x, w0, x_1, θ, w₁), + - * / ^ \
        (right-associative, tighter than unary minus: -x^2 is -(x^2)), parentheses, and the \
        functions below. Statements are separated by ; or new lines: q = x + y names an \
        intermediate, x = -2 binds an input, and the last statement is the output. # starts a \
        comment. def softplus2(x) = log(1 + exp(x)) defines a gate of your own (a body with \
        statements goes in braces: def f(x) = { q = x*x; q + 1 }); it is drawn as one gate \
        unless --expand=NAME (or --expand, for every composite) draws it as its body.

        Functions:
        \(FunctionHelp.list)

        Numbers: by default 6 significant figures (diagrams: 4). --precision N rounds to N \
        decimals, --digits N to N significant figures. A nonzero value too small for the chosen \
        decimals is shown in scientific notation (2.9 × 10⁻⁵), never as 0. Every equation shown \
        (local × upstream = product, a fork's sum) holds for the numbers as shown: an operand gets \
        guard digits where needed (-2.00 × 0.197 = -0.39). JSON always has full precision.

        Forward mode (--mode forward --wrt X) pushes ∂/∂X from input X up to every node, gate \
        by gate: local gradient × the input's tangent, summed over a gate's inputs. Reverse mode \
        (the default) pulls ∂f/∂ from the output back to every input. --paths X lists every path \
        from X to the output with its product of local gradients; their sum is ∂f/∂X.

        Gradients: a product with an exact 0 factor is 0, even when the other factor is inf or \
        nan (a wire that carries no gradient contributes nothing); every other product follows \
        IEEE 754.

        Output goes to standard output, or to -o FILE, whose extension picks the format \
        (.txt .md .json .dot .svg .png .pdf .tex) unless --format says otherwise. A .tex file is a \
        standalone TikZ picture for LaTeX (--tex-bare: only the tikzpicture, for a slide; --tex-overlays: \
        Beamer overlays, one slide per step). Files are written \
        atomically.

        Examples:
          gradtrace explain "(x + y) * z" x=-2 y=5 z=-4
          gradtrace explain "q = x + y; f = q * z" x=-2 y=5 z=-4
          gradtrace explain neuron.gt --expand --check
          gradtrace explain "-x^2 + 3" x=2
          gradtrace explain "def softplus2(x) = log(1 + exp(x)); softplus2(w*x)" w=2 x=1 --expand=softplus2
          gradtrace explain neuron.gt -o neuron.png --precision 2
          gradtrace explain neuron.gt --frames frames/
          gradtrace explain "e = (a + b) * (b + 1)" a=2 b=1 --mode forward --wrt b --compare
          gradtrace explain "e = (a + b) * (b + 1)" a=2 b=1 --paths b --frames paths/
          gradtrace explain "e = (a + b) * (b + 1)" a=2 b=1 -o circuit.tex
          echo "max(a, b) * c" | gradtrace explain - a=1 b=2 c=3 --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, latex, json, dot, svg, png, pdf, tex
    }

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case reverse, forward
    }

    /// The input nodes --wrt and --paths name, once the expression is parsed.
    struct Views {
        var forwardWith: Int?
        var pathsFrom: Int?
    }

    @Argument(help: ArgumentHelp("The expression, a .gt file or - (standard input), then name=value bindings.",
                                 valueName: "source-and-bindings"))
    var arguments: [String] = []

    @Option(name: .long, help: ArgumentHelp("Read the expression from this file; every argument is then a binding.", valueName: "path"))
    var file: String?

    @Option(name: .long, help: "Output format: text, markdown, latex (the walkthrough as align* blocks to \\input in a Beamer frame), json, dot, svg, png, pdf or tex (a TikZ picture; default: from -o's extension, else text).")
    var format: Format?

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
    var output: String?

    @OptionGroup var numbers: NumberArguments
    var precision: Int? { numbers.precision }
    var digits: Int? { numbers.digits }

    @Flag(name: .long, help: "Draw every composite gate (sigmoid, tanh, relu, -, /, min, softplus, defs, ...) as the lecture's primitives; --expand=NAME[,NAME] draws only those.")
    var expand = false

    @Option(name: .customLong("expand-only"), help: .hidden)
    var expandOnly: String?

    @Flag(name: .long, help: ArgumentHelp("Add a numerical gradient check (centred difference) of the inputs and gates; beyond \(GradientCheck.defaultLimit) nodes, an even spread of them (each check re-runs the tape)."))
    var check = false

    @Flag(name: .customLong("check-all"), help: "With --check: check every node, however many (quadratic in the size of the circuit).")
    var checkAll = false

    @Flag(name: .customLong("no-color"), help: "No colour in text output (colour is used only on a terminal anyway).")
    var noColor = false

    @Flag(name: .customLong("no-gradients"), help: "Forward pass only: values, no gradients.")
    var noGradients = false

    @Option(name: .spec(ExplainRequest.rankdir), help: ArgumentHelp(ExplainRequest.rankdir))
    var rankdir: String = "LR"

    @Option(name: .long, help: "A title for the walkthrough or diagram.")
    var title: String?

    @Option(name: .long, help: ArgumentHelp("Bind the inputs from a row of data: a CSV file (header names the inputs; x1 or x[1] for x[1]) or a generator such as 'moons(n=100, seed=1)'.", valueName: "csv-or-generator"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("The row of --data to explain, from 1 (default 1).", valueName: "r"))
    var row: Int?

    @Option(name: .long, help: ArgumentHelp("Parameter values from a JSON or CSV file (as `train -o` saves them: params-step-K.json); name=value bindings override them.", valueName: "path"))
    var weights: String?

    @Option(name: .long, help: ArgumentHelp("Seed of the declared parameters' initial values (default 0).", valueName: "n"))
    var seed: UInt64 = 0

    @Flag(name: .long, help: "Draw the network in layers (inputs, each named vector, the output) instead of the circuit of gates; for .svg, .png, .pdf and .dot.")
    var network = false

    @Option(name: .spec(ExplainRequest.mode), help: ArgumentHelp(ExplainRequest.mode))
    var modeName: String = "reverse"
    var mode: Mode { Mode(rawValue: modeName) ?? .reverse }

    @Option(name: .long, help: ArgumentHelp("With --mode forward: the input the tangents are taken with respect to (needed when there are several).", valueName: "input"))
    var wrt: String?

    @Option(name: .long, help: ArgumentHelp("List every path from this input to the output with its product of local gradients, and their sum (= the gradient); beyond --path-limit paths, their number and the factored form backprop computes. With --frames: one diagram per path.", valueName: "input"))
    var paths: String?

    @Option(name: .spec(ExplainRequest.pathLimit), help: ArgumentHelp(ExplainRequest.pathLimit))
    var pathLimit: Int = Paths.defaultLimit

    @Flag(name: .customLong("tex-bare"), help: "With -o FILE.tex or --format tex: write only the tikzpicture (to paste into a slide), not a standalone document.")
    var texBare = false

    @Flag(name: .customLong("tex-overlays"), help: "With --format tex: a bare tikzpicture with Beamer overlays, \\only<k>: slide 1 the forward pass, slide k+1 the gradients (or tangents) known after step k.")
    var texOverlays = false

    @Flag(name: .long, help: "Add the comparison of forward and reverse mode: passes needed for the whole gradient, and operation counts for this circuit.")
    var compare = false

    @Option(name: .long, help: ArgumentHelp("Write one diagram per backward step into this folder (step-01.svg, ...; with --mode forward one per forward step, with --paths one per path, path-01.svg, ...); --format picks svg, png or pdf.", valueName: "dir"))
    var frames: String?

    func validate() throws {
        try checkOptions { () throws(OptionError) in
            _ = try ExplainRequest.rankdir.check(rankdir)
            _ = try ExplainRequest.mode.check(modeName)
            _ = try ExplainRequest.pathLimit.check(pathLimit)
        }
        if frames != nil && output != nil {
            throw ValidationError("use either --frames DIR or -o FILE, not both")
        }
        if file == nil && arguments.isEmpty {
            throw ValidationError("give an expression, a .gt file or - for standard input, e.g.: gradtrace explain \"(x + y) * z\" x=-2 y=5 z=-4")
        }
        if checkAll && !check { throw ValidationError("--check-all goes with --check") }
        if row != nil && data == nil { throw ValidationError("--row picks a row of --data; give --data") }
        if let row, row < 1 { throw ValidationError("--row counts from 1, got \(row)") }
        if network && frames != nil { throw ValidationError("--network draws one diagram; --frames steps through the circuit") }
        if wrt != nil && mode != .forward { throw ValidationError("--wrt goes with --mode forward (reverse mode gives every input's gradient in one pass)") }
        if mode == .forward && noGradients { throw ValidationError("--mode forward computes derivatives; it cannot go with --no-gradients") }
        if frames != nil && mode == .forward && paths != nil {
            throw ValidationError("--frames steps through either the forward-mode pass or the paths; use --mode forward or --paths, not both")
        }
    }

    /// Bindings from a data row, a weights file and the parameters' seed; the command line's own win.
    func boundInputs(_ source: SourceText, _ given: [String: Double]) throws -> [String: Double] {
        var bindings = given
        if let weights {
            for (name, value) in try ParameterFile.read(path: weights) where bindings[name] == nil { bindings[name] = value }
        }
        guard data != nil || seed != 0 else { return bindings }
        var graph = try Explanation.graph(source: source)
        if seed != 0 {
            graph.initializeParameters(seed: seed)
            for p in graph.parameterNodes where bindings[p.name] == nil { bindings[p.name] = graph.boundValues[p.node] }
        }
        if let data {
            let dataset = try Dataset.load(data)
            let r = (row ?? 1) - 1
            guard r < dataset.count else { throw CommandFailure(message: "--row must be from 1 to \(dataset.count), the rows of \(dataset.name)", status: 2) }
            let trained = Set(graph.parameterNodes.map(\.node))
            var used = 0
            for id in graph.inputs where !trained.contains(id) {
                let name = graph.nodes[id].name ?? "?"
                if bindings[name] == nil, let c = dataset.column(for: name) { bindings[name] = dataset[r, c]; used += 1 }
            }
            if used == 0 {
                throw Diagnostic("no input of the expression has a column in \(dataset.name)", file: source.name,
                                 help: "its columns are \(dataset.columns.joined(separator: ", ")); its inputs \(graph.inputNames.prefix(12).joined(separator: ", "))")
            }
        }
        return bindings
    }

    func run() throws {
        let (source, given) = try SourceArguments.resolve(arguments, file: file)
        // -o must not be one of the files read (src.gt -o src.gt would replace the source).
        if let output {
            let inputs = [source.name, weights, data].compactMap { $0 }
            do { try AtomicFile.refuseOverwriting(output, inputs: inputs) } catch { throw CommandFailure(message: error.description, status: 2) }
        }
        let bindings = try boundInputs(source, given)
        let expansion: Graph.Expansion = expandOnly.map { names in
            let list = Set(names.split(separator: ",").map { $0.trimmed(" ") })
            return list.contains("all") ? .all : .only(list)
        } ?? (expand ? .all : .none)
        let explanation = try Explanation(source: source, bindings: bindings, expansion: expansion,
                                          check: check ? (checkAll ? .all : .sample) : .none)
        if case .only(let names) = expansion {
            let known = Set(explanation.graph.kinds.filter { $0.body != nil }.map(\.name))
            for name in names.sorted() where !known.contains(name) {
                let help = closestMatch(to: name, in: known.sorted()).map { "did you mean '\($0)'?" }
                    ?? "the composite gates are \(known.sorted().joined(separator: ", "))"
                throw Diagnostic("--expand: '\(name)' is not a composite gate", file: "<command line>", help: help)
            }
        }
        let trace = explanation.trace
        for warning in explanation.warnings { Terminal.printWarning(warning) }
        let graph = explanation.graph
        func inputNode(_ name: String, _ option: String) throws -> Int {
            if let id = graph.input(named: name) { return id }
            let names = graph.inputNames
            let computed = graph.nodes.contains { $0.name == name }
            let help = computed ? "'\(name)' is computed by the expression; \(option) takes an input: \(names.joined(separator: ", "))"
                : closestMatch(to: name, in: names).map { "did you mean '\($0)'? The inputs are \(names.joined(separator: ", "))" }
                ?? (names.isEmpty ? "the expression has no inputs" : "the inputs are \(names.joined(separator: ", "))")
            throw Diagnostic("\(option): '\(name)' is not an input of the expression", file: "<command line>", help: help)
        }
        var views = Views()
        if mode == .forward {
            if let wrt {
                views.forwardWith = try inputNode(wrt, "--wrt")
            } else if graph.inputs.count == 1 {
                views.forwardWith = graph.inputs[0]
            } else {
                let names = graph.inputNames
                throw Diagnostic(names.isEmpty ? "--mode forward needs an input to differentiate with respect to; the expression has none"
                                               : "--mode forward pushes ∂/∂x from one input: say which with --wrt",
                                 file: "<command line>", help: names.isEmpty ? nil : "e.g. --wrt \(names[0]); the inputs are \(names.joined(separator: ", "))")
            }
        }
        if let paths { views.pathsFrom = try inputNode(paths, "--paths") }

        let chosen = try chosenFormat()
        if network {
            guard [.dot, .svg, .png, .pdf].contains(chosen) else {
                throw CommandFailure(message: "--network draws a diagram: write it to .svg, .png, .pdf or .dot", status: 2)
            }
            let diagram = NetworkDiagram(explanation.graph, parameterNodes: explanation.graph.parameterNodes.map(\.node), values: trace.values)
            guard diagram.isDrawable else {
                throw Diagnostic("there are no layers to draw: --network draws the vectors and numbers the source names (h = relu(W @ x + b))",
                                 file: source.name, help: "name the layers, or drop --network to draw the circuit")
            }
            let dot = diagram.dot()
            let bytes: [UInt8] = chosen == .dot ? Array(dot.utf8) : try Graphviz.render(dot: dot, format: Graphviz.Format(rawValue: chosen.rawValue)!)
            if let output {
                do { try AtomicFile.writeBytes(bytes, to: output) } catch { throw CommandFailure(message: error.description) }
            } else {
                Terminal.writeStandardOutput(bytes)
            }
            return
        }
        func drawable() throws {
            do { try explanation.requireDrawable() } catch var d {
                if !explanation.graph.tensors.isEmpty { d.help = "draw it as layers with --network, or use --format text or json for every gate" }
                throw d
            }
        }
        if let frames {
            try drawable()
            try writeFrames(trace, to: frames, format: chosen, views: views)
        } else {
            if [.svg, .png, .pdf, .tex].contains(chosen) { try drawable() }
            if (texBare || texOverlays) && chosen != .tex {
                throw CommandFailure(message: "--tex-bare and --tex-overlays go with a TikZ picture: -o FILE.tex or --format tex", status: 2)
            }
            try write(trace, format: chosen, check: explanation.check, views: views)
        }
        if let gradientCheck = explanation.check, !gradientCheck.allPassed {
            throw CommandFailure(message: "the gradient check found a mismatch (see the table)")
        }
    }

    private func chosenFormat() throws -> Format {
        if let format { return format }
        guard let output else { return frames == nil ? .text : .svg }
        if AtomicFile.isStream(output) { return .text }  // -o -, /dev/stdout, a device: no extension to go by
        switch URL(fileURLWithPath: output).pathExtension.lowercased() {
        case "txt", "text": return .text
        case "md", "markdown": return .markdown
        case "json": return .json
        case "dot", "gv": return .dot
        case "svg": return .svg
        case "png": return .png
        case "pdf": return .pdf
        case "tex": return .tex
        case let ext:
            throw CommandFailure(message: "cannot tell the format from the extension '.\(ext)' of '\(output)'; use .txt .md .json .dot .svg .png .pdf .tex or --format", status: 2)
        }
    }

    private var numberFormat: NumberFormat { NumberFormat(precision: precision, digits: digits) }

    private func dotOptions(frame: Int? = nil, views: Views = Views()) -> DotOptions {
        var options = DotOptions(format: NumberFormat(precision: precision, digits: digits, fallback: .diagram), showGradients: !noGradients,
                                 rankdir: rankdir, title: title, frame: frame)
        options.tangentWith = views.forwardWith
        return options
    }

    private func write(_ trace: Trace, format: Format, check: GradientCheck?, views: Views) throws {
        var options = ExplainOptions(format: numberFormat, color: output == nil && !noColor && Terminal.stdoutIsTTY && format == .text,
                                     check: check, showGradients: !noGradients, title: title)
        options.forwardWith = views.forwardWith
        options.pathsFrom = views.pathsFrom
        options.pathLimit = pathLimit
        options.compareModes = compare
        switch format {
        case .text, .markdown, .latex, .json, .dot:
            let body: (FileStream) -> Void = { stream in
                var s = stream
                switch format {
                case .text: TextRenderer.render(trace, options: options, to: &s)
                case .markdown: MarkdownRenderer.render(trace, options: options, to: &s)
                case .latex: LaTeXRenderer.render(trace, options: options, to: &s)
                case .json: JSONRenderer.render(trace, check: check, views: options, to: &s)
                default: DotRenderer.render(trace, options: dotOptions(views: views), to: &s)
                }
            }
            if let output {
                do { try AtomicFile.write(to: output, body) } catch { throw CommandFailure(message: error.description) }
            } else {
                let stream = FileStream.standardOutput()
                body(stream)
                stream.flush()
            }
        case .tex:
            let text: String
            do {
                text = try TikZRenderer.render(trace, options: dotOptions(views: views), tex: TikZRenderer.Options(bare: texBare, overlays: texOverlays))
            } catch { throw CommandFailure(message: error.description) }
            if let output {
                do { try AtomicFile.write(text, to: output) } catch { throw CommandFailure(message: error.description) }
            } else {
                let stream = FileStream.standardOutput()
                stream.write(text)
                stream.flush()
            }
        case .svg, .png, .pdf:
            let bytes = try render(trace, as: format, options: dotOptions(views: views))
            if let output {
                do { try AtomicFile.writeBytes(bytes, to: output) } catch { throw CommandFailure(message: error.description) }
            } else {
                if format != .svg && Terminal.stdoutIsTTY {
                    throw CommandFailure(message: "\(format.rawValue) is binary; write it to a file with -o diagram.\(format.rawValue)", status: 2)
                }
                Terminal.writeStandardOutput(bytes)
            }
        }
    }

    private func render(_ trace: Trace, as format: Format, options: DotOptions) throws -> [UInt8] {
        let dot = DotRenderer.render(trace, options: options)
        do {
            return try Graphviz.render(dot: dot, format: Graphviz.Format(rawValue: format.rawValue)!)
        } catch {
            throw CommandFailure(message: error.description)
        }
    }

    private func writeFrames(_ trace: Trace, to folder: String, format: Format, views: Views) throws {
        guard [.svg, .png, .pdf, .dot].contains(format) else {
            throw CommandFailure(message: "--frames writes diagrams: use --format svg, png, pdf or dot", status: 2)
        }
        if trace.graph.gateCount > Graphviz.maxFrameGates {
            throw CommandFailure(message: "--frames draws one diagram per step; this circuit has \(trace.graph.gateCount) gates and frames are limited to \(Graphviz.maxFrameGates)", status: 2)
        }
        // One frame per backward step; per forward-mode step (gates in tape order); or per path.
        var listed: [Paths.Path] = []
        if let from = views.pathsFrom {
            let paths = Paths(trace, wrt: from, limit: pathLimit)
            guard let list = paths.paths, list.count <= Paths.maxFrames else {
                let count = PathWalkthrough(Walkthrough(trace), wrt: from, limit: 1).countText
                throw CommandFailure(message: "--frames with --paths draws one diagram per path; there are \(count) paths from '\(trace.graph.nodes[from].name ?? "?")' and path frames are limited to \(min(pathLimit, Paths.maxFrames)) (--path-limit \(pathLimit))", status: 2)
            }
            listed = list
        }
        let count = views.pathsFrom != nil ? listed.count : views.forwardWith != nil ? trace.graph.gateCount : trace.steps.count
        let digits = max(2, String(count).count)
        var files: [OutputFile] = []
        for step in 1...max(1, count) where count > 0 {
            let number = String(repeating: "0", count: digits - String(step).count) + String(step)
            let name = "\(views.pathsFrom != nil ? "path" : "step")-\(number).\(format == .dot ? "dot" : format.rawValue)"
            var options = dotOptions(frame: views.pathsFrom != nil ? nil : step, views: views)
            if views.pathsFrom != nil { options.path = (step, count, listed[step - 1]) }
            files.append(format == .dot ? OutputFile(path: name, text: DotRenderer.render(trace, options: options))
                                        : OutputFile(path: name, bytes: try render(trace, as: format, options: options)))
        }
        // Replaces the frames of an earlier run, longer ones included, and nothing gradtrace did not write.
        do { _ = try OutputFolder(root: folder).replaceFiles(files) } catch { throw CommandFailure(message: error.description) }
        Terminal.printNote("wrote \(count) frames to \(folder)")
    }
}
