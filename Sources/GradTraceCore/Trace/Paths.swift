/// The sum over paths: ∂f/∂x is the sum, over every path of wires from x to the output, of the
/// product of the local gradients along it. A fork adds (its paths are counted once per
/// branch); a chain multiplies. Paths are counted first, by dynamic programming in one loop up
/// the tape, since their number grows exponentially with depth; they are listed (an explicit
/// stack, nothing recursive) only when there are at most `limit` of them.
package struct Paths: Sendable {
    /// One wire: input `slot` of gate `consumer`.
    package struct Wire: Sendable, Equatable, Hashable {
        /// The gate the wire enters.
        package var consumer: Int
        /// Which of its inputs.
        package var slot: Int

        package init(consumer: Int, slot: Int) {
            self.consumer = consumer
            self.slot = slot
        }
    }

    /// One path from x to the output: its wires in order from x, and the product of their local gradients.
    package struct Path: Sendable {
        /// The wires from x to the output.
        package var wires: [Wire]
        /// The local gradient of each wire, in the same order.
        package var locals: [Double]
        /// Their product (with `Backward.product`'s rule for zero).
        package var product: Double
        /// The nodes along the path: x, then each wire's consumer.
        package func nodes(from start: Int) -> [Int] { [start] + wires.map(\.consumer) }
    }

    /// The default most paths listed.
    package static let defaultLimit = 64
    /// The most paths drawn one diagram each (`--frames`, lesson frames, the stepper): each is a layout.
    package static let maxFrames = 64

    /// The input the paths start from.
    package let wrt: Int
    /// Paths from x to each node, by node (a `Double`: exact up to 2⁵³, approximate beyond).
    package let countTo: [Double]
    /// Paths from x to the output.
    package var count: Double { trace.graph.output >= 0 ? countTo[trace.graph.output] : 0 }
    /// Every path, when there are at most `limit`; nil otherwise.
    package let paths: [Path]?
    /// The most paths listed.
    package let limit: Int
    package let trace: Trace

    /// Counts the paths from input node `wrt` to the output and lists them when there are at most `limit`.
    package init(_ trace: Trace, wrt: Int, limit: Int = Paths.defaultLimit) {
        let graph = trace.graph
        self.trace = trace
        self.wrt = wrt
        self.limit = limit
        countTo = Paths.count(graph, from: wrt)
        let total = graph.output >= 0 ? countTo[graph.output] : 0
        paths = total <= Double(limit) ? Paths.enumerate(trace, from: wrt, counts: countTo) : nil
    }

    /// Paths from `start` to every node: one loop up the tape, each gate summing its input wires' counts.
    package static func count(_ graph: Graph, from start: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: graph.count)
        guard graph.nodes.indices.contains(start) else { return counts }
        counts[start] = 1
        for i in (start + 1)..<max(start + 1, graph.count) {
            var c = 0.0
            for slot in 0..<graph.arity(i) { c += counts[graph.input(i, slot)] }
            counts[i] = c
        }
        return counts
    }

    /// Every path from `start` to the output, walked down from the output with an explicit stack,
    /// entering only wires whose source has a path from `start`.
    package static func enumerate(_ trace: Trace, from start: Int, counts: [Double]) -> [Path] {
        let graph = trace.graph
        guard graph.output >= 0, counts[graph.output] > 0 else { return [] }
        var result: [Path] = []
        // Each frame: a node and the next input slot to try; `taken` is the wires from the output down.
        var stack: [(node: Int, slot: Int)] = [(graph.output, 0)]
        var taken: [Wire] = []
        while let top = stack.last {
            if top.node == start {
                let wires = Array(taken.reversed())
                let locals = wires.map { trace.local($0.consumer, $0.slot) }
                let product = locals.reduce(1.0) { Backward.product($1, $0) }
                result.append(Path(wires: wires, locals: locals, product: product))
                stack.removeLast()
                if !taken.isEmpty { taken.removeLast() }
                continue
            }
            if top.slot >= graph.arity(top.node) {
                stack.removeLast()
                if !taken.isEmpty { taken.removeLast() }
                continue
            }
            stack[stack.count - 1].slot += 1
            let input = graph.input(top.node, top.slot)
            if counts[input] > 0 {
                taken.append(Wire(consumer: top.node, slot: top.slot))
                stack.append((input, 0))
            }
        }
        // The walk went down from the output taking slots in order; list paths from x's side in that order.
        return result
    }
}
