import Foundation
import GradTrace

/// The network page: choose data, layers and training options, then play, pause, step or
/// reset a run the server trains (`TrainingSession`) and streams over a WebSocket
/// (`NetworkSessions`). Its HTTP routes: the page, its script and stylesheet, and
/// `POST /api/network/model` (check the options; the source text and the network's shape).
struct NetworkPage: Page {
    let title = "Network"
    let path = "/network"

    func routes(_ context: ServerContext) -> [Route] {
        let limits = context.limits.network
        let page = PageShell.html(title: "Train a network", current: path, navigation: context.navigation,
                                  body: NetworkAssets.body, script: "/assets/network.js")
        return [
            Route("GET", path) { _ in Reply(status: 200, contentType: "text/html; charset=utf-8", body: page) },
            Route("GET", "/assets/network.js") { _ in
                Reply(status: 200, contentType: "text/javascript; charset=utf-8", body: Data(NetworkAssets.script.utf8), headers: [("Cache-Control", "no-cache")])
            },
            Route("GET", "/assets/network.css") { _ in
                Reply(status: 200, contentType: "text/css; charset=utf-8", body: Data(NetworkAssets.css.utf8), headers: [("Cache-Control", "no-cache")])
            },
            // Room for a CSV of `csvBytes` as a JSON string, as on the socket.
            Route("POST", "/api/network/model", bodyBytes: limits.messageBytes,
                  bodyHelp: "a CSV may have at most \(limits.csvBytes / 1024) KiB (and \(limits.points) rows)") { request in
                switch NetworkOptions.decode(json: request.body, limits: limits) {
                case .failure(let e): return e.reply
                case .success(let o):
                    return await context.computed(key: "network-model\u{1}" + String(decoding: request.body, as: UTF8.self)) {
                        do {
                            let setup = try NetworkSetup(o, limits: limits)
                            return .json(200, try JSONEncoder.sorted.encode(setup.description))
                        } catch let e as ReplyError {
                            return e.reply
                        } catch {
                            return .error(500, kind: "render", "the model could not be written as JSON")
                        }
                    }
                }
            },
        ]
    }
}
