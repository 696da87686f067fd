import GradTraceCore
import GradTraceTraining
import GradTraceRequests
/// Reads a lesson file. Errors are `Diagnostic`s with the file's own line and column. A loop
/// over lines; nothing recurses.
///
///     ---
///     title: The chain rule
///     summary: One sentence.
///     ---
///     Prose ...
///     ```gradtrace precision=2 worksheet title="The circuit"
///     x = -2; y = 5; z = -4
///     f = (x + y) * z
///     ```
package enum LessonParser {
    package static let frontMatterKeys = ["title", "summary", "slug"]
    package static let optionNames = ["precision", "digits", "expand", "check", "no-gradients", "frames", "worksheet", "title", "rankdir", "plot", "series",
                                     "vary", "fixed", "step", "mode", "wrt", "paths", "path-limit", "compare"]
    package static let trainingOptionNames = ["params", "lr", "steps", "momentum", "nesterov", "stop-below", "precision", "digits", "explain", "title", "worksheet"]
    package static let networkOptionNames = ["data", "lr", "steps", "epochs", "batch", "optimizer", "momentum", "l2", "l1", "seed", "classify", "validate", "params",
                                     "show", "precision", "digits", "title"]
    package static let blockKinds = ["gradtrace", "gradtrace-train", "gradtrace-network"]

    /// Parses a lesson; `fileName` gives the default slug (without `.md`). Throws a `Diagnostic` at
    /// the file's line and column for bad front matter, an unknown block kind or option, an invalid
    /// option value or an unclosed block.
    package static func parse(_ source: SourceText, fileName: String) throws(Diagnostic) -> Lesson {
        let text = String(decoding: source.bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var s = String(line)
            if s.hasSuffix("\r") { s.removeLast() }
            return s
        }
        func error(_ message: String, line: Int, column: Int = 1, length: Int = 1, help: String? = nil) -> Diagnostic {
            let shown = line - 1 < lines.count ? lines[line - 1] : ""
            return Diagnostic(message, file: source.name, line: line, column: column, sourceLine: shown, caretLength: length, help: help)
        }

        var slug = fileName.hasSuffix(".md") ? String(fileName.dropLast(3)) : fileName
        var title: String?
        var summary: String?
        var index = 0
        if lines.first == "---" {
            index = 1
            var closed = false
            while index < lines.count {
                let line = lines[index]
                index += 1
                if line == "---" { closed = true; break }
                if line.trimmed(" \t").isEmpty { continue }
                guard let colon = line.firstIndex(of: ":") else {
                    throw error("expected 'key: value' in the front matter", line: index, help: "the keys are \(frontMatterKeys.joined(separator: ", "))")
                }
                let key = line[..<colon].trimmed(" \t")
                var value = line[line.index(after: colon)...].trimmed(" \t")
                if value.count >= 2, value.hasPrefix("\"") && value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                switch key {
                case "title": title = value
                case "summary": summary = value
                case "slug":
                    guard isSafeName(value) else {
                        throw error("slug '\(value)' must be a plain folder name", line: index, column: line.distance(from: line.startIndex, to: colon) + 3,
                                    length: value.count, help: "letters, digits, '-' and '_' only: the lesson is written to output/<slug>/ and nowhere else")
                    }
                    slug = value
                default:
                    let help = closestMatch(to: key, in: frontMatterKeys).map { "did you mean '\($0)'?" } ?? "the keys are \(frontMatterKeys.joined(separator: ", "))"
                    throw error("unknown front matter key '\(key)'", line: index, length: key.count, help: help)
                }
            }
            if !closed { throw error("the front matter opened on line 1 is never closed", line: 1, length: 3, help: "end it with a line '---'") }
        }
        guard isSafeName(slug) else {
            throw Diagnostic("the lesson file name '\(fileName)' cannot be an output folder name", file: source.name,
                             help: "rename it with letters, digits, '-' and '_' only, or set 'slug:' in the front matter")
        }

        var segments: [Lesson.Segment] = []
        var proseLines: [Int] = []
        var prose: [String] = []
        var proseStart = index + 1
        func flushProse() {
            let body = prose.joined(separator: "\n")
            if !body.trimmed(" \t\n").isEmpty {
                segments.append(.prose(body))
                proseLines.append(proseStart)
            }
            prose = []
        }
        while index < lines.count {
            let line = lines[index]
            index += 1
            if prose.isEmpty { proseStart = index }
            let trimmed = line.drop { $0 == " " }
            let fence = trimmed.prefix { $0 == "`" || $0 == "~" }
            guard fence.count >= 3, Set(fence).count == 1, line.count - trimmed.count <= 3 else {
                prose.append(line)
                continue
            }
            let info = trimmed.dropFirst(fence.count).trimmed(" \t")
            let openLine = index
            // Find the closing fence: the same character, at least as long, nothing after it.
            var body: [String] = []
            var closed = false
            while index < lines.count {
                let candidate = lines[index].trimmed(" ")
                index += 1
                if candidate.count >= fence.count && candidate.allSatisfy({ $0 == fence.first! }) { closed = true; break }
                body.append(lines[index - 1])
            }
            let word = info.prefix { $0 != " " && $0 != "\t" }
            if blockKinds.contains(String(word)) {
                if !closed {
                    throw error("this \(word) block is never closed", line: openLine, column: line.count - trimmed.count + 1, length: fence.count,
                                help: "end it with a line \(String(fence))")
                }
                let optionsText = String(info.dropFirst(word.count))
                let optionsColumn = line.count - info.count + 1 + String(word).count
                flushProse()
                let bodySource = SourceText(body.joined(separator: "\n"), name: source.name, lineOffset: openLine)
                if word == "gradtrace" {
                    let options = try parseOptions(optionsText, line: openLine, column: optionsColumn, error: error)
                    segments.append(.circuit(CircuitBlock(source: bodySource, line: openLine, options: options)))
                } else if word == "gradtrace-train" {
                    let options = try parseTrainingOptions(optionsText, line: openLine, column: optionsColumn, error: error)
                    segments.append(.training(TrainingBlock(source: bodySource, line: openLine, options: options)))
                } else {
                    let options = try parseNetworkOptions(optionsText, line: openLine, column: optionsColumn, error: error)
                    segments.append(.network(NetworkBlock(source: bodySource, line: openLine, options: options)))
                }
            } else {
                if word.hasPrefix("gradtrace") || closestMatch(to: String(word), in: ["gradtrace"]) != nil, !word.isEmpty {
                    throw error("unknown block kind '\(word)'", line: openLine, column: line.count - info.count + 1, length: word.count,
                                help: closestMatch(to: String(word), in: blockKinds).map { "did you mean '\($0)'?" } ?? "the block kinds are gradtrace, gradtrace-train and gradtrace-network")
                }
                prose.append(line)
                prose.append(contentsOf: body)
                if closed { prose.append(lines[index - 1]) }
            }
        }
        flushProse()
        var finalTitle = title ?? slug
        // Without a title in the front matter, the first "# " heading is the title: the page
        // prints it once as its title, not again inside the prose.
        if title == nil, let (heading, index, rest) = firstHeading(segments) {
            finalTitle = heading
            segments[index] = Lesson.Segment.prose(rest)
        }
        return Lesson(path: source.name, slug: slug, title: finalTitle, summary: summary, segments: segments, proseLines: proseLines)
    }

    /// The first "# " heading of the prose, which segment holds it, and that prose without it.
    package static func firstHeading(_ segments: [Lesson.Segment]) -> (String, Int, String)? {
        for (index, segment) in segments.enumerated() {
            guard case .prose(let text) = segment else { continue }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if let k = lines.firstIndex(where: { $0.hasPrefix("# ") }) {
                let heading = String(lines[k].dropFirst(2)).trimmed(" ")
                lines[k] = ""  // blank, not removed: prose errors keep their line numbers
                return (heading, index, lines.joined(separator: "\n"))
            }
        }
        return nil
    }

    /// Output folder names: letters, digits, `-`, `_`; no dots, so never `..`, no slashes.
    package static func isSafeName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 100 && s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }

    package typealias ErrorMaker = (String, Int, Int, Int, String?) -> Diagnostic

    /// One `key`, `key=value` or `key="quoted value"` of an info string, with its column.
    package struct Option {
        package var key: String
        package var value: String?
        package var column: Int
        package var length: Int
    }

    package static func tokenize(_ text: String, line: Int, column: Int, error: ErrorMaker) throws(Diagnostic) -> [Option] {
        var options: [Option] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            if chars[i] == " " || chars[i] == "\t" { i += 1; continue }
            let start = i
            while i < chars.count && chars[i] != "=" && chars[i] != " " && chars[i] != "\t" { i += 1 }
            let key = String(chars[start..<i])
            var value: String?
            if i < chars.count && chars[i] == "=" {
                i += 1
                if i < chars.count && chars[i] == "\"" {
                    i += 1
                    var v = ""
                    var closed = false
                    while i < chars.count {
                        if chars[i] == "\\" && i + 1 < chars.count { v.append(chars[i + 1]); i += 2; continue }
                        if chars[i] == "\"" { closed = true; i += 1; break }
                        v.append(chars[i]); i += 1
                    }
                    if !closed { throw error("unterminated quoted value for '\(key)'", line, column + start, i - start, "close it with \"") }
                    value = v
                } else {
                    let vs = i
                    while i < chars.count && chars[i] != " " && chars[i] != "\t" { i += 1 }
                    value = String(chars[vs..<i])
                }
            }
            options.append(Option(key: key, value: value, column: column + start, length: i - start))
        }
        return options
    }

    package static func unknown(_ option: Option, _ names: [String], line: Int, error: ErrorMaker) -> Diagnostic {
        let help = closestMatch(to: option.key, in: names).map { "did you mean '\($0)'?" } ?? "the options are \(names.joined(separator: ", "))"
        return error("unknown option '\(option.key)'", line, option.column, option.key.count, help)
    }

    package static func flag(_ o: Option, line: Int, error: ErrorMaker) throws(Diagnostic) {
        if o.value != nil { throw error("'\(o.key)' takes no value", line, o.column, o.length, "write just \(o.key)") }
    }

    package static func precision(_ o: Option, line: Int, error: ErrorMaker) throws(Diagnostic) -> Int {
        try LessonParser.whole(NumberOptions.precision, o, line: line, error: error)
    }

    // The request tables' checks (GradTraceRequests), so that a block refuses a value in the
    // words the command line and the server use, spelled as the block's key.
    package static func whole(_ spec: OptionSpec, _ o: Option, line: Int, error: ErrorMaker) throws(Diagnostic) -> Int {
        do throws(OptionError) { return try spec.whole(o.value ?? "") } catch let e { throw error(e.message(on: .lesson), line, o.column, o.length, e.help) }
    }

    package static func number(_ spec: OptionSpec, _ o: Option, line: Int, error: ErrorMaker) throws(Diagnostic) -> Double {
        do throws(OptionError) { return try spec.number(o.value ?? "") } catch let e { throw error(e.message(on: .lesson), line, o.column, o.length, e.help) }
    }

    package static func choice(_ spec: OptionSpec, _ o: Option, line: Int, error: ErrorMaker) throws(Diagnostic) -> String {
        do throws(OptionError) { return try spec.check(o.value ?? "") } catch let e { throw error(e.message(on: .lesson), line, o.column, o.length, e.help) }
    }

    /// precision and digits, not both.
    package static func checkNumbers(precision: Int?, digits: Int?, line: Int, column: Int, error: ErrorMaker) throws(Diagnostic) {
        do throws(OptionError) { _ = try NumberOptions(precision: precision, digits: digits) } catch let e { throw error(e.message(on: .lesson), line, column, 1, nil) }
    }

    package static func parseOptions(_ text: String, line: Int, column: Int, error: ErrorMaker) throws(Diagnostic) -> CircuitBlock.Options {
        var options = CircuitBlock.Options()
        var plot: Option?
        for o in try tokenize(text, line: line, column: column, error: error) {
            switch o.key {
            case "precision": options.precision = try precision(o, line: line, error: error)
            case "digits": options.digits = try LessonParser.whole(NumberOptions.digits, o, line: line, error: error)
            case "expand":
                if let value = o.value {
                    let names = value.split(separator: ",").map(String.init)
                    guard !names.isEmpty, names.allSatisfy(Bindings.isIdentifier) else {
                        throw error("expand takes names of composite gates, e.g. expand=softplus,sigmoid", line, o.column, o.length, nil)
                    }
                    options.expand = .only(Set(names))
                } else {
                    options.expand = .all
                }
            case "check": try flag(o, line: line, error: error); options.check = true
            case "no-gradients": try flag(o, line: line, error: error); options.showGradients = false
            case "frames": try flag(o, line: line, error: error); options.frames = true
            case "worksheet":
                if let value = o.value {
                    guard let kind = CircuitBlock.WorksheetKind(rawValue: value) else {
                        throw error("worksheet is 'gradients' or 'values', not '\(value)'", line, o.column, o.length, "write worksheet, worksheet=gradients or worksheet=values")
                    }
                    options.worksheet = kind
                } else {
                    options.worksheet = .gradients
                }
            case "title":
                guard let value = o.value else { throw error("title needs a value", line, o.column, o.length, "write title=\"...\"") }
                options.title = value
            case "vary":
                // vary="x0=-3..3, w0=-2..2"
                for part in (o.value ?? "").split(separator: ",") {
                    let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmed(" ") }
                    let bounds = pieces.count == 2 ? pieces[1].components(separatedBy: "..") : []
                    guard pieces.count == 2, Bindings.isIdentifier(pieces[0]), bounds.count == 2,
                          let lo = Double(bounds[0].trimmed(" ")), let hi = Double(bounds[1].trimmed(" ")), lo <= hi, lo.isFinite, hi.isFinite else {
                        throw error("vary takes ranges like vary=\"x0=-3..3, w0=-2..2\"", line, o.column, o.length, nil)
                    }
                    options.variant.ranges[pieces[0]] = lo...hi
                }
                if options.variant.ranges.isEmpty { throw error("vary needs at least one range", line, o.column, o.length, "e.g. vary=\"x=-3..3\"") }
            case "fixed":
                let names = (o.value ?? "").split(separator: ",").map { $0.trimmed(" ") }
                guard !names.isEmpty, names.allSatisfy(Bindings.isIdentifier) else {
                    throw error("fixed takes variable names, e.g. fixed=t1,t2", line, o.column, o.length, nil)
                }
                options.variant.fixed.formUnion(names)
            case "step":
                guard let v = o.value.flatMap(Double.init), [1, 0.5, 0.1].contains(v) else {
                    throw error("step is 1 (whole numbers), 0.5 or 0.1 (one decimal)", line, o.column, o.length, "e.g. step=0.1")
                }
                options.variant.step = v
            case "rankdir": options.rankdir = try LessonParser.choice(ExplainRequest.rankdir, o, line: line, error: error)
            case "mode": options.forward = try LessonParser.choice(ExplainRequest.mode, o, line: line, error: error) == "forward"
            case "wrt":
                guard let value = o.value, Bindings.isIdentifier(value) else {
                    throw error("wrt takes the name of an input", line, o.column, o.length, "e.g. mode=forward wrt=b")
                }
                options.wrt = value
            case "paths":
                guard let value = o.value, Bindings.isIdentifier(value) else {
                    throw error("paths takes the name of an input", line, o.column, o.length, "e.g. paths=b")
                }
                options.paths = value
            case "path-limit": options.pathLimit = try LessonParser.whole(ExplainRequest.pathLimit, o, line: line, error: error)
            case "compare": try flag(o, line: line, error: error); options.compare = true
            case "plot":
                guard o.value == "depth" else { throw error("plot is 'depth' in a gradtrace block", line, o.column, o.length, "write plot=depth series=s,r") }
                plot = o
            case "series":
                let names = (o.value ?? "").split(separator: ",").map(String.init)
                guard !names.isEmpty, names.allSatisfy(Bindings.isIdentifier) else {
                    throw error("series needs name prefixes, e.g. series=s,r", line, o.column, o.length, nil)
                }
                options.depthSeries = names
            default:
                throw unknown(o, optionNames, line: line, error: error)
            }
        }
        if options.wrt != nil && !options.forward {
            throw error("wrt goes with mode=forward", line, column, 1, "write mode=forward wrt=NAME")
        }
        if options.forward && !options.showGradients {
            throw error("mode=forward computes derivatives; it cannot go with no-gradients", line, column, 1, nil)
        }
        if options.forward && options.paths != nil && options.frames {
            throw error("frames step through either the forward-mode pass or the paths, not both", line, column, 1, "drop frames, or use two blocks")
        }
        if let plot, options.depthSeries == nil {
            throw error("plot=depth needs series=prefix,...", line, plot.column, plot.length, "name the chains, e.g. series=s,r for s1, s2, ... and r1, r2, ...")
        }
        if options.depthSeries != nil && plot == nil {
            throw error("series goes with plot=depth", line, column, 1, nil)
        }
        try checkNumbers(precision: options.precision, digits: options.digits, line: line, column: column, error: error)
        return options
    }

    package static func parseTrainingOptions(_ text: String, line: Int, column: Int, error: ErrorMaker) throws(Diagnostic) -> TrainingBlock.Options {
        var options = TrainingBlock.Options()
        func numbers(_ o: Option, positive: Bool) throws(Diagnostic) -> [Double] {
            let parts = (o.value ?? "").split(separator: ",").map { Double($0) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0!.isFinite && (!positive || $0! > 0) }) else {
                throw error("\(o.key) needs \(positive ? "positive " : "")numbers, comma-separated", line, o.column, o.length, "e.g. \(o.key)=0.5 or \(o.key)=0.05,0.5")
            }
            return parts.map { $0! }
        }
        var sawParams = false, sawRate = false
        for o in try tokenize(text, line: line, column: column, error: error) {
            switch o.key {
            case "params":
                let names = (o.value ?? "").split(separator: ",").map(String.init)
                guard !names.isEmpty, names.allSatisfy(Bindings.isIdentifier) else {
                    throw error("params needs input names, e.g. params=w1,w2", line, o.column, o.length, nil)
                }
                options.parameters = names
                sawParams = true
            case "lr": options.learningRates = try numbers(o, positive: true); sawRate = true
            case "steps": options.steps = try LessonParser.whole(TrainRequest.steps, o, line: line, error: error)
            case "momentum":
                options.momenta = try numbers(o, positive: false)
                if options.momenta.contains(where: { $0 < 0 || $0 >= 1 }) {
                    throw error("momentum must be at least 0 and below 1", line, o.column, o.length, nil)
                }
            case "nesterov": try flag(o, line: line, error: error); options.nesterov = true
            case "stop-below": options.stopBelow = try numbers(o, positive: true).first
            case "precision": options.precision = try precision(o, line: line, error: error)
            case "digits": options.digits = try LessonParser.whole(NumberOptions.digits, o, line: line, error: error)
            case "explain": try flag(o, line: line, error: error); options.explain = true
            case "worksheet": try flag(o, line: line, error: error); options.worksheet = true
            case "title":
                guard let value = o.value else { throw error("title needs a value", line, o.column, o.length, "write title=\"...\"") }
                options.title = value
            default:
                throw unknown(o, trainingOptionNames, line: line, error: error)
            }
        }
        if !sawParams { throw error("a gradtrace-train block needs params=...", line, column, 1, "e.g. params=w1,w2") }
        if !sawRate { throw error("a gradtrace-train block needs lr=...", line, column, 1, "e.g. lr=0.5") }
        try checkNumbers(precision: options.precision, digits: options.digits, line: line, column: column, error: error)
        return options
    }

    package static func parseNetworkOptions(_ text: String, line: Int, column: Int, error: ErrorMaker) throws(Diagnostic) -> NetworkBlock.Options {
        var options = NetworkBlock.Options()
        var seen: [String: Option] = [:]
        for o in try tokenize(text, line: line, column: column, error: error) {
            if seen[o.key] != nil { throw error("'\(o.key)' is given twice", line, o.column, o.length, nil) }
            seen[o.key] = o
            switch o.key {
            case "data":
                guard let value = o.value, !value.trimmed(" ").isEmpty else {
                    throw error("data needs a generator or a CSV file", line, o.column, o.length, "e.g. data=\"moons(n=100, noise=0.1, seed=1)\" or data=points.csv")
                }
                if !NetworkBlock.isFile(value) {
                    do { _ = try DataGenerator.parse(value) } catch let d {
                        throw error(d.message, line, o.column, o.length, d.help)
                    }
                }
                options.data = value
            case "lr":
                guard let value = o.value else { throw error("lr needs a number or an expression in k", line, o.column, o.length, "e.g. lr=0.1 or lr=\"1 - 0.9*k/100\"") }
                if Double(value) != nil { _ = try LessonParser.number(TrainRequest.learningRate, o, line: line, error: error) }
                do { _ = try Schedule.parse(value) } catch let d {
                    throw error("lr: \(d.message)", line, o.column, o.length, d.help ?? "e.g. lr=0.1 or lr=\"1 - 0.9*k/100\"")
                }
                options.learningRate = value
            case "steps": options.steps = try LessonParser.whole(TrainRequest.steps, o, line: line, error: error)
            case "epochs": options.epochs = try LessonParser.whole(TrainRequest.epochs, o, line: line, error: error)
            case "batch": options.batch = try LessonParser.whole(TrainRequest.batch, o, line: line, error: error)
            case "optimizer": options.optimizer = try LessonParser.choice(TrainRequest.optimizer, o, line: line, error: error)
            case "momentum": options.momentum = try LessonParser.number(TrainRequest.momentum, o, line: line, error: error)
            case "l2": options.l2 = try LessonParser.number(TrainRequest.l2, o, line: line, error: error)
            case "l1": options.l1 = try LessonParser.number(TrainRequest.l1, o, line: line, error: error)
            case "seed": options.seed = UInt64(try LessonParser.whole(TrainRequest.seed, o, line: line, error: error))
            case "classify":
                guard let value = o.value else { throw error("classify needs a node", line, o.column, o.length, "e.g. classify=score or classify=\"p > 0.5\"") }
                do { _ = try Classifier.parse(value) } catch let d { throw error(d.message, line, o.column, o.length, d.help) }
                options.classify = value
            case "validate": options.validate = try LessonParser.number(TrainRequest.validate, o, line: line, error: error)
            case "params":
                let names = (o.value ?? "").split(separator: ",").map(String.init)
                guard !names.isEmpty, names.allSatisfy(Bindings.isIdentifier) else {
                    throw error("params needs parameter names, e.g. params=W1,b1", line, o.column, o.length, nil)
                }
                options.parameters = names
            case "show":
                var shown: [NetworkBlock.Figure] = []
                for part in (o.value ?? "").split(separator: ",") {
                    let name = part.trimmed(" ")
                    guard let figure = NetworkBlock.Figure(rawValue: name) else {
                        let all = NetworkBlock.Figure.allCases.map(\.rawValue)
                        let help = closestMatch(to: name, in: all).map { "did you mean '\($0)'?" } ?? "show takes \(all.joined(separator: ", "))"
                        throw error("show cannot show '\(name)'", line, o.column, o.length, help)
                    }
                    if !shown.contains(figure) { shown.append(figure) }
                }
                if shown.isEmpty { throw error("show needs what to show, e.g. show=loss,boundary", line, o.column, o.length, nil) }
                options.show = shown
                options.showGiven = true
            case "precision": options.precision = try precision(o, line: line, error: error)
            case "digits": options.digits = try LessonParser.whole(NumberOptions.digits, o, line: line, error: error)
            case "title":
                guard let value = o.value else { throw error("title needs a value", line, o.column, o.length, "write title=\"...\"") }
                options.title = value
            default:
                throw unknown(o, networkOptionNames, line: line, error: error)
            }
        }
        func conflict(_ a: String, _ b: String) throws(Diagnostic) {
            if seen[a] != nil, let o = seen[b] { throw error("use either \(a) or \(b), not both", line, o.column, o.length, nil) }
        }
        try conflict("steps", "epochs")
        try conflict("l2", "l1")
        try conflict("precision", "digits")
        if options.data.isEmpty { throw error("a gradtrace-network block needs data=...", line, column, 1, "e.g. data=\"moons(n=100, noise=0.1, seed=1)\"") }
        if options.learningRate.isEmpty { throw error("a gradtrace-network block needs lr=...", line, column, 1, "e.g. lr=0.1 or lr=\"1 - 0.9*k/100\"") }
        if let o = seen["momentum"], !["momentum", "nesterov", nil].contains(options.optimizer) {
            throw error("momentum goes with optimizer=momentum or optimizer=nesterov", line, o.column, o.length, nil)
        }
        if options.momentum != nil && options.optimizer == nil { options.optimizer = "momentum" }
        try checkNumbers(precision: options.precision, digits: options.digits, line: line, column: column, error: error)
        return options
    }
}
