import Foundation
import GradTrace

/// What the network page may ask for. Past any of these a request gets a JSON error naming the
/// limit. (`ServerLimits.network`.)
package struct NetworkLimits: Sendable {
    /// Training sessions (open sockets with a network) at once, over all clients, and from one address.
    package var sessions = 16
    package var sessionsPerAddress = 8
    /// Steps per second one session may run.
    package var stepsPerSecond = 500
    /// Frames (numbers and boundary) per second one session sends, at most.
    package var framesPerSecond = 20
    /// Steps one session may take in all (then it stops; reset starts again).
    package var stepsPerSession = 100_000
    /// Hidden layers.
    package var layers = 4
    /// Units per hidden layer.
    package var units = 32
    /// Data points (training and validation together).
    package var points = 1_000
    /// Cells per side of the decision-boundary grid.
    package var gridResolution = 48
    /// Examples of the batch whose uses a weight's explanation lists one by one.
    package var explainedExamples = 8
    /// Seconds a socket may stay open without starting a network, and a started one may stand
    /// paused with no message, before it is closed and its place freed.
    package var startSeconds: Double = 30
    package var idleSeconds: Double = 30 * 60
    /// Bytes of a CSV the page sends as its data.
    package var csvBytes = 60 * 1024
    /// Bytes of one message on the socket: room for a CSV of `csvBytes` as a JSON string (each
    /// line break or quote escaped doubles), and the options.
    package var messageBytes: Int { max(64 * 1024, 2 * csvBytes + 8 * 1024) }

    package init() {}
}

/// The options of a network, as the page's JSON carries them, checked against the limits.
struct NetworkOptions: Sendable, Equatable {
    var dataset = "moons"
    var points = 200
    var noise = 0.1
    var validation = 0.3
    var seed: UInt64 = 1
    var hidden = [16, 16]
    var activation = NetworkSpec.Activation.relu
    var loss = NetworkSpec.Loss.hinge
    var optimizer = "sgd"
    var momentum = 0.9
    var learningRate = 0.1
    var batchSize: Int?
    var l2 = 1e-4
    var stepsPerSecond = 60
    /// The reader's own data: a CSV's text (columns x1, x2 and y, 0 or 1) and its file name.
    /// With it, `dataset` is "csv" and points and noise do not apply.
    var csv: String?
    var csvName = "points.csv"

    struct Body: Decodable {
        init() {}
        var dataset: String?
        var points: Int?
        var noise: Double?
        var validation: Double?
        var seed: Int?
        var hidden: [Int]?
        var activation: String?
        var loss: String?
        var optimizer: String?
        var momentum: Double?
        var learningRate: Double?
        var batchSize: Int?
        var l2: Double?
        var stepsPerSecond: Int?
        var csv: String?
        var csvName: String?
    }

    static let datasets = ["moons", "circles", "xor", "spiral", "blobs"]

    static func decode(json: Data, limits: NetworkLimits) -> Result<NetworkOptions, ReplyError> {
        let body: Body
        do { body = try JSONDecoder().decode(Body.self, from: json.isEmpty ? Data("{}".utf8) : json) } catch {
            return .failure(ReplyError(.error(400, kind: "request", "the options are not the JSON this server expects: \(ExplainQuery.describe(error))",
                                              help: #"send {"dataset": "moons", "points": 200, "hidden": [16, 16], "learningRate": 0.1}"#)))
        }
        return make(body, limits: limits)
    }

    /// The options of a socket's `start` message, `{"type": "start", "options": {…}}`, decoded
    /// from its text (no JSON object in between, so every number arrives as it was typed).
    static func decode(start message: Data, limits: NetworkLimits) -> Result<NetworkOptions, ReplyError> {
        let body: Body
        do { body = try JSONDecoder().decode(LiveSession.StartMessage.self, from: message).options ?? Body() } catch {
            return .failure(ReplyError(.error(400, kind: "request", "the options are not the JSON this server expects: \(ExplainQuery.describe(error))",
                                              help: #"send {"dataset": "moons", "points": 200, "hidden": [16, 16], "learningRate": 0.1}"#)))
        }
        return make(body, limits: limits)
    }

    static func make(_ b: Body, limits: NetworkLimits) -> Result<NetworkOptions, ReplyError> {
        func bad(_ message: String, help: String? = nil) -> Result<NetworkOptions, ReplyError> {
            .failure(ReplyError(.error(400, kind: "request", message, help: help)))
        }
        func limit(_ message: String, help: String? = nil) -> Result<NetworkOptions, ReplyError> {
            .failure(ReplyError(.error(413, kind: "limit", message, help: help)))
        }
        var o = NetworkOptions()
        if let text = b.csv {
            guard text.utf8.count <= limits.csvBytes else {
                return limit("the CSV is \((text.utf8.count + 1023) / 1024) KiB; this server takes at most \(limits.csvBytes / 1024) KiB",
                             help: "use fewer rows (at most \(limits.points)) or fewer digits")
            }
            o.csv = text
            o.dataset = "csv"
            // A name for messages and the command line: letters, digits, '.', '-', '_' only.
            let name = String((b.csvName ?? "").unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }.prefix(60))
            o.csvName = name.lowercased().hasSuffix(".csv") ? name : (name.isEmpty ? "points" : name) + ".csv"
        } else if let d = b.dataset {
            guard datasets.contains(d) else { return bad("dataset must be one of \(datasets.joined(separator: ", ")), got '\(d)'") }
            o.dataset = d
        }
        if let n = b.points {
            guard n >= 4 else { return bad("points must be at least 4") }
            guard n <= limits.points else { return limit("\(n) points; this server takes at most \(limits.points)", help: "use fewer points") }
            o.points = n
        }
        if let v = b.noise {
            guard v.isFinite, (0...2).contains(v) else { return bad("noise must be between 0 and 2") }
            o.noise = v
        }
        // The request table's checks (GradTraceRequests), spelled as JSON keys; the server's own
        // tighter limits come after them.
        func checked<T>(_ body: () throws(OptionError) -> T) -> Result<T, ReplyError> {
            do throws(OptionError) { return .success(try body()) } catch { return .failure(ReplyError(.error(400, kind: "request", error.message(on: .json), help: error.help))) }
        }
        if let v = b.validation, v != 0 {  // 0: no validation set
            if case .failure(let e) = checked({ () throws(OptionError) in try TrainRequest.validate.check(v) }) { return .failure(e) }
            guard v <= 0.9 else { return bad("\"validation\" must be at most 0.9 here, so that training keeps a tenth of the points") }
            o.validation = v
        }
        if let s = b.seed {
            if case .failure(let e) = checked({ () throws(OptionError) in try TrainRequest.seed.check(s) }) { return .failure(e) }
            o.seed = UInt64(s)
        }
        if let h = b.hidden {
            guard h.count <= limits.layers else {
                return limit("\(h.count) hidden layers; this server takes at most \(limits.layers)", help: "use fewer layers")
            }
            guard h.allSatisfy({ $0 >= 1 }) else { return bad("every layer needs at least one unit") }
            if let big = h.first(where: { $0 > limits.units }) {
                return limit("a layer of \(big) units; this server takes at most \(limits.units) per layer", help: "use fewer units")
            }
            o.hidden = h
        }
        if let a = b.activation {
            guard let v = NetworkSpec.Activation(rawValue: a) else { return bad("activation must be relu, tanh or sigmoid, got '\(a)'") }
            o.activation = v
        }
        if let l = b.loss {
            guard let v = NetworkSpec.Loss(rawValue: l) else { return bad("loss must be hinge, logistic or squared, got '\(l)'") }
            o.loss = v
        }
        if let opt = b.optimizer {
            if case .failure(let e) = checked({ () throws(OptionError) in try TrainRequest.optimizer.check(opt) }) { return .failure(e) }
            o.optimizer = opt
        }
        if let m = b.momentum {
            if case .failure(let e) = checked({ () throws(OptionError) in try TrainRequest.momentum.check(m) }) { return .failure(e) }
            o.momentum = m
        }
        if let lr = b.learningRate {
            if case .failure(let e) = checked({ () throws(OptionError) in try TrainRequest.learningRate.check(lr) }) { return .failure(e) }
            guard lr <= 100 else { return bad("\"learningRate\" must be at most 100 here") }
            o.learningRate = lr
        }
        if let n = b.batchSize {
            if case .failure(let e) = checked({ () throws(OptionError) in try TrainRequest.batch.check(n) }) { return .failure(e) }
            o.batchSize = n
        }
        if let v = b.l2 {
            if case .failure(let e) = checked({ () throws(OptionError) in try TrainRequest.l2.check(v) }) { return .failure(e) }
            guard v <= 10 else { return bad("\"l2\" must be at most 10 here") }
            o.l2 = v
        }
        if let s = b.stepsPerSecond {
            guard s >= 1 else { return bad("stepsPerSecond must be at least 1") }
            guard s <= limits.stepsPerSecond else {
                return limit("\(s) steps per second; this server runs at most \(limits.stepsPerSecond)", help: "ask for fewer steps per second")
            }
            o.stepsPerSecond = s
        }
        return .success(o)
    }

    /// The generator's text: `moons(n=200, noise=0.1, seed=1)`; blobs with two classes.
    var generator: String {
        "\(dataset)(n=\(points), noise=\(formatShortest(noise)), seed=\(seed)\(dataset == "blobs" ? ", classes=2" : ""))"
    }

    var spec: NetworkSpec { NetworkSpec(hidden: hidden, activation: activation, loss: loss) }

    var optimizerValue: Optimizer { .named(optimizer, momentum: momentum) }

    /// The `gradtrace train` command that runs the same training (the page shows it).
    var command: String {
        var parts = ["gradtrace train network.gt --data " + (csv == nil ? "'\(generator)'" : csvName.hasPrefix("-") ? "./" + csvName : csvName)]
        if validation > 0 { parts.append("--validate \(formatShortest(validation))") }
        parts.append("--seed \(seed)")
        if optimizer != "sgd" { parts.append("--optimizer \(optimizer)") }
        if optimizer == "momentum" || optimizer == "nesterov" { parts.append("--momentum \(formatShortest(momentum))") }
        parts.append("--lr \(formatShortest(learningRate))")
        if let batchSize { parts.append("--batch \(batchSize)") }
        if l2 > 0 { parts.append("--l2 \(formatShortest(l2))") }
        parts.append("--classify score")
        return parts.joined(separator: " ")
    }
}

/// A network ready to train: the source text, the parsed model, the data split and the
/// trainer, all from `NetworkOptions` through the library (as `gradtrace train` builds them).
struct NetworkSetup: Sendable {
    var options: NetworkOptions
    var source: String
    var model: Model
    var training: Dataset
    var validation: Dataset?
    var trainer: Trainer

    init(_ o: NetworkOptions, limits: NetworkLimits) throws(ReplyError) {
        options = o
        source = o.spec.source
        do {
            var graph = try Explanation.graph(source: SourceText(source, name: "network.gt"))
            if o.seed != 0 { graph.initializeParameters(seed: o.seed) }
            var data: Dataset
            if let text = o.csv { data = try Self.readCSV(text, name: o.csvName, limits: limits) } else { data = try Dataset.load(o.generator) }
            var validation: Dataset?
            if o.validation > 0 {
                let parts = data.split(validation: o.validation, seed: o.seed)
                data = parts.training
                validation = parts.validation
            }
            training = data
            self.validation = validation
            model = try Model(graph: graph, parameters: nil, bindings: [:], data: data)
            var trainer = Trainer(parameters: nil, learningRate: o.learningRate, steps: limits.stepsPerSession, optimizer: o.optimizerValue)
            trainer.penalty = o.l2 > 0 ? .l2(o.l2) : .none
            trainer.seed = o.seed
            trainer.batchSize = o.batchSize.map { min($0, data.count) }
            trainer.classifier = try Classifier.parse("score")
            trainer.validation = validation
            self.trainer = trainer
        } catch {
            throw ReplyError(.json(422, APIError(error).encoded()))
        }
    }

    /// The reader's CSV as a two-class data set for the page: columns x1, x2 and y (0 or 1),
    /// from 4 rows to `limits.points`. Errors name the file, row and column.
    static func readCSV(_ text: String, name: String, limits: NetworkLimits) throws(Diagnostic) -> Dataset {
        let data = try Dataset.csv(text, file: name)
        for column in ["x1", "x2", "y"] where !data.columns.contains(column) {
            throw Diagnostic("\(name) has no column '\(column)' (its columns: \(data.columns.joined(separator: ", ")))",
                             help: "the page trains on two inputs and a class: a header line x1,x2,y, then one point a line, y 0 or 1")
        }
        guard data.count >= 4 else { throw Diagnostic("\(name) has \(data.count) rows; a run needs at least 4") }
        guard data.count <= limits.points else {
            throw Diagnostic("\(name) has \(data.count) rows; this server takes at most \(limits.points)", help: "use fewer rows")
        }
        let y = data.columns.firstIndex(of: "y")!, x1 = data.columns.firstIndex(of: "x1")!, x2 = data.columns.firstIndex(of: "x2")!
        for row in 0..<data.count {
            // Line row + 2 of the file (after the header), its column from the header.
            guard data[row, y] == 0 || data[row, y] == 1 else {
                throw Diagnostic("row \(row + 2) has y = \(formatShortest(data[row, y])); the class must be 0 or 1", file: name, line: row + 2, column: y + 1,
                                 help: "the page classifies two classes: y is 0 or 1 on every line")
            }
            for c in [x1, x2] where abs(data[row, c]) > 1e6 {
                throw Diagnostic("row \(row + 2) has a coordinate beyond ±1,000,000", file: name, line: row + 2, column: c + 1, help: "scale the inputs first")
            }
        }
        // Only the three columns: other columns would be inputs of no one.
        return Dataset(name: name, columns: ["x1", "x2", "y"], values: (0..<data.count).flatMap { [data[$0, x1], data[$0, x2], data[$0, y]] })
    }

    /// The model's description for the page: source, layers, parameter names, the network's
    /// edges (layer, from, to, parameter index) and biases (layer, unit, parameter index).
    struct Description: Encodable {
        var ok = true
        var source: String
        var command: String
        var layers: [Int]
        var parameters: [String]
        var edges: [[Int]]
        var biases: [[Int]]
        var trainingRows: Int
        var validationRows: Int
    }

    var description: Description {
        let spec = options.spec
        let index = Dictionary(model.parameterNames.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        var edges: [[Int]] = [], biases: [[Int]] = []
        let sizes = spec.layerSizes
        for (k, names) in spec.layerNames.enumerated() {
            let isLast = k == spec.layerNames.count - 1
            for to in 0..<sizes[k + 1] {
                for from in 0..<sizes[k] {
                    let name = isLast ? "\(names.weights)[\(from + 1)]" : "\(names.weights)[\(to + 1),\(from + 1)]"
                    if let p = index[name] { edges.append([k, from, to, p]) }
                }
                let bias = isLast ? names.bias : "\(names.bias)[\(to + 1)]"
                if let p = index[bias] { biases.append([k + 1, to, p]) }
            }
        }
        return Description(source: source, command: options.command, layers: sizes, parameters: model.parameterNames, edges: edges, biases: biases,
                           trainingRows: training.count, validationRows: validation?.count ?? 0)
    }
}

extension JSONEncoder {
    /// Compact, for frames sent many times a second.
    static var compact: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }
}
