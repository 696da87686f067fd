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

        The language: numbers (3, -2.5, 1e-3), names (x, w0, x_1), + - * / ^ (right-associative, \
        tighter than unary minus: -x^2 is -(x^2)), parentheses, and exp, sigmoid, tanh, relu, log, \
        max(a, b), min(a, b). Statements are separated by ; or new lines: q = x + y names an \
        intermediate, x = -2 binds an input, and the last statement is the output. # starts a comment.

        Numbers: by default the shortest decimal that reads back exactly (diagrams: at most 4 \
        decimals). --precision N rounds to N decimals, correctly rounded from the exact binary \
        value (ties to even), and shows -0 as 0. JSON always has full precision.

        Output goes to standard output, or to -o FILE, whose extension picks the format \
        (.txt .md .json .dot .svg .png .pdf) unless --format says otherwise. Files are written \
        atomically.

        Examples:
          gradtrace explain "(x + y) * z" x=-2 y=5 z=-4
          gradtrace explain "q = x + y; f = q * z" x=-2 y=5 z=-4
          gradtrace explain neuron.gt --expand --check
          gradtrace explain neuron.gt -o neuron.png --precision 2
          gradtrace explain neuron.gt --frames frames/
          echo "max(a, b) * c" | gradtrace explain - a=1 b=2 c=3 --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, json, dot, svg, png, pdf
    }

    @Argument(help: ArgumentHelp("The expression, a .gt file or - (standard input), then name=value bindings.",
                                 valueName: "source-and-bindings"))
    var arguments: [String] = []

    @Option(name: .long, help: ArgumentHelp("Read the expression from this file; every argument is then a binding.", valueName: "path"))
    var file: String?

    @Option(name: .long, help: "Output format: text, markdown, json, dot, svg, png or pdf (default: from -o's extension, else text).")
    var format: Format?

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Round displayed numbers to N decimals (0 to 17).", valueName: "N"))
    var precision: Int?

    @Flag(name: .long, help: "Draw composite gates (sigmoid, tanh, relu, -, /, min) as the lecture's primitives.")
    var expand = false

    @Flag(name: .long, help: "Add a numerical gradient check (centred difference) for every input and gate.")
    var check = false

    @Flag(name: .customLong("no-color"), help: "No colour in text output (colour is used only on a terminal anyway).")
    var noColor = false

    @Flag(name: .customLong("no-gradients"), help: "Forward pass only: values, no gradients.")
    var noGradients = false

    @Option(name: .long, help: "Diagram direction: LR (left to right, as the lecture) or TB (top to bottom).")
    var rankdir: String = "LR"

    @Option(name: .long, help: "A title for the walkthrough or diagram.")
    var title: String?

    @Option(name: .long, help: ArgumentHelp("Write one diagram per backward step into this folder (step-01.svg, ...); --format picks svg, png or pdf.", valueName: "dir"))
    var frames: String?

    func validate() throws {
        if let precision, !(0...17).contains(precision) {
            throw ValidationError("--precision must be between 0 and 17, got \(precision)")
        }
        if rankdir != "LR" && rankdir != "TB" {
            throw ValidationError("--rankdir must be LR or TB, got '\(rankdir)'")
        }
        if frames != nil && output != nil {
            throw ValidationError("use either --frames DIR or -o FILE, not both")
        }
        if file == nil && arguments.isEmpty {
            throw ValidationError("give an expression, a .gt file or - for standard input, e.g.: gradtrace explain \"(x + y) * z\" x=-2 y=5 z=-4")
        }
    }

    func run() throws {
        // Source and bindings.
        let source: SourceText
        var bindingArguments = arguments
        if let file {
            source = try SourceReader.read(path: file)
        } else {
            let first = bindingArguments.removeFirst()
            if first == "-" {
                source = try SourceReader.readStandardInput()
            } else if first.hasSuffix(".gt") {
                source = try SourceReader.read(path: first)
            } else {
                source = SourceText(first, name: "<expression>")
            }
        }
        let bindings = try Bindings.parse(bindingArguments)
        let graph = try Parser.parse(source, expand: expand)
        let trace = try Tracer(bindings: bindings).trace(graph)
        let gradientCheck = check ? GradientCheck(trace) : nil
        for warning in trace.warnings { Terminal.printWarning(warning.message) }

        let chosen = try chosenFormat()
        if let frames {
            try writeFrames(trace, to: frames, format: chosen)
        } else {
            try write(trace, format: chosen, check: gradientCheck)
        }
        if let gradientCheck, !gradientCheck.allPassed {
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
        case let ext:
            throw CommandFailure(message: "cannot tell the format from the extension '.\(ext)' of '\(output)'; use .txt .md .json .dot .svg .png .pdf or --format", status: 2)
        }
    }

    private var numberFormat: NumberFormat { NumberFormat(precision: precision) }

    private func dotOptions(frame: Int? = nil) -> DotOptions {
        DotOptions(format: precision == nil ? NumberFormat(maxDecimals: 4) : numberFormat, showGradients: !noGradients,
                   rankdir: rankdir, title: title, frame: frame)
    }

    private func checkDiagramSize(_ trace: Trace) throws {
        let gates = trace.graph.gateCount
        if gates > Graphviz.maxGates {
            throw CommandFailure(message: "the circuit has \(gates) gates; a diagram of more than \(Graphviz.maxGates) gates is unreadable and slow to lay out. Use --format json or --format text instead, or split the expression into smaller parts.", status: 2)
        }
    }

    private func write(_ trace: Trace, format: Format, check: GradientCheck?) throws {
        let options = ExplainOptions(format: numberFormat, color: output == nil && !noColor && Terminal.stdoutIsTTY && format == .text,
                                     check: check, showGradients: !noGradients, title: title)
        switch format {
        case .text, .markdown, .json, .dot:
            let body: (FileStream) -> Void = { stream in
                var s = stream
                switch format {
                case .text: TextRenderer.render(trace, options: options, to: &s)
                case .markdown: MarkdownRenderer.render(trace, options: options, to: &s)
                case .json: JSONRenderer.render(trace, check: check, to: &s)
                default: DotRenderer.render(trace, options: dotOptions(), to: &s)
                }
            }
            if let output {
                do { try AtomicFile.write(to: output, body) } catch { throw CommandFailure(message: error.description) }
            } else {
                let stream = FileStream.standardOutput()
                body(stream)
                stream.flush()
            }
        case .svg, .png, .pdf:
            try checkDiagramSize(trace)
            let bytes = try render(trace, as: format, options: dotOptions())
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

    private func writeFrames(_ trace: Trace, to folder: String, format: Format) throws {
        guard [.svg, .png, .pdf, .dot].contains(format) else {
            throw CommandFailure(message: "--frames writes diagrams: use --format svg, png, pdf or dot", status: 2)
        }
        try checkDiagramSize(trace)
        if trace.graph.gateCount > Graphviz.maxFrameGates {
            throw CommandFailure(message: "--frames draws one diagram per step; this circuit has \(trace.graph.gateCount) gates and frames are limited to \(Graphviz.maxFrameGates)", status: 2)
        }
        let count = trace.steps.count
        let digits = max(2, String(count).count)
        var files: [OutputFile] = []
        for step in 1...max(1, count) where count > 0 {
            let number = String(repeating: "0", count: digits - String(step).count) + String(step)
            let name = "step-\(number).\(format == .dot ? "dot" : format.rawValue)"
            let options = dotOptions(frame: step)
            files.append(format == .dot ? OutputFile(path: name, text: DotRenderer.render(trace, options: options))
                                        : OutputFile(path: name, bytes: try render(trace, as: format, options: options)))
        }
        // Replaces the frames of an earlier run, longer ones included, and nothing gradtrace did not write.
        do { _ = try OutputFolder(root: folder).replaceFiles(files) } catch { throw CommandFailure(message: error.description) }
        Terminal.printNote("wrote \(count) frames to \(folder)")
    }
}
