import Foundation
import Testing
@testable import GradTraceServer

/// `gradtrace serve` over real HTTP on a loopback port: every endpoint, its errors and its limits.
@Suite(.serialized) struct ServerTests {
    @Test func thePageIsSelfContainedAndRunsOnlyItsOwnScript() async throws {
        try await withServer { port in
            let page = try await get(port, "/")
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            let policy = try #require(page.headers["content-security-policy"])
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && policy.contains("connect-src 'self'"))
            #expect(!policy.contains("unsafe"))
            #expect(page.headers["x-content-type-options"] == "nosniff")
            #expect(page.text.contains("<script src=\"/assets/explain.js\"></script>"))
            #expect(page.text.components(separatedBy: "<script").count == 2, "one script tag, no inline script")
            #expect(!page.text.contains("http://") && !page.text.contains("https://"), "nothing from the network")
            let script = try await get(port, "/assets/explain.js")
            #expect(script.status == 200 && script.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("/api/explain"))
            #expect(!script.text.contains("http"), "the script fetches only from its own server")
            let css = try await get(port, "/assets/app.css")
            #expect(css.status == 200 && css.headers["content-type"] == "text/css; charset=utf-8")
            let head = try await send(port, raw: Data("HEAD / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8))
            #expect(head.status == 200)
        }
    }

    @Test func explainsTheNeuronWithItsDiagramAndWalkthrough() async throws {
        try await withServer { port in
            let r = try await post(port, "/api/explain", json: neuron)
            #expect(r.status == 200)
            let json = r.json
            #expect(json["ok"] as? Bool == true)
            let inputs = try #require(json["inputs"] as? [[String: Any]])
            let gradients = Dictionary(uniqueKeysWithValues: inputs.map { ($0["name"] as! String, $0["gradientText"] as! String) })
            #expect(gradients == ["w0": "-0.20", "x0": "0.39", "w1": "-0.39", "x1": "-0.59", "w2": "0.20"])
            #expect(json["outputText"] as? String == "0.73")
            #expect(json["stepCount"] as? Int == 8)
            #expect(json["frames"] as? Bool == true)
            let svg = try #require(json["svg"] as? String)
            #expect(svg.hasPrefix("<svg") && svg.contains("0.20"))
            let walkthrough = try #require(json["walkthrough"] as? String)
            #expect(walkthrough.contains("-2.00 × 0.197 = <span class=\"gradient\">-0.39</span>"))
            // The same request again is the same answer (from the cache).
            let again = try await post(port, "/api/explain", json: neuron)
            #expect(again.body == r.body)
        }
    }

    @Test func inputsWithoutValuesAreFoundAndGivenOne() async throws {
        try await withServer { port in
            let r = try await post(port, "/api/explain", json: ["source": "q = a + b; f = q * c", "values": ["c": 4, "gone": 9]])
            #expect(r.status == 200)
            let inputs = try #require(r.json["inputs"] as? [[String: Any]])
            #expect(inputs.map { $0["name"] as! String } == ["a", "b", "c"])
            #expect(inputs.map { $0["defaulted"] as! Bool } == [true, true, false])
            #expect(r.json["outputText"] as? String == "8")
            let bound = try await post(port, "/api/explain", json: ["source": "x = -2; y = 5\nf = x * y", "forwardOnly": true])
            let b = try #require(bound.json["inputs"] as? [[String: Any]])
            #expect(b.map { $0["boundInText"] as! Bool } == [true, true])
            #expect(b.allSatisfy { $0["gradientText"] == nil })
            #expect(bound.json["stepCount"] as? Int == 0)
        }
    }

    @Test func anInputErrorHasItsPlaceCaretAndHint() async throws {
        try await withServer { port in
            let r = try await post(port, "/api/explain", json: ["source": "x = 2\nsigmod(x)"])
            #expect(r.status == 422)
            #expect(r.json["ok"] as? Bool == false)
            #expect(r.error["kind"] as? String == "input")
            #expect(r.error["line"] as? Int == 2 && r.error["column"] as? Int == 1 && r.error["caretLength"] as? Int == 6)
            #expect(r.error["sourceLine"] as? String == "sigmod(x)")
            #expect(r.error["help"] as? String == "did you mean 'sigmoid'?")
            #expect((r.error["text"] as? String)?.contains("2 | sigmod(x)\n  | ^^^^^^") == true)
            // User text comes back only as JSON strings, never as markup.
            let hostile = try await post(port, "/api/explain", json: ["source": "<script>alert(1)</script>"])
            #expect(hostile.status == 422 && hostile.headers["content-type"] == "application/json; charset=utf-8")
            let named = try await post(port, "/api/explain", json: ["source": "f = x * 2", "values": ["x": 1]])
            #expect(!(named.json["walkthrough"] as? String ?? "").contains("<script"))
        }
    }

    @Test func malformedRequestsGetAClearError() async throws {
        try await withServer { port in
            for body in ["{\"source\":", "[1,2]", "{\"source\": 5}", "{}", "not json", "{\"source\": \"x\", \"values\": {\"x\": \"two\"}}"] {
                let r = try await post(port, "/api/explain", body: Data(body.utf8))
                #expect(r.status == 400, "\(body)")
                #expect(r.error["kind"] as? String == "request", "\(body)")
                #expect((r.error["message"] as? String)?.isEmpty == false)
            }
            let deep = String(repeating: "[", count: 60_000)
            let r = try await post(port, "/api/explain", body: Data(deep.utf8))
            #expect(r.status == 400, "deeply nested JSON")
            for bad in [["source": "x", "precision": 40], ["source": "x", "precision": 2, "digits": 3], ["source": "x", "rankdir": "RL"]] as [[String: Any]] {
                #expect(try await post(port, "/api/explain", json: bad).status == 400)
            }
            #expect(try await get(port, "/nowhere").status == 404)
            #expect(try await get(port, "/api/explain").status == 405)
            #expect(try await get(port, "/../../etc/passwd").status == 404, "no file is served from disk")
            #expect(try await get(port, "/api/health").status == 200)
        }
    }

    @Test func oversizedRequestsAreRefusedAndTheServerGoesOn() async throws {
        try await withServer { port in
            // 10 MB declared and sent.
            var big = Data("POST /api/explain HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n".utf8)
            big.append(Data(repeating: UInt8(ascii: "x"), count: 10_485_760))
            let r = try await send(port, raw: big)
            #expect(r.status == 413)
            #expect(r.error["kind"] as? String == "limit")
            #expect(r.headers["connection"] == "close")
            // Chunked, with no length declared.
            var chunked = Data("POST /api/explain HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".utf8)
            for _ in 0..<40 { chunked.append(Data("1000\r\n".utf8)); chunked.append(Data(repeating: 0x61, count: 4096)); chunked.append(Data("\r\n".utf8)) }
            chunked.append(Data("0\r\n\r\n".utf8))
            #expect(try await send(port, raw: chunked).status == 413)
            // A source over its own limit, in a body within the body limit.
            let long = try await post(port, "/api/explain", json: ["source": String(repeating: "x+", count: 10_000) + "x"])
            #expect(long.status == 413)
            #expect((long.error["message"] as? String)?.contains("16384") == true)
            #expect(try await post(port, "/api/explain", json: neuron).status == 200, "still serving")
        }
    }

    @Test func tooManyGatesDeepNestingAndExpansionBombsAreRefused() async throws {
        try await withServer { port in
            let gates = try await post(port, "/api/explain", json: ["source": String(repeating: "x*", count: 6_000) + "x", "values": ["x": 1]])
            #expect(gates.status == 422)
            #expect((gates.error["message"] as? String)?.contains("at most 5000") == true)
            let deep = try await post(port, "/api/explain", json: ["source": String(repeating: "(", count: 5_000) + "x" + String(repeating: ")", count: 5_000)])
            #expect(deep.status == 422)
            #expect(deep.error["kind"] as? String == "input")
            // Each def calls the one before four times: d6 is 4,096 gates when expanded.
            var bomb = "def d0(x) = x * 2\n"
            for k in 1...6 { bomb += "def d\(k)(x) = d\(k - 1)(d\(k - 1)(d\(k - 1)(d\(k - 1)(x))))\n" }
            bomb += "d6(y) + d6(2*y)"
            let collapsed = try await post(port, "/api/explain", json: ["source": bomb, "values": ["y": 1]])
            #expect(collapsed.status == 200, "collapsed, it is a few gates")
            let expanded = try await post(port, "/api/explain", json: ["source": bomb, "values": ["y": 1], "expand": true])
            #expect(expanded.status == 422)
            #expect((expanded.error["message"] as? String)?.contains("expanded") == true)
            // A value feeding many gates: Graphviz would take seconds, so no diagram.
            let fan = try await post(port, "/api/explain", json: ["source": Array(repeating: "x", count: 80).joined(separator: " + "), "values": ["x": 1]])
            #expect(fan.status == 200)
            #expect(fan.json["svg"] == nil)
            #expect((fan.json["diagramNote"] as? String)?.contains("'x' is used 80 times") == true)
            // Too large to draw but fine to explain: no diagram, and a note saying why.
            let wide = try await post(port, "/api/explain", json: ["source": (0..<150).map { "a\($0)*b\($0)" }.joined(separator: "+")])
            #expect(wide.status == 200)
            #expect(wide.json["svg"] == nil)
            #expect((wide.json["diagramNote"] as? String)?.contains("299 gates") == true)
            #expect(wide.json["frames"] as? Bool == false)
        }
    }

    @Test func framesOfTheBackwardPass() async throws {
        try await withServer { port in
            var body = neuron
            body["step"] = 2
            let r = try await post(port, "/api/frame", json: body)
            #expect(r.status == 200)
            #expect(r.json["step"] as? Int == 2)
            #expect((r.json["svg"] as? String)?.contains("Step 2 of 8") == true)
            body["step"] = 9
            #expect(try await post(port, "/api/frame", json: body).status == 400)
            body["step"] = 0
            #expect(try await post(port, "/api/frame", json: body).status == 400)
        }
    }

    @Test func downloadsOfWhatIsOnScreen() async throws {
        try await withServer { port in
            let query = "src=\(percentEncoded("1/(1+exp(-(w0*x0+w1*x1+w2)))"))&v=\(percentEncoded("w0:2,x0:-1,w1:-3,x1:-2,w2:-3"))&precision=2"
            let svg = try await get(port, "/api/export?format=svg&" + query)
            #expect(svg.status == 200 && svg.headers["content-type"] == "image/svg+xml")
            #expect(svg.headers["content-disposition"] == "attachment; filename=\"gradtrace.svg\"")
            #expect(svg.text.contains("0.20"))
            let png = try await get(port, "/api/export?format=png&" + query)
            #expect(png.status == 200 && png.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let pdf = try await get(port, "/api/export?format=pdf&" + query)
            #expect(pdf.status == 200 && pdf.body.starts(with: Array("%PDF".utf8)))
            let md = try await get(port, "/api/export?format=md&" + query)
            #expect(md.status == 200 && md.headers["content-type"] == "text/markdown; charset=utf-8")
            #expect(md.text.contains("Backward pass") && md.text.contains("-0.20"))
            let handout = try await get(port, "/api/export?format=html&" + query)
            #expect(handout.status == 200 && handout.text.contains("<svg") && handout.text.contains("-2.00 × 0.197"))
            #expect(handout.headers["content-security-policy"]?.contains("default-src 'none'") == true)
            #expect(!handout.text.contains("<script"))
            #expect(try await get(port, "/api/export?format=exe&" + query).status == 400)
            #expect(try await get(port, "/api/export?format=svg").status == 400)
            #expect(try await get(port, "/api/export?format=svg&src=x&v=oops").status == 400)
            let error = try await get(port, "/api/export?format=svg&src=" + percentEncoded("sigmod(x)"))
            #expect(error.status == 422 && error.error["help"] as? String == "did you mean 'sigmoid'?")
        }
    }

    @Test func slowWorkIsCutOffAndBusyServersSaySo() async throws {
        // About 0.3 s of Graphviz layout: a value feeding 32 gates.
        let slow = try JSONSerialization.data(withJSONObject: ["source": Array(repeating: "x", count: 32).joined(separator: " + "), "values": ["x": 1]])
        var limits = ServerLimits()
        limits.wallSeconds = 0.002
        try await withServer(limits) { port in
            let r = try await post(port, "/api/explain", body: slow)
            #expect(r.status == 503)
            #expect(r.error["kind"] as? String == "timeout")
        }
        limits = ServerLimits()
        limits.concurrentComputations = 1
        limits.waitingComputations = 0
        limits.cachedResponses = 0
        let otherSlow = try JSONSerialization.data(withJSONObject: ["source": Array(repeating: "x", count: 32).joined(separator: " + "), "values": ["x": 2]])
        try await withServer(limits) { port in
            // Two different ones at once: one computes, the other is told the server is busy.
            async let a = post(port, "/api/explain", body: slow)
            async let b = post(port, "/api/explain", body: otherSlow)
            let statuses = [try await a.status, try await b.status].sorted()
            #expect(statuses == [200, 503])
            // Eight of the same at once (a class opening one permalink): computed once, all answered.
            let same = try await withThrowingTaskGroup(of: Response.self) { group in
                for _ in 0..<8 { group.addTask { try await post(port, "/api/explain", body: slow) } }
                var all: [Response] = []
                for try await r in group { all.append(r) }
                return all
            }
            #expect(same.map(\.status) == Array(repeating: 200, count: 8), "one computation answers every identical request under way")
            #expect(Set(same.map(\.body)).count == 1)
        }
    }

    @Test func workersKeepToTheirTimeAndSlots() async throws {
        var limits = ServerLimits()
        limits.wallSeconds = 0.05
        limits.concurrentComputations = 1
        limits.waitingComputations = 1
        let workers = Workers(limits: limits)
        guard case .timedOut = await workers.run({ Thread.sleep(forTimeInterval: 0.5); return 1 }) else {
            Issue.record("a computation past its time was not cut off")
            return
        }
        // The answer came before the work ended (its slot is still held), so it was cut off at its
        // deadline rather than awaited; no wall-clock bound, which a loaded machine would break.
        #expect(await workers.running == 1, "the slot is held until the work really ends")
        try await Task.sleep(for: .milliseconds(600))
        #expect(await workers.running == 0)
        guard case .done(let v) = await workers.run({ 2 }) else { Issue.record("not done"); return }
        #expect(v == 2)
    }

    @Test func thousandsOfConnectionsFromOneAddressAreCappedAndTheServerGoesOn() async throws {
        try await withServer { port in
            ClassroomServer.raiseOpenFileLimit()
            let cap = ConnectionLimits().perAddress
            // 2,000 connections from 127.0.0.2 (connecting blocks: a Dispatch thread, off the pool the server needs).
            let fds: [Int32] = try await blocking {
                var fds: [Int32] = []
                for _ in 0..<2_000 { fds.append(try connectSocket(port, timeout: 5, from: "127.0.0.2")) }
                // Some of them start a request and never finish it (held until its body's time-out).
                for fd in fds.prefix(cap / 2) { _ = sendAll(fd, Array("POST /api/explain HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 100\r\n\r\n{".utf8)) }
                return fds
            }
            defer { fds.forEach { close($0) } }
            // Those past the cap are answered 503 and closed; the first `cap` are held.
            let answered = try await blocking { try readableSockets(fds, expecting: fds.count - cap, seconds: 60) }
            #expect(answered.count == fds.count - cap)
            let statuses = try await blocking { answered.map { fd -> Int in (try? readResponse(fd))?.status ?? -1 } }
            #expect(statuses.allSatisfy { $0 == 503 }, "\(Set(statuses))")
            // Everyone else is served.
            let r = try await post(port, "/api/explain", json: neuron)
            #expect(r.status == 200)
            #expect(try await get(port, "/api/health").status == 200)
        }
    }
}
