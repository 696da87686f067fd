import Foundation
import GradTrace
import Testing
@testable import GradTraceServer

/// The network page over real HTTP and a real WebSocket on a loopback port: its endpoints, its
/// errors and limits, that a live session trains exactly as `Trainer` does, that the socket
/// streams steps, and the page in headless Chromium.
@Suite(.serialized) struct NetworkPageTests {
    static var options: [String: Any] { ["dataset": "moons", "points": 125, "noise": 0.1, "validation": 0.2, "seed": 1,
                                         "hidden": [16, 16], "activation": "relu", "loss": "hinge", "optimizer": "sgd",
                                         "learningRate": 0.1, "l2": 0.0001, "stepsPerSecond": 100] }

    @Test func thePageItsFilesAndTheModelEndpoint() async throws {
        try await withServer { port in
            let page = try await get(port, "/network")
            #expect(page.status == 200)
            #expect(page.text.contains("<script src=\"/assets/network.js\"></script>"))
            #expect(page.text.components(separatedBy: "<script").count == 2, "one script tag, no inline script")
            #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
            #expect(try await get(port, "/").text.contains("href=\"/network\""), "the explain page links to the network page")
            let script = try await get(port, "/assets/network.js")
            #expect(script.status == 200 && script.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("/api/network/live") && !script.text.contains("http"))
            #expect(try await get(port, "/assets/network.css").status == 200)

            let r = try await post(port, "/api/network/model", json: Self.options)
            #expect(r.status == 200)
            #expect(r.json["layers"] as? [Int] == [2, 16, 16, 1])
            let parameters = try #require(r.json["parameters"] as? [String])
            #expect(parameters.count == 337)  // micrograd's MLP(2, [16, 16, 1]): 16·2 + 16 + 16·16 + 16 + 16 + 1
            #expect((r.json["edges"] as? [[Int]])?.count == 304)  // 32 + 256 + 16
            #expect((r.json["biases"] as? [[Int]])?.count == 33)
            let source = try #require(r.json["source"] as? String)
            #expect(source.contains("h1 = relu(W1 @ x + b1)") && source.contains("L = relu(1 - (2*y - 1) * score)"))
            #expect(r.json["trainingRows"] as? Int == 100 && r.json["validationRows"] as? Int == 25)
            let logistic = try await post(port, "/api/network/model", json: ["hidden": [3], "activation": "tanh", "loss": "logistic"])
            #expect((logistic.json["source"] as? String)?.contains("L = softplus(-(2*y - 1) * score)") == true)
            #expect((logistic.json["source"] as? String)?.contains("h1 = tanh(W1 @ x + b1)") == true)
            // The source text parses as any .gt file does.
            #expect(throws: Never.self) { try Explanation.graph(source: SourceText(source)) }
        }
    }

    /// A socket's start options reach the session as typed: re-encoding them through
    /// JSONSerialization rounded doubles (0.1 + 0.2, 1e-300) on Linux.
    @Test func startOptionsArriveBitForBit() throws {
        let message = #"{"type": "start", "options": {"learningRate": 0.30000000000000004, "l2": 1e-300, "noise": 0.1}}"#
        guard case .success(let o) = NetworkOptions.decode(start: Data(message.utf8), limits: NetworkLimits()) else {
            Issue.record("the options were refused"); return
        }
        #expect(o.learningRate.bitPattern == (0.1 + 0.2).bitPattern)
        #expect(o.l2.bitPattern == (1e-300).bitPattern)
        #expect(o.noise.bitPattern == (0.1).bitPattern)
        guard case .success(let empty) = NetworkOptions.decode(start: Data(#"{"type": "start"}"#.utf8), limits: NetworkLimits()) else {
            Issue.record("a start without options was refused"); return
        }
        #expect(empty.learningRate == NetworkOptions().learningRate)
    }

    @Test func badOptionsAndLimitsAreJSONErrors() async throws {
        var limits = ServerLimits()
        limits.network.units = 8
        try await withServer(limits) { port in
            func check(_ options: [String: Any], _ status: Int, _ kind: String, _ words: String) async throws {
                let r = try await post(port, "/api/network/model", json: options)
                #expect(r.status == status, "\(options): \(r.text)")
                #expect(r.json["ok"] as? Bool == false)
                #expect(r.error["kind"] as? String == kind)
                #expect((r.error["message"] as? String)?.contains(words) == true, "\(r.text)")
            }
            try await check(["dataset": "iris"], 400, "request", "dataset must be one of")
            try await check(["hidden": [9]], 413, "limit", "at most 8 per layer")
            try await check(["hidden": [2, 2, 2, 2, 2]], 413, "limit", "at most 4")
            try await check(["hidden": [0]], 400, "request", "at least one unit")
            try await check(["points": 5000], 413, "limit", "at most 1000")
            try await check(["learningRate": -1], 400, "request", "\"learningRate\" must be a positive number, got -1")
            try await check(["activation": "swish"], 400, "request", "relu, tanh or sigmoid")
            try await check(["loss": "cubic"], 400, "request", "hinge, logistic or squared")
            try await check(["optimizer": "lbfgs"], 400, "request", "\"optimizer\" must be one of sgd, momentum")
            try await check(["stepsPerSecond": 100_000], 413, "limit", "steps per second")
            let notJSON = try await post(port, "/api/network/model", body: Data("{hidden".utf8))
            #expect(notJSON.status == 400 && notJSON.error["kind"] as? String == "request")
            // A plain GET of the socket's address says what it is.
            let plain = try await get(port, NetworkSessions.socketPath)
            #expect(plain.status == 400 && plain.text.contains("WebSocket"))
        }
    }

    /// The same options through `Trainer`, the way `gradtrace train` builds them.
    static func trainerRun(steps: Int) throws -> (Trainer.Run, Model, Dataset) {
        var graph = try Explanation.graph(source: SourceText(NetworkSpec(hidden: [16, 16]).source, name: "network.gt"))
        graph.initializeParameters(seed: 1)
        let parts = try Dataset.load("moons(n=125, noise=0.1, seed=1)").split(validation: 0.2, seed: 1)
        let model = try Model(graph: graph, data: parts.training)
        var trainer = Trainer(parameters: nil, learningRate: 0.1, steps: steps)
        trainer.penalty = .l2(0.0001)
        trainer.seed = 1
        trainer.classifier = try Classifier.parse("score")
        trainer.validation = parts.validation
        return (try trainer.train(model, data: parts.training), model, parts.training)
    }

    @Test func aSessionTrainsExactlyAsTrainerDoes() async throws {
        try await withServer { port in
            let ws = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath) }
            defer { ws.close() }
            try await blocking { try ws.send(["type": "start", "options": Self.options]) }
            let ready = try await ws.next("ready")
            #expect((ready["training"] as? [[Double]])?.count == 100)
            let first = try await ws.next("frame")
            #expect(first["step"] as? Int == 0)
            for _ in 0..<20 { try await blocking { try ws.send(["type": "step"]) } }
            var frame: [String: Any] = [:]
            while frame["step"] as? Int != 20 { frame = try await ws.next("frame") }
            let (run, model, training) = try Self.trainerRun(steps: 21)
            let weights = try #require(try ws.exact().weights)
            let after20 = try #require(run.parameters(afterUpdates: 20))
            #expect(weights.count == after20.count)
            #expect(zip(weights, after20).allSatisfy { $0 == $1 }, "the session's weights after 20 steps are Trainer's, to the bit")
            // The frame's training loss is TrainingSession.score() at those weights: the step-21 loss of a full batch.
            let loss21 = try #require(run.entry(step: 21)?.loss)
            #expect(abs((frame["trainingLoss"] as? Double ?? .nan) - loss21) < 1e-12)
            // A weight's explanation is step 21's gradient, from the same engine.
            try await blocking { try ws.send(["type": "explainWeight", "index": 5]) }
            let weight = try await ws.next("weight")
            let g21 = try #require(run.entry(step: 21)?.gradients[5])
            #expect(try ws.exact().gradient == g21)
            #expect(weight["step"] as? Int == 21 && weight["batchSize"] as? Int == 100)
            #expect(abs((weight["batchMean"] as? Double ?? .nan) + (weight["penalty"] as? Double ?? .nan) - g21) < 1e-12,
                    "the rows' local × upstream, averaged, plus 2λw, is the gradient the step uses")
            #expect(try ws.exact().updated == run.entry(step: 21)?.updated[5])
            let html = try #require(weight["html"] as? String)
            #expect(html.contains("local × upstream") && html.contains("w ← w − η·g"))
            #expect(weight["parameter"] as? String == model.parameterNames[5])
            // Every equation the explanation shows adds up at the digits it shows, for a few weights.
            for index in [0, 5, 47, 200, model.parameterNames.count - 1] {
                try await blocking { try ws.send(["type": "explainWeight", "index": index]) }
                let shown = try #require(try await ws.next("weight")["html"] as? String)
                let count = ShownEquations.check(shown)
                #expect(count.failures.isEmpty, "weight \(index): \(count.failures)")
                #expect(count.checked.allSatisfy { $0 >= 1 }, "weight \(index): the rows, the penalty, the gradient and the update were all read: \(count.checked)")
            }
            // A point's walkthrough at the current weights.
            try await blocking { try ws.send(["type": "explainPoint", "set": "training", "row": 4]) }
            let point = try await ws.next("point")
            let trace = try Tracer(bindings: model.bindings(row: 4, of: training, parameters: after20)).trace(model.graph)
            #expect(try ws.exact().loss == trace.output)
            #expect((point["html"] as? String)?.contains("score") == true)
            // The weight was not moved by being explained.
            try await blocking { try ws.send(["type": "step"]) }
            _ = try await ws.next("frame")
            #expect(try ws.exact().weights == run.parameters(afterUpdates: 21))
        }
    }

    @Test func theSocketStreamsStepsAndLearnsTheMoons() async throws {
        try await withServer { port in
            let ws = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath) }
            defer { ws.close() }
            try await blocking { try ws.send(["type": "pause"]) }
            let early = try await ws.next(nil)
            #expect(early["ok"] as? Bool == false && (early["error"] as? [String: Any])?["kind"] as? String == "request", "start first")
            var bad = Self.options
            bad["hidden"] = [64]
            let badStart = try JSONSerialization.data(withJSONObject: ["type": "start", "options": bad])
            try await blocking { try ws.send(badStart) }
            let refused = try await ws.next(nil)
            #expect((refused["error"] as? [String: Any])?["kind"] as? String == "limit")
            try await blocking { try ws.send(["type": "start", "options": Self.options]) }
            _ = try await ws.next("ready")
            _ = try await ws.next("frame")
            try await blocking { try ws.send(["type": "play"]) }
            let start = Date()
            var frames = 0
            var last: [String: Any] = [:]
            while Date().timeIntervalSince(start) < 3 {
                last = try await ws.next("frame")
                if last["running"] as? Bool == true { frames += 1 }
            }
            let steps = last["step"] as? Int ?? 0
            print("network page, debug build: \(steps) steps and \(frames) frames in 3 s; the server measured \(last["stepsPerSecond"] ?? 0) steps/s, \(last["framesPerSecond"] ?? 0) frames/s")
            #expect(frames >= 3, "frames stream while playing")
            #expect(steps >= 30, "steps are taken while playing")
            #expect((last["cells"] as? String)?.count == 48 * 48)
            // Play on until the validation accuracy is high (the moons are learnable).
            var accuracy = last["validationAccuracy"] as? Double ?? 0
            while accuracy < 0.95 && Date().timeIntervalSince(start) < 90 {
                accuracy = try await ws.next("frame")["validationAccuracy"] as? Double ?? 0
            }
            try await blocking { try ws.send(["type": "pause"]) }
            #expect(accuracy >= 0.95)
        }
    }

    @Test func sessionsAreCappedAndEndWithTheirClient() async throws {
        var limits = ServerLimits()
        limits.network.sessions = 2
        try await withServer(limits) { port in
            let a = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath) }
            let b = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath) }
            defer { b.close() }
            let c = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath) }
            defer { c.close() }
            let refused = try await c.next(nil)
            #expect(refused["ok"] as? Bool == false)
            let error = try #require(refused["error"] as? [String: Any])
            #expect(error["kind"] as? String == "limit" && (error["message"] as? String)?.contains("2 training sessions") == true)
            #expect(try await get(port, NetworkSessions.countPath).json["sessions"] as? Int == 2)
            a.close()
            var open = 2
            for _ in 0..<100 where open != 1 {
                try await Task.sleep(nanoseconds: 50_000_000)
                open = try await get(port, NetworkSessions.countPath).json["sessions"] as? Int ?? -1
            }
            #expect(open == 1, "a session ends when its client goes away")
            let d = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath) }
            defer { d.close() }
            try await blocking { try d.send(["type": "start", "options": Self.options]) }
            _ = try await d.next("ready")
        }
    }

    @Test func aClickAddsATrainingPointAndTheRunGoesOn() async throws {
        var limits = ServerLimits()
        limits.network.points = 126
        try await withServer(limits) { port in
            let ws = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath) }
            defer { ws.close() }
            try await blocking { try ws.send(["type": "start", "options": Self.options]) }
            _ = try await ws.next("ready")
            for _ in 0..<5 { try await blocking { try ws.send(["type": "step"]) } }
            var frame: [String: Any] = [:]
            while frame["step"] as? Int != 5 { frame = try await ws.next("frame") }
            let before = try #require(try ws.exact().weights)
            try await blocking { try ws.send(["type": "addPoint", "x1": 0.5, "x2": 0.25, "y": 1]) }
            let points = try await ws.next("points")
            let training = try #require(points["training"] as? [[Double]])
            #expect(training.count == 101 && training.last == [0.5, 0.25, 1])
            let after = try await ws.next("frame")
            #expect(after["step"] as? Int == 5)
            #expect(try ws.exact().weights == before, "the run goes on from the same weights")
            try await blocking { try ws.send(["type": "step"]) }
            #expect(try await ws.next("frame")["step"] as? Int == 6)
            // The new row can be explained, and the point limit holds.
            try await blocking { try ws.send(["type": "explainPoint", "set": "training", "row": 100]) }
            #expect(try await ws.next("point")["y"] as? Double == 1)
            try await blocking { try ws.send(["type": "addPoint", "x1": 0.1, "x2": 0.1, "y": 0]) }
            let refused = try await ws.next(nil)
            #expect((refused["error"] as? [String: Any])?["kind"] as? String == "limit")
            try await blocking { try ws.send(["type": "addPoint", "x1": 0.1, "y": 7]) }
            #expect(((try await ws.next(nil))["error"] as? [String: Any])?["kind"] as? String == "request")
        }
    }

    /// Two blobs of ten points each, as a reader's CSV: class 0 around (−1, −1), class 1 around (1, 1).
    static let blobsCSV: String = {
        var lines = ["x1,x2,y"]
        for k in 0..<20 {
            let c = k % 2 == 0 ? -1.0 : 1.0, d = Double(k) / 40
            lines.append("\(c + d),\(c - d),\(k % 2)")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func yourOwnCSVTrainsAndAClickRemovesAPoint() async throws {
        try await withServer { port in
            let ws = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath) }
            defer { ws.close() }
            var options = Self.options
            options["csv"] = Self.blobsCSV
            options["csvName"] = "my points!.csv"
            options["validation"] = 0.25
            let start = try JSONSerialization.data(withJSONObject: ["type": "start", "options": options])
            try await blocking { try ws.send(start) }
            let ready = try await ws.next("ready")
            let model = try #require(ready["model"] as? [String: Any])
            #expect(model["trainingRows"] as? Int == 15 && model["validationRows"] as? Int == 5)
            #expect((model["command"] as? String)?.contains("--data mypoints.csv --validate 0.25") == true)
            let training = try #require(ready["training"] as? [[Double]])
            let rows = Self.blobsCSV.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
            #expect(training.allSatisfy { rows.contains($0) }, "the rows are the CSV's")

            // Remove the first training point (by its place): the run goes on with the other 14, at the same weights.
            for _ in 0..<3 { try await blocking { try ws.send(["type": "step"]) } }
            var frame: [String: Any] = [:]
            while frame["step"] as? Int != 3 { frame = try await ws.next("frame") }
            let before = try #require(try ws.exact().weights)
            let first = training[0]
            try await blocking { try ws.send(["type": "removePoint", "x1": first[0], "x2": first[1]]) }
            let points = try await ws.next("points")
            #expect(points["change"] as? String == "removed")
            #expect(points["training"] as? [[Double]] == Array(training.dropFirst()))
            #expect(try await ws.next("frame")["step"] as? Int == 3)
            #expect(try ws.exact().weights == before, "the run goes on from the same weights")
            try await blocking { try ws.send(["type": "removePoint", "row": 14]) }
            #expect(((try await ws.next(nil))["error"] as? [String: Any])?["kind"] as? String == "request")
            try await blocking { try ws.send(["type": "removePoint", "x1": first[0], "x2": first[1]]) }
            #expect(((try await ws.next(nil))["error"] as? [String: Any])?["kind"] as? String == "request", "it is gone already")
            try await blocking { try ws.send(["type": "removePoint", "row": 0]) }
            #expect(try await ws.next("points")["training"] as? [[Double]] == Array(training.dropFirst(2)))
            _ = try await ws.next("frame")  // the frame that follows a change of points

            // CSVs that cannot be trained on: each error says where.
            func refused(_ csv: String) async throws -> [String: Any] {
                var o = Self.options
                o["csv"] = csv
                let start = try JSONSerialization.data(withJSONObject: ["type": "start", "options": o])
                try await blocking { try ws.send(start) }
                return try #require(try await ws.next(nil)["error"] as? [String: Any])
            }
            let notANumber = try await refused("x1,x2,y\n1,2,0\n3,four,1\n")
            #expect(notANumber["line"] as? Int == 3 && notANumber["column"] as? Int == 2)
            #expect((try await refused("x1,x2,y\n1,2,0\n3,4,2\n5,6,1\n7,8,0\n")["message"] as? String)?.contains("row 3 has y = 2") == true)
            #expect((try await refused("a,b,c\n1,2,0\n")["message"] as? String)?.contains("no column 'x1'") == true)
            // 61,502 bytes: over the 60 KiB a CSV may have, under the 64 KiB a message may have.
            #expect(try await refused("x1,x2,y\n" + String(repeating: "1.0000000000000000,2,0\n", count: 2_674))["kind"] as? String == "limit")
        }
    }

    /// A CSV posted to the model endpoint has room for its JSON escaping (the body limit there is the
    /// socket message's 128 KiB, not the expression's 64 KiB), and past it the 413 names the CSV's limit.
    @Test func aCSVSizeErrorNamesTheCSVLimit() async throws {
        try await withServer { port in
            // 57 KiB of CSV whose quotes double in JSON: a 100 KiB body.
            var csv = "\"x1\",\"x2\",\"y\"\n"
            while csv.utf8.count < 57 * 1024 { csv += "\"0.5\",\"0.25\",\"1\"\n\"-0.5\",\"-0.25\",\"0\"\n" }
            var options = Self.options
            options["csv"] = csv
            let fits = try JSONSerialization.data(withJSONObject: options)
            #expect(fits.count > 64 * 1024 && fits.count < 128 * 1024)
            let r = try await post(port, "/api/network/model", body: fits)
            #expect(r.status != 413, "\(r.text.prefix(300))")
            // 200 KiB: the body is over the endpoint's limit, and the answer says what a CSV may have.
            options["csv"] = String(repeating: csv, count: 2)
            let over = try await post(port, "/api/network/model", body: try JSONSerialization.data(withJSONObject: options))
            #expect(over.status == 413 && over.statusLine == "HTTP/1.1 413 Content Too Large")
            #expect((over.error["message"] as? String)?.contains("128 KiB") == true)
            #expect((over.error["help"] as? String)?.contains("a CSV may have at most 60 KiB") == true, "\(over.text)")
            // The explain endpoint's own limit and help are unchanged.
            let explain = try await post(port, "/api/explain", body: Data(repeating: 0x20, count: 70 * 1024))
            #expect(explain.status == 413 && (explain.error["help"] as? String) == "send a shorter expression")
        }
    }

    @Test func aSocketThatNeverStartsOrStandsIdleIsClosed() async throws {
        var limits = ServerLimits()
        limits.network.sessions = 1
        limits.network.startSeconds = 0.5
        limits.network.idleSeconds = 1
        try await withServer(limits) { port in
            let silent = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath) }
            defer { silent.close() }
            let error = try #require(try await silent.next(nil)["error"] as? [String: Any])
            #expect(error["kind"] as? String == "idle" && (error["message"] as? String)?.contains("no network was started") == true)
            // Its place is free again: the one session this server allows can be had.
            var open = 1
            for _ in 0..<100 where open != 0 {
                try await Task.sleep(nanoseconds: 50_000_000)
                open = try await get(port, NetworkSessions.countPath).json["sessions"] as? Int ?? -1
            }
            #expect(open == 0)
            let paused = try await blocking { try WSClient(port: port, path: NetworkSessions.socketPath) }
            defer { paused.close() }
            try await blocking { try paused.send(["type": "start", "options": Self.options]) }
            _ = try await paused.next("ready")
            var message: [String: Any] = [:]
            while message["ok"] as? Bool != false { message = try await paused.next(nil) }  // frames, then the error
            let idle = try #require(message["error"] as? [String: Any])
            #expect(idle["kind"] as? String == "idle" && (idle["message"] as? String)?.contains("stood paused") == true)
        }
    }

    @Test func theEquationCheckerCatchesALastDigitOff() {
        // As the page once showed it: 0.9085 − 0.1 × 0.01206 is 0.907294, which is 0.9073.
        let off = ShownEquations.check(#"<li>update: w ← w − η·g = 0.9085 − 0.1 × 0.01206 = <span class="value">0.9072</span></li>"#)
        #expect(off.checked == [0, 0, 0, 1] && off.failures.count == 1)
        let right = ShownEquations.check(#"<li>update: w ← w − η·g = 0.90845 − 0.1 × 0.01206 = <span class="value">0.9072</span></li>"#)
        #expect(right.checked == [0, 0, 0, 1] && right.failures.isEmpty)
        let row = ShownEquations.check(#"<td class="num">1.5 × 10⁻³</td><td>×</td><td class="num gradient">-2</td><td>=</td><td class="num gradient">-0.003</td>"#)
        #expect(row.checked == [1, 0, 0, 0] && row.failures.isEmpty)
    }

    @Test func anotherSitesPageCannotOpenTheSocket() async throws {
        try await withServer { port in
            let r = try await send(port, raw: Data(("GET \(NetworkSessions.socketPath) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: https://evil.example\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8))
            #expect(r.status == 403)
        }
    }
}

/// Runs blocking work on a Dispatch thread, off Swift's cooperative pool (which the server needs).
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
    }
}

/// A minimal WebSocket client (RFC 6455) over a blocking socket: the handshake, masked text
/// frames out, unmasked frames in (fragments joined, pings ignored).
final class WSClient: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var closed = false
    /// The text of the last message `next` returned.
    private(set) var lastText = ""

    /// The numbers of the last message, read with JSONDecoder: JSONSerialization on Linux can
    /// round the last bit of a double, and these tests compare to the bit.
    struct Numbers: Decodable { var weights: [Double]?; var gradient: Double?; var updated: Double?; var loss: Double? }
    func exact() throws -> Numbers { try JSONDecoder().decode(Numbers.self, from: Data(lastText.utf8)) }

    init(port: UInt16, path: String, from source: String? = nil) throws {
        fd = try connectSocket(port, timeout: 120, from: source)
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try writeAll(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n".utf8))
        while true {
            if let end = (0..<max(0, buffer.count - 3)).first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10 }) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                guard head.hasPrefix("HTTP/1.1 101") else { throw ClientError(description: "no upgrade: \(head)") }
                return
            }
            try fill()
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw ClientError(description: "write failed") }
            offset += n
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &chunk, chunk.count)
        guard n > 0 else { throw ClientError(description: "the connection closed") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    private func take(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    func send(_ object: [String: Any]) throws { try send(try JSONSerialization.data(withJSONObject: object)) }

    func send(_ data: Data) throws {
        let payload = [UInt8](data)
        var frame: [UInt8] = [0x81]
        if payload.count < 126 { frame.append(0x80 | UInt8(payload.count)) } else {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try writeAll(frame)
    }

    /// The next text message (nil at a close frame).
    func receive() throws -> String? {
        var message: [UInt8] = []
        while true {
            let head = try take(2)
            let fin = head[0] & 0x80 != 0, opcode = head[0] & 0x0f
            var length = Int(head[1] & 0x7f)
            if length == 126 { let b = try take(2); length = Int(b[0]) << 8 | Int(b[1]) }
            if length == 127 { length = try take(8).reduce(0) { $0 << 8 | Int($1) } }
            let payload = try take(length)
            switch opcode {
            case 8: return nil
            case 9, 10: continue
            default:
                message += payload
                if fin { return String(decoding: message, as: UTF8.self) }
            }
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        Foundation.close(fd)
    }

    /// The next message of `type` (or any message when nil), as JSON, skipping others.
    func next(_ type: String?) async throws -> [String: Any] {
        while true {
            guard let text = try await blocking({ try self.receive() }) else { throw ClientError(description: "the server closed the socket") }
            let object = (try JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            if type == nil || object["type"] as? String == type { lastText = text; return object }
            if object["ok"] as? Bool == false { throw ClientError(description: "error while waiting for \(type ?? "?"): \(text)") }
        }
    }
}

/// The equations of a weight's explanation, read back from its HTML and checked with decimal
/// arithmetic: `a × b = c` rows, `2 × λ × w = p`, `mean + penalty = g`, `w − η × g = w'`. An
/// equation holds when the exact result of its shown operands rounds to its shown result.
enum ShownEquations {
    /// `-1.23`, `4.5 × 10⁻⁵` → the decimal and half a unit of its last digit.
    static func number(_ text: String) -> (value: Decimal, half: Decimal)? {
        let parts = text.components(separatedBy: " × 10")
        guard let mantissa = Decimal(string: parts[0]) else { return nil }
        var exponent = 0
        if parts.count == 2 {
            let digits: [Character: Character] = ["⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-"]
            guard let e = Int(String(parts[1].compactMap { digits[$0] })) else { return nil }
            exponent = e
        }
        let decimals = parts[0].split(separator: ".").dropFirst().first?.count ?? 0
        let scale = Decimal(sign: .plus, exponent: exponent, significand: 1)
        return (mantissa * scale, Decimal(sign: .plus, exponent: exponent - decimals - 1, significand: 5))
    }

    /// How many equations of each kind (rows, penalty, gradient, update) were read, and the ones that do not add up.
    static func check(_ html: String) -> (checked: [Int], failures: [String]) {
        let n = #"(-?[0-9.]+(?: × 10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?)"#
        let product: ([Decimal]) -> Decimal = { $0[0] * $0[1] }
        let penalty: ([Decimal]) -> Decimal = { 2 * $0[0] * $0[1] }
        let sum: ([Decimal]) -> Decimal = { $0[0] + $0[1] }
        let update: ([Decimal]) -> Decimal = { $0[0] - $0[1] * $0[2] }
        let patterns: [(String, ([Decimal]) -> Decimal)] = [
            (#"<td class="num">"# + n + #"</td><td>×</td><td class="num gradient">"# + n + #"</td><td>=</td><td class="num gradient">"# + n + "<", product),
            (#"2λw = 2 × "# + n + " × " + n + #" = <span class="gradient">"# + n + "<", penalty),
            (#"gradient of the step: "# + n + #" \+ "# + n + #" = <span class="gradient">"# + n + "<", sum),
            (#"w − η·g = "# + n + " − " + n + " × " + n + #" = <span class="value">"# + n + "<", update),
        ]
        var checked: [Int] = [], failures: [String] = []
        for (pattern, compute) in patterns {
            checked.append(0)
            let regex = try! NSRegularExpression(pattern: pattern)
            for match in regex.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
                let texts = (1..<match.numberOfRanges).map { String(html[Range(match.range(at: $0), in: html)!]) }
                let numbers = texts.compactMap(number)
                guard numbers.count == texts.count, let result = numbers.last else { failures.append("unreadable: \(texts)"); continue }
                let exact = compute(numbers.dropLast().map(\.value))
                var gap = exact - result.value
                if gap < 0 { gap = -gap }
                checked[checked.count - 1] += 1
                if gap > result.half { failures.append(texts.joined(separator: " ; ")) }
            }
        }
        return (checked, failures)
    }
}
