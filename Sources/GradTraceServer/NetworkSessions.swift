import Foundation
import GradTrace
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// What a session sends its client: a text message, or the close that ends the socket.
enum SocketMessage: Sendable {
    case text(String)
    case close(code: UInt16, reason: String)
}

/// The live training sessions: one per open socket (`GET /api/network/live`, upgraded), at most
/// `limits.sessions` at once and `limits.sessionsPerAddress` from one address. A session ends
/// when its client goes away.
final class NetworkSessions: @unchecked Sendable {
    static let socketPath = "/api/network/live"
    static let countPath = "/api/network/sessions"

    let limits: NetworkLimits
    private let lock = NSLock()
    private var open = 0
    private var byAddress: [String: Int] = [:]

    init(limits: NetworkLimits) { self.limits = limits }

    var count: Int { lock.withLock { open } }

    /// The socket's address as a plain GET (a 400 that says what it is), and the session count.
    var routes: [Route] {
        [
            Route("GET", Self.socketPath) { _ in .error(400, kind: "request", "this address is a WebSocket: open it with new WebSocket(…)") },
            Route("GET", Self.countPath) { [self] _ in
                struct Count: Encodable { var ok = true; var sessions: Int; var limit: Int }
                return .json(200, (try? JSONEncoder.sorted.encode(Count(sessions: count, limit: limits.sessions))) ?? Data())
            },
        ]
    }

    /// Nil when a place was reserved; otherwise the message that says which cap is full.
    private func reserve(_ address: String) -> String? {
        lock.withLock {
            guard open < limits.sessions else { return "\(limits.sessions) training sessions are running, the most this server runs at once" }
            guard byAddress[address, default: 0] < limits.sessionsPerAddress else {
                return "\(limits.sessionsPerAddress) training sessions are running from your address, the most this server runs for one"
            }
            open += 1
            byAddress[address, default: 0] += 1
            return nil
        }
    }

    private func release(_ address: String) {
        lock.withLock {
            open -= 1
            let n = byAddress[address, default: 1] - 1
            byAddress[address] = n > 0 ? n : nil
        }
    }

    /// One socket, from its upgrade to its end: the session's messages out, the client's in.
    /// Messages over `limits.messageBytes` (in one frame or many) end the socket with 1009; NIO's
    /// decoder refuses a larger frame from its header, before reading it.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, address: String, channel: any Channel) async throws {
        if let full = reserve(address) {
            try await outbound.writeTextMessage(LiveSession.errorText(kind: "limit", full, help: "close another tab's network page, or try again in a moment"))
            try await outbound.close(.init(codeNumber: 1013), reason: "Try Again Later")
            return
        }
        defer { release(address) }
        let (messages, continuation) = AsyncStream<SocketMessage>.makeStream(bufferingPolicy: .bufferingNewest(64))
        let session = LiveSession(limits: limits, send: { continuation.yield($0) }, finish: { continuation.finish() })
        session.start()
        defer { session.stop() }
        let maxSize = limits.messageBytes
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in messages {
                    switch message {
                    case .text(let text): try await outbound.writeTextMessage(text)
                    case .close(let code, let reason):
                        try await outbound.close(.init(codeNumber: Int(code)), reason: reason)
                        // A client that does not answer the close is dropped.
                        try await Task.sleep(for: .seconds(1))
                        channel.close(promise: nil)
                        return
                    }
                }
            }
            group.addTask {
                for try await message in inbound.messages(maxSize: maxSize) {
                    if case .text(let text) = message { session.receive(text) }
                }
            }
            // Whichever ends first (the client closed, or the session did) ends the other.
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}

/// One client's training run, on a thread of its own (never Swift concurrency's few shared
/// threads, which the sockets need). Commands from the socket are queued; the thread takes
/// steps at the chosen rate and sends a frame (numbers, weights, boundary cells) at most
/// `framesPerSecond` times a second. A socket that starts no network within `startSeconds`, or
/// whose run stands paused with no message for `idleSeconds`, is closed: its slot is freed for
/// someone else (a tab left open on a paused network overnight, a client that never starts).
final class LiveSession: @unchecked Sendable {
    private let limits: NetworkLimits
    private let send: @Sendable (SocketMessage) -> Void
    private let finish: @Sendable () -> Void
    private let condition = NSCondition()
    private var lastMessage = LiveSession.now()
    private let opened = LiveSession.now()
    /// Commands waiting, each with the message's text: `start` decodes its options from the text
    /// itself, since re-encoding JSONSerialization's objects rounds some doubles.
    private var commands: [(fields: [String: Any], text: String)] = []
    private var stopped = false

    // Owned by the thread.
    private var setup: NetworkSetup?
    private var session: TrainingSession?
    private var grid: BoundaryGrid?
    private var running = false
    private var stepTimes: [Double] = []
    private var frameTimes: [Double] = []
    private var playStart = 0.0, stepsSincePlay = 0, measuredSince = 0.0
    /// Steps taken before the current `TrainingSession` (added points continue the run in a new one).
    private var stepOffset = 0

    init(limits: NetworkLimits, send: @escaping @Sendable (SocketMessage) -> Void, finish: @escaping @Sendable () -> Void = {}) {
        self.limits = limits
        self.send = send
        self.finish = finish
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.stackSize = 8 << 20
        thread.start()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    func receive(_ text: String) {
        guard text.utf8.count <= limits.messageBytes else {
            send(.text(Self.errorText(kind: "limit", "a message is at most \(limits.messageBytes / 1024) KiB; this one is \((text.utf8.count + 1023) / 1024) KiB",
                                      help: "a CSV may have at most \(limits.csvBytes / 1024) KiB")))
            return
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            send(.text(Self.errorText(kind: "request", "a message must be a JSON object such as {\"type\": \"play\"}")))
            return
        }
        condition.lock()
        if commands.count < 256 { commands.append((object, text)) }
        lastMessage = Self.now()
        condition.broadcast()
        condition.unlock()
    }

    static func errorText(kind: String, _ message: String, help: String? = nil) -> String {
        String(decoding: APIError(kind: kind, message: message, help: help).encoded(), as: UTF8.self)
    }

    private func sendError(_ reply: Reply) { send(.text(String(decoding: reply.body, as: UTF8.self))) }

    private func sendJSON<T: Encodable>(_ value: T) {
        if let data = try? JSONEncoder.compact.encode(value) { send(.text(String(decoding: data, as: UTF8.self))) }
    }

    private static func now() -> Double { Date().timeIntervalSinceReferenceDate }

    private func loop() {
        var nextFrame = Self.now()
        while true {
            condition.lock()
            // Until a network is started: from the socket's opening; then: from the last message.
            var closing: Double { setup == nil ? opened + limits.startSeconds : lastMessage + limits.idleSeconds }
            while !stopped && commands.isEmpty && !(running && Self.now() >= nextFrame) {
                if running {
                    _ = condition.wait(until: Date(timeIntervalSinceReferenceDate: nextFrame))
                    continue
                }
                if Self.now() >= closing { break }
                _ = condition.wait(until: Date(timeIntervalSinceReferenceDate: closing))
            }
            if stopped { condition.unlock(); return }
            if !running && commands.isEmpty && Self.now() >= closing {
                stopped = true
                condition.unlock()
                func span(_ seconds: Double) -> String {
                    seconds >= 120 ? "\(Int(seconds / 60)) minutes" : "\(formatShortest(seconds)) second\(seconds == 1 ? "" : "s")"
                }
                let message = setup == nil ? "no network was started within \(span(limits.startSeconds))"
                                           : "the network stood paused for \(span(limits.idleSeconds)) with no message"
                send(.text(Self.errorText(kind: "idle", message + "; the session was closed to free its place for others",
                                          help: "press New network to start again")))
                send(.close(code: 1000, reason: "idle"))
                finish()
                return
            }
            let command = commands.isEmpty ? nil : commands.removeFirst()
            condition.unlock()
            if let command {
                handle(command.fields, text: command.text)
                if running { nextFrame = min(nextFrame, Self.now() + 1 / Double(limits.framesPerSecond)) }
                continue
            }
            // A frame: the steps due at the chosen rate since play (so slow frames do not slow
            // the training down), at most half a second's worth, then the numbers.
            let rate = Double(setup?.options.stepsPerSecond ?? 1)
            let fps = min(Double(limits.framesPerSecond), rate)
            let due = Int(rate * (Self.now() - playStart)) - stepsSincePlay
            let steps = min(max(1, due), max(1, Int(rate / 2)))
            for _ in 0..<steps {
                stepsSincePlay += 1
                if !takeStep() {
                    // The run is over (or diverged): the idle time counts from now, not from Play.
                    running = false
                    condition.lock()
                    lastMessage = Self.now()
                    condition.unlock()
                    break
                }
            }
            if due > Int(rate) { playStart = Self.now(); stepsSincePlay = 0 }  // far behind: start counting again
            sendFrame()
            nextFrame = max(nextFrame + 1 / fps, Self.now() - 1 / fps)
        }
    }

    private func takeStep() -> Bool {
        guard session != nil, session!.step() != nil else { return false }
        stepTimes.append(Self.now())
        if stepTimes.count > 4096 { stepTimes.removeFirst(stepTimes.count - 2048) }
        return !session!.isFinished
    }

    /// A `start` message's options, decoded from the message's own text.
    struct StartMessage: Decodable { var options: NetworkOptions.Body? }

    private func handle(_ command: [String: Any], text: String) {
        let type = command["type"] as? String ?? ""
        if type != "start" && setup == nil {
            sendError(.error(400, kind: "request", "start a network first: {\"type\": \"start\", \"options\": {…}}"))
            return
        }
        switch type {
        case "start":
            guard command["options"] == nil || command["options"] is [String: Any] else {
                sendError(.error(400, kind: "request", "options must be a JSON object")); return
            }
            switch NetworkOptions.decode(start: Data(text.utf8), limits: limits) {
            case .failure(let e): sendError(e.reply)
            case .success(let o):
                do { try begin(NetworkSetup(o, limits: limits)) } catch { sendError(error.reply) }
            }
        case "reset":
            guard let setup else { return }
            do { try begin(NetworkSetup(setup.options, limits: limits)) } catch { sendError(error.reply) }
        case "play":
            running = !(session?.isFinished ?? true)
            playStart = Self.now()
            measuredSince = playStart
            stepsSincePlay = 0
            stepTimes = []
            frameTimes = []
            sendFrame()
        case "pause":
            running = false
            sendFrame()
        case "step":
            running = false
            _ = takeStep()
            sendFrame()
        case "speed":
            guard let s = command["stepsPerSecond"] as? Int, s >= 1, s <= limits.stepsPerSecond else {
                sendError(.error(413, kind: "limit", "stepsPerSecond must be from 1 to \(limits.stepsPerSecond)")); return
            }
            setup?.options.stepsPerSecond = s
            playStart = Self.now()
            stepsSincePlay = 0
        case "explainWeight":
            guard let index = command["index"] as? Int, let setup, index >= 0, index < setup.model.parameterNames.count else {
                sendError(.error(400, kind: "request", "explainWeight needs the index of a parameter")); return
            }
            explainWeight(index)
        case "addPoint":
            addPoint(command)
        case "removePoint":
            removePoint(command)
        case "explainPoint":
            let set = command["set"] as? String ?? "training"
            guard let setup, let row = command["row"] as? Int,
                  let data = set == "validation" ? setup.validation : set == "training" ? setup.training : nil, row >= 0, row < data.count else {
                sendError(.error(400, kind: "request", "explainPoint needs a set (training or validation) and one of its rows")); return
            }
            explainPoint(set: set, row: row, data: data)
        default:
            sendError(.error(400, kind: "request", "unknown message type '\(type)'",
                             help: "send start, play, pause, step, reset, speed, addPoint, removePoint, explainWeight or explainPoint"))
        }
    }

    private func begin(_ s: NetworkSetup) throws(ReplyError) {
        let new: TrainingSession
        do { new = try TrainingSession(trainer: s.trainer, model: s.model, data: s.training) } catch {
            throw ReplyError(.json(422, APIError(error).encoded()))
        }
        setup = s
        session = new
        stepOffset = 0
        grid = BoundaryGrid(model: s.model, data: s.training, points: [s.training] + (s.validation.map { [$0] } ?? []),
                            classifier: s.trainer.classifier!, resolution: limits.gridResolution)
        running = false
        stepTimes = []
        frameTimes = []
        struct Ready: Encodable {
            var ok = true
            var type = "ready"
            var model: NetworkSetup.Description
            var training: [[Double]]
            var validation: [[Double]]
            var grid: GridExtent
            var limits: Limits
            struct Limits: Encodable { var stepsPerSecond, framesPerSecond, stepsPerSession: Int }
        }
        sendJSON(Ready(model: s.description, training: Self.points(s.training), validation: Self.points(s.validation), grid: GridExtent(grid),
                       limits: .init(stepsPerSecond: limits.stepsPerSecond, framesPerSecond: limits.framesPerSecond, stepsPerSession: limits.stepsPerSession)))
        sendFrame()
    }

    /// A data set's points as the page draws them: `[x1, x2, y]` a row (none without those columns).
    static func points(_ d: Dataset?) -> [[Double]] {
        guard let d, let a = d.columns.firstIndex(of: "x1"), let b = d.columns.firstIndex(of: "x2"), let y = d.columns.firstIndex(of: "y") else { return [] }
        return (0..<d.count).map { [d[$0, a], d[$0, b], d[$0, y]] }
    }

    /// The part of the plane the boundary grid covers, and its cells a side, as the page needs it
    /// to place points and clicks (a unit square and no cells without a grid).
    struct GridExtent: Encodable {
        var xMin = -1.0, xMax = 1.0, yMin = -1.0, yMax = 1.0
        var resolution = 0

        init(_ grid: BoundaryGrid?) {
            guard let grid else { return }
            (xMin, xMax, yMin, yMax) = (grid.xRange.lowerBound, grid.xRange.upperBound, grid.yRange.lowerBound, grid.yRange.upperBound)
            resolution = grid.resolution
        }
    }

    /// What a frame carries: the step count, the losses and accuracies at the current weights,
    /// the weights, the boundary's cells as a string of class digits, and the measured rates.
    struct Frame: Encodable {
        var ok = true
        var type = "frame"
        var step: Int
        var epoch: Int
        var running: Bool
        var finished: Bool
        var trainingLoss: Double
        var trainingAccuracy: Double?
        var validationLoss: Double?
        var validationAccuracy: Double?
        var weights: [Double]
        var cells: String
        var stepsPerSecond: Double
        var framesPerSecond: Double
        var divergence: String?
    }

    private func sendFrame() {
        guard var s = session else { return }
        let t = Self.now()
        frameTimes.append(t)
        if frameTimes.count > 256 { frameTimes.removeFirst(frameTimes.count - 128) }
        let training = s.score()
        let validation = setup?.validation.map { s.score($0) }
        let cells = grid.map { g -> String in
            var g = g
            let c = g.cells(parameters: s.weights)
            grid = g
            return String(decoding: c.map { $0 + 48 }, as: UTF8.self)
        } ?? ""
        session = s
        // Events per second over the last two seconds of play (or since play, when shorter).
        func rate(_ times: [Double]) -> Double {
            let window = min(2, t - measuredSince)
            guard window > 0.2 else { return 0 }
            return Double(times.filter { $0 > t - window }.count) / window
        }
        let frame = Frame(step: stepOffset + s.stepsTaken, epoch: s.lastStep?.epoch ?? 0, running: running, finished: s.isFinished,
                          trainingLoss: training.loss, trainingAccuracy: training.accuracy,
                          validationLoss: validation?.loss, validationAccuracy: validation?.accuracy ?? nil,
                          weights: s.weights, cells: cells, stepsPerSecond: running ? rate(stepTimes) : 0,
                          framesPerSecond: running ? rate(frameTimes) : 0, divergence: s.divergence?.description)
        sendJSON(frame)
    }

    /// The gradient of parameter `index` at the current weights: the next step, taken on a copy
    /// of the session (the run itself does not move), taken apart example by example.
    private func explainWeight(_ index: Int) {
        guard let setup, var preview = session else { return }
        let stepNumber = preview.stepsTaken + 1  // of this TrainingSession; the page counts from stepOffset
        guard let step = preview.step() else {
            sendError(.error(422, kind: "finished", "the run is over: reset to train again")); return
        }
        let batch = setup.trainer.rows(ofStep: stepNumber, examples: setup.training.count)
        let e: WeightGradientExplanation
        do { e = try WeightGradientExplanation(model: setup.model, trainer: setup.trainer, step: step, batch: batch, data: setup.training, index: index) } catch {
            sendError(.json(422, APIError(error).encoded())); return
        }
        let f = NumberFormat(.significant(4), trimsZeros: true)
        let name = HTML.escape(e.parameter)
        var html = "<p>Step \(stepOffset + stepNumber) would take <b>\(name)</b> = <span class=\"value\">\(f(e.value))</span> and move it by its gradient "
        html += "<span class=\"gradient\">∂L/∂\(name)</span>, the mean over the batch's \(batch.count) example\(batch.count == 1 ? "" : "s")\(setup.trainer.penalty == .none ? "" : " plus the L2 penalty's 2λw").</p>\n"
        html += "<table class=\"weight-uses\"><thead><tr><th>row</th><th>gate it feeds</th><th class=\"num\">local ∂gate/∂\(name)</th><th></th><th class=\"num\">upstream ∂L/∂gate</th><th></th><th class=\"num\">local × upstream</th></tr></thead><tbody>\n"
        // Rows that move the weight first; rows whose path is switched off (a ReLU at 0, a hinge
        // already satisfied) send back 0, and are counted below.
        let moving = e.examples.filter { $0.gradient != 0 }, still = e.examples.filter { $0.gradient == 0 }
        // Every equation through DisplayedArithmetic: its operands get guard digits where the
        // rounded ones would not add up to the shown result.
        for example in (moving + still).prefix(limits.explainedExamples) {
            for use in example.uses {
                let q = DisplayedArithmetic.product(use.local, use.upstream, use.product, f)
                html += "<tr><td class=\"num\">\(example.row + 1)</td><td class=\"gate\">\(HTML.escape(use.gate))</td><td class=\"num\">\(q.operands[0].text)</td><td>×</td>"
                html += "<td class=\"num gradient\">\(q.operands[1].text)</td><td>\(q.equals)</td><td class=\"num gradient\">\(q.result.text)</td></tr>\n"
            }
        }
        if e.examples.count > limits.explainedExamples {
            html += "<tr><td colspan=\"7\" class=\"note\">… and \(e.examples.count - limits.explainedExamples) more rows of the batch (\(still.count) of the \(e.examples.count) send back 0: a ReLU on their path is off, or their hinge is already satisfied)</td></tr>\n"
        }
        html += "</tbody></table>\n<ul class=\"weight-sum\">\n"
        html += "<li>batch mean: (sum of the \(e.examples.count) rows' local × upstream) / \(e.examples.count) = <span class=\"gradient\">\(f(e.batchMean))</span></li>\n"
        if setup.trainer.penalty != .none {
            let p = DisplayedArithmetic.product(of: [2, setup.options.l2, e.value], e.penalty, f)
            html += "<li>L2 penalty: 2λw = 2 × \(p.operands[1].text) × \(p.operands[2].text) \(p.equals) <span class=\"gradient\">\(p.result.text)</span></li>\n"
            let g = DisplayedArithmetic.sum([e.batchMean, e.penalty], e.gradient, f)
            html += "<li>gradient of the step: \(g.operands[0].text) + \(g.operands[1].text) \(g.equals) <span class=\"gradient\">\(g.result.text)</span></li>\n"
        } else {
            html += "<li>gradient of the step: <span class=\"gradient\">\(f(e.gradient))</span></li>\n"
        }
        if case .gradientDescent = setup.trainer.optimizer {
            let u = DisplayedArithmetic.update(e.value, e.learningRate, e.gradient, e.updated, f)
            html += "<li>update: w ← w − η·g = \(u.operands[0].text) − \(u.operands[1].text) × \(u.operands[2].text) \(u.equals) <span class=\"value\">\(u.result.text)</span></li>\n"
        } else {
            html += "<li>update (\(HTML.escape(setup.trainer.optimizer.name)): \(HTML.escape(e.rule))): \(f(e.value)) → <span class=\"value\">\(f(e.updated))</span></li>\n"
        }
        if setup.trainer.optimizer.isNesterov {
            html += "<li class=\"note\">Nesterov takes the step's gradient at the look-ahead point w + μ·v; the rows above are at w.</li>\n"
        }
        html += "</ul>\n"
        struct Weight: Encodable {
            var ok = true
            var type = "weight"
            var index: Int
            var parameter: String
            var step: Int
            var value: Double
            var batchSize: Int
            var batchMean: Double
            var penalty: Double
            var gradient: Double
            var learningRate: Double
            var updated: Double
            var html: String
        }
        sendJSON(Weight(index: index, parameter: e.parameter, step: stepOffset + stepNumber, value: e.value, batchSize: batch.count, batchMean: e.batchMean,
                        penalty: e.penalty, gradient: e.gradient, learningRate: e.learningRate, updated: e.updated, html: html))
    }

    /// `{"type": "addPoint", "x1": …, "x2": …, "y": 0 or 1}`: a training point more. The run goes
    /// on from the current weights in a new `TrainingSession` on the new rows (the optimiser's
    /// memory starts again); the page's step count goes on.
    private func addPoint(_ command: [String: Any]) {
        guard let setup else { return }
        guard let x1 = (command["x1"] as? NSNumber)?.doubleValue, let x2 = (command["x2"] as? NSNumber)?.doubleValue,
              let y = (command["y"] as? NSNumber)?.intValue, x1.isFinite, x2.isFinite, abs(x1) <= 100, abs(x2) <= 100, y == 0 || y == 1 else {
            sendError(.error(400, kind: "request", "addPoint needs x1 and x2 (numbers within ±100) and y (0 or 1)")); return
        }
        let data = setup.training
        let total = data.count + (setup.validation?.count ?? 0)
        guard total < limits.points else {
            sendError(.error(413, kind: "limit", "\(total) points already; this server takes at most \(limits.points)")); return
        }
        guard data.columns.sorted() == ["x1", "x2", "y"] else {
            sendError(.error(422, kind: "request", "points can be added to two-class data with columns x1, x2 and y")); return
        }
        let row = data.columns.map { $0 == "x1" ? x1 : $0 == "x2" ? x2 : Double(y) }
        continueOn(Dataset(name: data.name, columns: data.columns, values: data.values + row), change: "added")
    }

    /// `{"type": "removePoint", "x1": …, "x2": …}`: the training point at (x1, x2) taken out (by
    /// place, not row number: a page may click again before it hears that the rows moved); or
    /// `"row": k`, training row k from 0. The run goes on as after `addPoint`.
    private func removePoint(_ command: [String: Any]) {
        guard let setup else { return }
        let data = setup.training
        var found: Int?
        if let x1 = (command["x1"] as? NSNumber)?.doubleValue, let x2 = (command["x2"] as? NSNumber)?.doubleValue,
           let a = data.columns.firstIndex(of: "x1"), let b = data.columns.firstIndex(of: "x2") {
            // The page has the coordinates the server sent; JSON may change the last bit.
            let tolerance = 1e-9 * max(1, abs(x1), abs(x2))
            found = (0..<data.count).first { abs(data[$0, a] - x1) <= tolerance && abs(data[$0, b] - x2) <= tolerance }
        } else if let k = (command["row"] as? NSNumber)?.intValue, k >= 0, k < data.count {
            found = k
        }
        guard let row = found else {
            sendError(.error(400, kind: "request", "removePoint needs the x1 and x2 of a training point (or its row, from 0)")); return
        }
        guard data.count > 2 else {
            sendError(.error(422, kind: "request", "two training points are the fewest a run keeps")); return
        }
        continueOn(data.subset(Array(0..<row) + Array((row + 1)..<data.count)), change: "removed")
    }

    /// Goes on training from the current weights on `data`, the new training rows, and sends
    /// the page the rows (`change` says what happened to them) and a frame.
    private func continueOn(_ data: Dataset, change: String) {
        guard var setup, let s = session else { return }
        let bindings = Dictionary(zip(setup.model.parameterNames, s.weights), uniquingKeysWith: { a, _ in a })
        var trainer = setup.trainer
        trainer.steps = max(1, limits.stepsPerSession - stepOffset - s.stepsTaken)
        trainer.batchSize = setup.options.batchSize.map { min($0, data.count) }
        do {
            let model = try Model(graph: setup.model.graph, parameters: nil, bindings: bindings, data: data)
            let next = try TrainingSession(trainer: trainer, model: model, data: data)
            stepOffset += s.stepsTaken
            setup.training = data
            setup.model = model
            setup.trainer = trainer
            self.setup = setup
            session = next
        } catch {
            sendError(.json(422, APIError(error).encoded())); return
        }
        grid = BoundaryGrid(model: setup.model, data: data, points: [data] + (setup.validation.map { [$0] } ?? []),
                            classifier: setup.trainer.classifier!, resolution: limits.gridResolution)
        struct Points: Encodable {
            var ok = true
            var type = "points"
            var change: String
            var training: [[Double]]
            var grid: GridExtent
        }
        sendJSON(Points(change: change, training: Self.points(data), grid: GridExtent(grid)))
        sendFrame()
    }

    /// One example's full forward and backward pass at the current weights (the walkthrough).
    private func explainPoint(set: String, row: Int, data: Dataset) {
        guard let setup, let s = session else { return }
        let trace: Trace
        do { trace = try Tracer(bindings: setup.model.bindings(row: row, of: data, parameters: s.weights)).trace(setup.model.graph) } catch {
            sendError(.json(422, APIError(error).encoded())); return
        }
        let format = NumberFormat(.significant(4), trimsZeros: true)
        struct Point: Encodable {
            var ok = true
            var type = "point"
            var set: String
            var row: Int
            var step: Int
            var x1: Double?
            var x2: Double?
            var y: Double?
            var score: Double?
            var loss: Double
            var html: String
        }
        func column(_ name: String) -> Double? { data.columns.firstIndex(of: name).map { data[row, $0] } }
        sendJSON(Point(set: set, row: row, step: stepOffset + s.stepsTaken, x1: column("x1"), x2: column("x2"), y: column("y"), score: trace.value(of: "score"),
                       loss: trace.output, html: HTMLRenderer.walkthrough(trace, options: ExplainOptions(format: format))))
    }
}

extension Optimizer {
    var isNesterov: Bool {
        if case .nesterov = self { return true }
        return false
    }
}
