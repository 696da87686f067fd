// Benchmark: parse, forward, backward and JSON output on the generated "wide" and "chain"
// workloads, each size in a fresh child process so its peak memory is its own.
//
//   swift build -c release && .build/release/gradtrace-bench              # all six workloads
//   .build/release/gradtrace-bench wide 1000000                            # one, by gate count
//   .build/release/gradtrace-bench --write wide 1000000 wide.gt            # the workload as a file
//   .build/release/gradtrace-bench moons                                   # micrograd's demo (run from the package folder)
//   .build/release/gradtrace-bench moons --with-micrograd                  # and micrograd itself, side by side (pip install micrograd scikit-learn)
import Foundation
import GradTrace

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func peakMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Writes to /dev/null through the same buffered stream the CLI uses.
func nullStream() -> FileStream { FileStream(fd: open("/dev/null", O_WRONLY)) }

func runOne(_ workload: Workload, _ n: Int) throws {
    let text = workload.source(gates: n)
    let source = SourceText(text, name: "\(workload.rawValue)-\(n)")
    // Parsing alone, in a scope of its own so its graph is released before the full run.
    var parseTime = 0.0
    do {
        let t0 = now()
        let parsed = try Parser.parse(source)
        parseTime = now() - t0
        precondition(parsed.count > 0)
    }
    // Through the one entry point, as the CLI does: parse and trace.
    let t1 = now()
    let explanation = try Explanation(source: source)
    let t2 = now()
    let graph = explanation.graph, trace = explanation.trace
    // Forward and backward alone, on the built tape (what training repeats).
    var evaluator = Evaluator(graph: graph, inputs: try Tracer().inputValues(for: graph))
    var forwardTimes: [Double] = [], backwardTimes: [Double] = []
    for _ in 0..<5 {
        let a = now()
        evaluator.forwardOnly()
        let b = now()
        evaluator.backwardOnly()
        let c = now()
        forwardTimes.append(b - a)
        backwardTimes.append(c - b)
    }
    let t3 = now()
    let stream = nullStream()
    var s = stream
    JSONRenderer.render(trace, to: &s)
    stream.flush()
    let t4 = now()
    let gates = graph.gateCount
    let forward = forwardTimes.sorted()[2], backward = backwardTimes.sorted()[2]
    func ms(_ x: Double) -> String { String(format: "%8.1f ms", x * 1000) }
    func ns(_ x: Double) -> String { String(format: "%6.1f", x * 1e9 / Double(gates)) }
    print(String(format: "%-6@ %8d gates (%d nodes)", workload.rawValue, gates, graph.count),
          "parse", ms(parseTime), "| forward", ms(forward), "| backward", ms(backward),
          "| fwd+bwd ns/gate", ns(forward + backward), "| full trace", ms(max(0, t2 - t1 - parseTime)), "| JSON", ms(t4 - t3),
          String(format: "| peak %.0f MiB", peakMiB()))
    precondition(trace.output.isFinite)
}

/// micrograd's demo: MLP(2, [16, 16, 1]) on 100 moons points, hinge loss + 1e-4·Σp², full batch,
/// η = 1 − 0.9·k/100, 100 steps (examples/moons.gt on examples/moons.csv, sklearn's make_moons(100, noise=0.1, random_state=1)).
func moons(withMicrograd: Bool) throws {
    let source = try SourceReader.read(path: "examples/moons.gt")
    let data = try Dataset.load("examples/moons.csv")
    let graph = try Explanation.graph(source: source)
    let model = try Model(graph: graph, data: data)
    var trainer = Trainer(parameters: nil, schedule: try Schedule.parse("1 - 0.9*k/100"), steps: 100)
    trainer.penalty = .l2(1e-4)
    trainer.classifier = try Classifier.parse("score")
    var times: [Double] = []
    var run: Trainer.Run?
    for _ in 0..<7 {
        let a = now()
        run = try trainer.train(model, data: data)
        times.append(now() - a)
    }
    let median = times.sorted()[3]
    let gates = graph.gateCount
    let perGate = median * 1e9 / Double(100 * data.count * gates)
    print(String(format: "moons  MLP(2,[16,16,1]) %d parameters, %d gates a example, 100 rows, 100 full-batch steps: %.1f ms (median of 7), %.2f ns per gate per example (forward + backward), final loss %.6f, training accuracy %.0f%%, peak %.0f MiB",
                 run!.parameters.count, gates, median * 1000, perGate, run!.finalLoss, 100 * (run!.finalAccuracy ?? 0), peakMiB()))
    guard withMicrograd else { return }
    let python = Process()
    python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    python.arguments = ["python3", "bench/micrograd_moons.py"]
    let pipe = Pipe()
    python.standardOutput = pipe
    try python.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    python.waitUntilExit()
    guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
          let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let seconds = json["seconds"] as? Double else {
        print("micrograd: no result (is it installed? pip install micrograd scikit-learn)")
        return
    }
    let accuracy = (json["final_accuracy"] as? Double) ?? 0
    print(String(format: "micrograd, same workload: %.1f s, final accuracy %.0f%%; GradTrace is %.0f× faster", seconds, 100 * accuracy, seconds / median))
}

let args = CommandLine.arguments
if args.count == 5, args[1] == "--write", let workload = Workload(rawValue: args[2]), let n = Int(args[3]) {
    try AtomicFile.write(workload.source(gates: n), to: args[4])
} else if args.count >= 2, args[1] == "moons" {
    try moons(withMicrograd: args.contains("--with-micrograd"))
} else if args.count == 3, let workload = Workload(rawValue: args[1]), let n = Int(args[2]) {
    try runOne(workload, n)
} else if args.count == 1 {
    print("forward and backward: median of 5 runs over the built tape; full trace: the Tracer's pass with every record (Explanation's time less parsing);")
    print("JSON: streaming the whole trace to /dev/null; peak: the child process's maximum resident memory.")
    for workload in Workload.allCases {
        for n in [10_000, 100_000, 1_000_000] {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: args[0]).standardizedFileURL
            if !FileManager.default.isExecutableFile(atPath: child.executableURL!.path) {
                child.executableURL = Bundle.main.executableURL
            }
            child.arguments = [workload.rawValue, String(n)]  // n gates
            try child.run()
            child.waitUntilExit()
            if child.terminationStatus != 0 { print("\(workload) \(n): failed with status \(child.terminationStatus)") }
        }
    }
    // Training re-evaluates the tape: 10,000 steps of the 2-2-2 network.
    let mazur = try Parser.parse("""
    i1 = 0.05; i2 = 0.10; t1 = 0.01; t2 = 0.99
    w1 = 0.15; w2 = 0.20; w3 = 0.25; w4 = 0.30; w5 = 0.40; w6 = 0.45; w7 = 0.50; w8 = 0.55; b1 = 0.35; b2 = 0.60
    h1 = sigmoid(w1*i1 + w2*i2 + b1); h2 = sigmoid(w3*i1 + w4*i2 + b1)
    o1 = sigmoid(w5*h1 + w6*h2 + b2); o2 = sigmoid(w7*h1 + w8*h2 + b2)
    E = 0.5*(t1 - o1)^2 + 0.5*(t2 - o2)^2
    """)
    var times: [Double] = []
    var loss = 0.0
    for _ in 0..<5 {
        let a = now()
        let run = try Trainer(parameters: ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"], learningRate: 0.5, steps: 10_000).train(mazur)
        times.append(now() - a)
        loss = run.finalLoss
    }
    print(String(format: "train  2-2-2 network, 10000 steps: %.1f ms (median of 5), final loss %.10g", times.sorted()[2] * 1000, loss))
    if FileManager.default.fileExists(atPath: "examples/moons.gt") { try moons(withMicrograd: false) }
    // Diagrams, rendered in-process.
    for (name, n) in [("neuron", 0), ("sum of products", 100)] {
        let text = n == 0 ? "sigmoid(w0*x0 + w1*x1 + w2)" : (1...n).map { "a\($0)*b\($0)" }.joined(separator: " + ")
        let graph = try Parser.parse(text)
        var bindings: [String: Double] = [:]
        for name in graph.inputNames { bindings[name] = 0.5 }
        let trace = try Tracer(bindings: bindings).trace(graph)
        var best = Double.infinity
        var split = (0.0, 0.0, 0.0)
        for _ in 0..<5 {
            let a = now()
            let dot = DotRenderer.render(trace)
            let b = now()
            _ = try Graphviz.render(dot: dot, format: .svg)
            let c = now()
            _ = try Graphviz.render(dot: dot, format: .png)
            if now() - a < best { split = (b - a, c - b, now() - c) }
            best = min(best, now() - a)
        }
        print(String(format: "diagram %@ (%d gates): DOT + layout + SVG + PNG in %.1f ms (best of 5): DOT %.1f, layout + SVG %.1f, layout + PNG %.1f", name, graph.gateCount, best * 1000, split.0 * 1000, split.1 * 1000, split.2 * 1000))
    }
} else {
    print("usage: gradtrace-bench [wide|chain N]")
    exit(2)
}
