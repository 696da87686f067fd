import Foundation
import GradTrace

/// One explain request, as the page's JSON body or a download link's query string carries it,
/// checked against the limits. Both spellings end up here, so a permalink, a download and the
/// live page ask for exactly the same explanation.
struct ExplainQuery: Sendable {
    var source: String
    /// Values the reader set, by input name, sorted by name; they override values bound in the text.
    var values: [(name: String, value: Double)]
    var expand: Bool
    var precision: Int?
    var digits: Int?
    var forwardOnly: Bool
    var rankdir: String
    /// For a frame of the step-through: the backward step to highlight, from 1.
    var step: Int?

    /// The JSON body of `POST /api/explain` and `POST /api/frame`.
    struct Body: Decodable {
        var source: String
        var values: [String: Double]?
        var expand: Bool?
        var precision: Int?
        var digits: Int?
        var forwardOnly: Bool?
        var rankdir: String?
        var step: Int?
    }

    /// Reads a JSON body; a `Reply` with the error when it is not one.
    static func decode(json: Data, limits: ServerLimits) -> Result<ExplainQuery, ReplyError> {
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: json)
        } catch {
            return .failure(ReplyError(.error(400, kind: "request", "the request is not the JSON this server expects: \(Self.describe(error))",
                                              help: #"send {"source": "x * y", "values": {"x": 2, "y": 3}}"#)))
        }
        return make(source: body.source, values: (body.values ?? [:]).map { ($0.key, $0.value) }, expand: body.expand ?? false,
                    precision: body.precision, digits: body.digits, forwardOnly: body.forwardOnly ?? false,
                    rankdir: body.rankdir ?? "LR", step: body.step, limits: limits)
    }

    /// Reads the query string of a permalink or a download: `src`, `v=name:value,name:value`,
    /// `expand=1`, `precision=N` or `digits=N`, `fwd=1`, `rankdir=TB`.
    static func decode(query: [String: String], limits: ServerLimits) -> Result<ExplainQuery, ReplyError> {
        guard let source = query["src"] else {
            return .failure(ReplyError(.error(400, kind: "request", "the address has no expression (src=…)")))
        }
        var values: [(String, Double)] = []
        for pair in (query["v"] ?? "").split(separator: ",") {
            guard let colon = pair.lastIndex(of: ":"), let value = Double(pair[pair.index(after: colon)...]) else {
                return .failure(ReplyError(.error(400, kind: "request", "the values in the address are not name:number pairs")))
            }
            values.append((String(pair[..<colon]), value))
        }
        func int(_ key: String) -> Result<Int?, ReplyError> {
            guard let text = query[key], !text.isEmpty else { return .success(nil) }
            guard let n = Int(text) else { return .failure(ReplyError(.error(400, kind: "request", "\(key) must be a whole number"))) }
            return .success(n)
        }
        let precision: Int?, digits: Int?
        switch (int("precision"), int("digits")) {
        case (.success(let p), .success(let d)): (precision, digits) = (p, d)
        case (.failure(let e), _), (_, .failure(let e)): return .failure(e)
        }
        return make(source: source, values: values, expand: query["expand"] == "1", precision: precision, digits: digits,
                    forwardOnly: query["fwd"] == "1", rankdir: query["rankdir"] ?? "LR", step: nil, limits: limits)
    }

    static func make(source: String, values: [(String, Double)], expand: Bool, precision: Int?, digits: Int?, forwardOnly: Bool,
                     rankdir: String, step: Int?, limits: ServerLimits) -> Result<ExplainQuery, ReplyError> {
        func bad(_ status: Int, _ kind: String, _ message: String, help: String? = nil) -> Result<ExplainQuery, ReplyError> {
            .failure(ReplyError(.error(status, kind: kind, message, help: help)))
        }
        if source.utf8.count > limits.sourceBytes {
            return bad(413, "limit", "the expression is \(source.utf8.count) bytes; this server takes at most \(limits.sourceBytes)",
                       help: "split it into smaller parts, or run gradtrace explain on your own machine")
        }
        if values.count > limits.bindings { return bad(413, "limit", "more than \(limits.bindings) values") }
        // The request table's checks, spelled as JSON keys (the same words as the CLI and lessons).
        do throws(OptionError) {
            _ = try NumberOptions(precision: precision, digits: digits)
            _ = try ExplainRequest.rankdir.check(rankdir)
        } catch { return bad(400, "request", error.message(on: .json)) }
        if let step, step < 1 { return bad(400, "request", "step counts from 1") }
        var seen = Set<String>()
        var sorted: [(name: String, value: Double)] = []
        for (name, value) in values.sorted(by: { $0.0 < $1.0 }) where seen.insert(name).inserted { sorted.append((name, value)) }
        return .success(ExplainQuery(source: source, values: sorted, expand: expand, precision: precision, digits: digits,
                                     forwardOnly: forwardOnly, rankdir: rankdir, step: step))
    }

    /// The cache key: every field, in a fixed order, separated by a byte that JSON text cannot hold raw.
    func key(_ what: String) -> String {
        var key = what + "\u{1}" + source + "\u{1}"
        for (name, value) in values { key += "\(name)=\(value.bitPattern)," }
        key += "\u{1}\(expand)\u{1}\(precision ?? -1)\u{1}\(digits ?? -1)\u{1}\(forwardOnly)\u{1}\(rankdir)\u{1}\(step ?? 0)"
        return key
    }

    var numberFormat: NumberFormat { NumberFormat(precision: precision, digits: digits) }
    var diagramFormat: NumberFormat { NumberFormat(precision: precision, digits: digits, fallback: .diagram) }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?, .keyNotFound(_, let c)?, .dataCorrupted(let c)?:
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            if case .keyNotFound(let key, _)? = error as? DecodingError { return "'\(key.stringValue)' is missing" }
            return path.isEmpty ? "it is not valid JSON" : "'\(path)' has the wrong type"
        default:
            return "it is not valid JSON"
        }
    }
}

/// A reply that ends a request early, as an error value.
struct ReplyError: Error {
    var reply: Reply
    init(_ reply: Reply) { self.reply = reply }
}

/// The error body: `{"ok": false, "error": {…}}`. Input errors carry the place (line, column,
/// the source line and the caret's length) and the hint, as the command line shows them.
struct APIError: Encodable {
    var kind: String
    var message: String
    var help: String?
    var line: Int?
    var column: Int?
    var sourceLine: String?
    var caretLength: Int?
    /// The whole diagnostic as the command line prints it.
    var text: String?

    init(kind: String, message: String, help: String? = nil) {
        self.kind = kind
        self.message = message
        self.help = help
    }

    init(_ d: Diagnostic) {
        kind = "input"
        message = d.message
        help = d.help
        line = d.line
        column = d.column
        sourceLine = d.sourceLine
        caretLength = d.line == nil ? nil : d.caretLength
        text = d.description
    }

    func encoded() -> Data {
        struct Wrapper: Encodable { var ok = false; var error: APIError }
        return (try? JSONEncoder.sorted.encode(Wrapper(error: self))) ?? Data(#"{"ok":false}"#.utf8)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}

/// Turns an `ExplainQuery` into replies by calling `Explanation` and the library's renderers:
/// the server does no arithmetic of its own, and neither does the page.
enum ExplainService {
    /// What `POST /api/explain` answers.
    struct Result: Encodable {
        struct Input: Encodable {
            var name: String
            /// Full precision; absent when not finite (see `valueText`).
            var value: Double?
            var valueText: String
            var gradientText: String?
            /// Bound by `name = number` in the text (a field then overrides it).
            var boundInText: Bool
            /// Neither bound in the text nor given a value: the server used 1.
            var defaulted: Bool
        }
        var ok = true
        var outputName: String
        var outputText: String
        var inputs: [Input]
        var gates: Int
        var stepCount: Int
        /// The circuit as inline SVG, or nil when it is too large to draw (see `diagramNote`).
        var svg: String?
        var diagramNote: String?
        /// The diagram's wires as a table (FigureText.wireTable), its text alternative; nil with `svg`.
        var wires: String?
        /// Whether the step-through can draw a frame per step (small circuits only).
        var frames: Bool
        /// The walkthrough as an HTML fragment (HTMLRenderer), escaped by the library.
        var walkthrough: String
        var warnings: [String]
    }

    /// Parses once to find the inputs, then explains with every input given a value.
    static func explanation(_ q: ExplainQuery, limits: ServerLimits) throws(ReplyError) -> (Explanation, defaulted: Set<String>) {
        let source = SourceText(q.source, name: "<input>")
        let collapsed: Graph
        do { collapsed = try Parser.parse(source, expansion: .none) } catch { throw ReplyError(.json(422, APIError(error).encoded())) }
        if collapsed.count > limits.nodes {
            throw ReplyError(.error(422, kind: "limit", "the circuit has \(collapsed.count) nodes; this server takes at most \(limits.nodes)",
                                    help: "run gradtrace explain on your own machine for larger circuits"))
        }
        if q.expand {
            let estimate = ExpansionEstimate.nodes(collapsed, cap: limits.nodes)
            if estimate > limits.nodes {
                throw ReplyError(.error(422, kind: "limit", "expanded, the circuit would have more than \(limits.nodes) nodes",
                                        help: "turn off expand, or expand a smaller expression"))
            }
        }
        let names = Set(collapsed.inputNames)
        var bindings: [String: Double] = [:]
        for (name, value) in q.values where names.contains(name) { bindings[name] = value }
        var defaulted = Set<String>()
        for id in collapsed.inputs {
            let name = collapsed.nodes[id].name ?? ""
            if bindings[name] == nil && collapsed.boundValues[id] == nil {
                bindings[name] = 1
                defaulted.insert(name)
            }
        }
        do {
            let e = try Explanation(source: source, bindings: bindings, expansion: q.expand ? .all : .none, limits: limits.explanation)
            return (e, defaulted)
        } catch {
            throw ReplyError(.json(422, APIError(error).encoded()))
        }
    }

    /// Why this circuit is not drawn, or nil when it can be: too many gates, or a value feeding
    /// too many gates (the library's check, under the server's limits).
    static func undrawable(_ e: Explanation) -> Diagnostic? {
        do { try e.requireDrawable() } catch {
            var why = error
            why.help = "the walkthrough below has every step"
            return why
        }
        return nil
    }

    static func explain(_ q: ExplainQuery, limits: ServerLimits, graphviz: GraphvizProcesses) -> Reply {
        let e: Explanation, defaulted: Set<String>
        do { (e, defaulted) = try explanation(q, limits: limits) } catch { return error.reply }
        let trace = e.trace
        let graph = e.graph
        let format = q.numberFormat
        let w = Walkthrough(trace, format: format)
        var svg: String?
        var wires: String?
        var note: String?
        if let why = undrawable(e) {
            note = why.message
        } else {
            let options = DotOptions(format: q.diagramFormat, showGradients: !q.forwardOnly, rankdir: q.rankdir)
            let dot = DotRenderer.render(trace, options: options)
            let alt = FigureText.circuit(trace, options, caption: nil)
            wires = FigureText.wireTable(trace, options, caption: nil)
            do { svg = HTML.inlineSVG(try graphviz.render(dot: dot, format: .svg), idPrefix: "circuit", title: alt.title, description: alt.description) } catch {
                return error.reply("the diagram could not be drawn")
            }
        }
        let inputs = graph.inputs.map { id -> Result.Input in
            let name = graph.nodes[id].name ?? w.labels[id]
            let value = trace.values[id]
            return Result.Input(name: name, value: value.isFinite ? value : nil, valueText: format(value),
                                gradientText: q.forwardOnly ? nil : format(trace.gradients[id]),
                                boundInText: graph.boundValues[id] != nil, defaulted: defaulted.contains(name))
        }
        let walkthrough = HTMLRenderer.walkthrough(trace, options: ExplainOptions(format: format, showGradients: !q.forwardOnly))
        let result = Result(outputName: w.outputName, outputText: format(trace.output), inputs: inputs, gates: graph.gateCount,
                            stepCount: q.forwardOnly ? 0 : w.stepCount, svg: svg, diagramNote: note, wires: svg == nil ? nil : wires,
                            frames: svg != nil && graph.gateCount <= Graphviz.maxFrameGates, walkthrough: walkthrough, warnings: e.warnings)
        do {
            return .json(200, try JSONEncoder.sorted.encode(result))
        } catch {
            return .error(500, kind: "render", "the explanation could not be written as JSON")
        }
    }

    /// `POST /api/frame`: the diagram with backward step `q.step` highlighted and only the
    /// gradients known by then, as the lesson stepper's frames.
    static func frame(_ q: ExplainQuery, limits: ServerLimits, graphviz: GraphvizProcesses) -> Reply {
        let e: Explanation
        do { e = try explanation(q, limits: limits).0 } catch { return error.reply }
        let step = q.step ?? 1
        guard e.graph.gateCount <= Graphviz.maxFrameGates, undrawable(e) == nil else {
            return .error(422, kind: "limit", "frames are drawn for circuits of at most \(Graphviz.maxFrameGates) gates that can be drawn")
        }
        guard step <= e.trace.steps.count else {
            return .error(400, kind: "request", "there are \(e.trace.steps.count) backward steps")
        }
        let options = DotOptions(format: q.diagramFormat, rankdir: q.rankdir, frame: step)
        let dot = DotRenderer.render(e.trace, options: options)
        let alt = FigureText.circuit(e.trace, options, caption: nil)
        do {
            struct Frame: Encodable { var ok = true; var step: Int; var svg: String }
            let svg = HTML.inlineSVG(try graphviz.render(dot: dot, format: .svg), idPrefix: "frame", title: alt.title, description: alt.description)
            return .json(200, try JSONEncoder.sorted.encode(Frame(step: step, svg: svg)))
        } catch let error as GraphvizProcesses.Failure {
            return error.reply("the frame could not be drawn")
        } catch {
            return .error(500, kind: "render", "the frame could not be written as JSON")
        }
    }

    /// `GET /api/export`: a file to save: the diagram (svg, png, pdf), the Markdown walkthrough
    /// (md), or a printable handout of what the page shows (html).
    static func export(_ q: ExplainQuery, format: String, limits: ServerLimits, graphviz: GraphvizProcesses) -> Reply {
        let e: Explanation
        do { e = try explanation(q, limits: limits).0 } catch { return error.reply }
        let trace = e.trace
        let options = ExplainOptions(format: q.numberFormat, showGradients: !q.forwardOnly)
        func attachment(_ type: String, _ ext: String, _ data: Data) -> Reply {
            Reply(status: 200, contentType: type, body: data, headers: [("Content-Disposition", "attachment; filename=\"gradtrace.\(ext)\"")])
        }
        switch format {
        case "md":
            var text = ""
            MarkdownRenderer.render(trace, options: options, to: &text)
            return attachment("text/markdown; charset=utf-8", "md", Data(text.utf8))
        case "svg", "png", "pdf", "html":
            if let why = undrawable(e) { return .json(422, APIError(why).encoded()) }
            let diagram = DotOptions(format: q.diagramFormat, showGradients: !q.forwardOnly, rankdir: q.rankdir)
            let dot = DotRenderer.render(trace, options: diagram)
            let gv = Graphviz.Format(rawValue: format == "html" ? "svg" : format)!
            let bytes: [UInt8]
            do { bytes = try graphviz.render(dot: dot, format: gv) } catch {
                return error.reply("the diagram could not be drawn")
            }
            switch format {
            case "svg": return attachment("image/svg+xml", "svg", Data(bytes))
            case "png": return attachment("image/png", "png", Data(bytes))
            case "pdf": return attachment("application/pdf", "pdf", Data(bytes))
            default:
                let alt = FigureText.circuit(trace, diagram, caption: nil)
                let svg = HTML.inlineSVG(bytes, idPrefix: "circuit", title: alt.title, description: alt.description)
                    + "\n" + FigureText.wireTable(trace, diagram, caption: nil)
                let page = Handout.page(e, query: q, svg: svg, options: options)
                // Opened in a tab to print: the handout's own policy (inline styles, no script at all).
                return Reply(status: 200, contentType: "text/html; charset=utf-8", body: Data(page.utf8),
                             headers: [("Content-Security-Policy", Handout.policy),
                                       ("Content-Disposition", "inline; filename=\"gradtrace-handout.html\"")])
            }
        default:
            return .error(400, kind: "request", "format must be svg, png, pdf, md or html")
        }
    }
}

/// A printable page of what the explain page shows: the expression, the values, the circuit
/// and the walkthrough, on the lesson handouts' stylesheet. Self-contained and script-free.
enum Handout {
    static let policy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

    static func page(_ e: Explanation, query q: ExplainQuery, svg: String, options: ExplainOptions) -> String {
        let w = Walkthrough(e.trace, format: options.format)
        var body = "<header>\n<h1>Backpropagation through <code>\(HTML.escape(w.typedDefinition(e.graph.output)))</code></h1>\n"
        body += "<pre>\(HTML.escape(q.source))</pre>\n"
        if !e.graph.inputs.isEmpty { body += "<p>Inputs: \(HTML.escape(w.inputSummary())).</p>\n" }
        body += "<p class=\"legend\">On every wire: the forward value (green, first line)"
        body += q.forwardOnly ? ".</p>\n</header>\n" : " and the gradient (red, second line, marked ∇).</p>\n</header>\n"
        body += "<figure>\(svg)</figure>\n"
        body += HTMLRenderer.walkthrough(e.trace, options: options)
        body += "<footer>Made with gradtrace serve.</footer>"
        return HTML.page(title: "GradTrace: " + w.typedDefinition(e.graph.output), css: Styles.base, body: body)
    }
}
