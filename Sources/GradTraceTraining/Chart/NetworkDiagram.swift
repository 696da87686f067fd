import Foundation
import GradTraceCore
import GradTraceViews

/// A network drawn as layers, left to right: the data inputs, then each vector or number the
/// source names (`z1`, `h1`, `score`, `L`), one unit per element, with an edge from every unit
/// to the units it feeds, drawn by the weight on it (width by size; solid positive, dashed
/// negative, so it reads in greyscale). A layer of more than `maxUnits` units is drawn as one
/// box, and its edges as one edge labelled with the weight matrix. The scalar circuit is the
/// other view (`explain`); this one shows the architecture a 2-16-16-1 MLP has.
package struct NetworkDiagram {
    package struct Layer {
        package var name: String
        package var units: [Int]  // nodes
        package var collapsed: Bool
    }

    package let graph: Graph
    package var layers: [Layer] = []
    /// Edges between units: from node, to node, weight parameter node (-1: none).
    package var edges: [(from: Int, to: Int, weight: Int)] = []
    package let values: [Int: Double]

    /// The most units drawn one by one in a layer.
    package static let maxUnits = 12

    /// The diagram of `graph` with the weights `parameters` (in `model.parameterNodes` order).
    package init(_ graph: Graph, parameters: [Double], of model: Model) {
        var values = [Double](repeating: 0, count: graph.count)
        for (k, id) in model.parameterNodes.enumerated() { values[id] = parameters[k] }
        self.init(graph, parameterNodes: model.parameterNodes, values: values)
    }

    /// The diagram of `graph` whose trained inputs are `parameterNodes`, with node values `values`
    /// (a trace's): the weights on the edges are read there.
    package init(_ graph: Graph, parameterNodes: [Int], values nodeValues: [Double]) {
        self.graph = graph
        var values: [Int: Double] = [:]
        for id in parameterNodes { values[id] = nodeValues[id] }
        self.values = values
        let trained = Set(parameterNodes)
        var unitLayer = [Int: Int]()
        // Inputs that are not parameters: by tensor where they form one, else one layer.
        var inputUnits: [Int] = []
        var grouped = Set<Int>()
        for t in graph.tensors where t.elements.allSatisfy({ $0 >= 0 && graph.nodes[$0].gate.isInput && !trained.contains($0) }) {
            inputUnits += t.elements
            grouped.formUnion(t.elements)
        }
        for id in graph.inputs where !trained.contains(id) && !grouped.contains(id) && graph.boundValues[id] == nil { inputUnits.append(id) }
        if !inputUnits.isEmpty { layers.append(Layer(name: "inputs", units: inputUnits, collapsed: false)) }
        // Named computed tensors and numbers, in the order the source makes them.
        var claimed = Set(inputUnits)
        var named: [(Int, String, [Int])] = []
        for t in graph.tensors {
            let units = t.elements.filter { $0 >= 0 && !graph.nodes[$0].gate.isLeaf }
            if !units.isEmpty, units.count == t.elements.count { named.append((units.min()!, t.name, units)) }
        }
        let inTensor = Set(named.flatMap(\.2))
        for i in 0..<graph.count where !graph.nodes[i].gate.isLeaf && graph.nodes[i].name != nil && !inTensor.contains(i) {
            named.append((i, graph.nodes[i].name!, [i]))
        }
        for (_, name, units) in named.sorted(by: { $0.0 < $1.0 }) where !units.contains(where: claimed.contains) {
            layers.append(Layer(name: name, units: units, collapsed: units.count > NetworkDiagram.maxUnits))
            claimed.formUnion(units)
        }
        for (l, layer) in layers.enumerated() { for u in layer.units { unitLayer[u] = l } }
        // Nearest units upstream of every node, with the weight they are multiplied by: one loop up the tape.
        var sources = [[(unit: Int, weight: Int)]](repeating: [], count: graph.count)
        for i in 0..<graph.count {
            let node = graph.nodes[i]
            if node.gate.isLeaf { continue }
            let inputs = graph.inputs(of: i)
            var set: [(Int, Int)] = []
            let isMul = graph.kind(i).name == "mul" && inputs.count == 2
            for (s, j) in inputs.enumerated() {
                if unitLayer[j] != nil {
                    var weight = -1
                    if isMul, trained.contains(inputs[1 - s]) { weight = inputs[1 - s] }
                    set.append((j, weight))
                } else {
                    set += sources[j]
                }
            }
            // Keep each unit once.
            var seen = Set<Int>()
            sources[i] = set.filter { seen.insert($0.0).inserted }
            if unitLayer[i] != nil {
                for (from, weight) in sources[i] { edges.append((from, i, weight)) }
            }
        }
    }

    /// Whether there is more than one layer to draw.
    package var isDrawable: Bool { layers.count >= 2 }

    private func id(_ node: Int) -> String { "n\(node)" }
    private func layerID(_ l: Int) -> String { "L\(l)" }

    /// The diagram as DOT.
    package func dot() -> String {
        var out = "digraph network {\n  graph [rankdir=LR, bgcolor=\"white\", nodesep=0.12, ranksep=1.1, fontname=\"DejaVu Sans\", pad=0.2, newrank=true]\n"
        out += "  node [fontname=\"DejaVu Sans\", fontsize=10, shape=circle, width=0.5, fixedsize=true, style=filled, fillcolor=\"#f6f8fa\", color=\"#57606a\"]\n"
        out += "  edge [arrowhead=none, color=\"#0969da\", fontname=\"DejaVu Sans\", fontsize=9]\n"
        var unitLayer: [Int: Int] = [:]
        for (l, layer) in layers.enumerated() {
            for u in layer.units { unitLayer[u] = l }
            // One column per layer: its name on top, then its units in order (flat invisible edges keep the order).
            var column = ["H\(l)"]
            out += "  H\(l) [shape=plaintext, style=\"\", label=<<b>\(DotRenderer.html(layer.name))</b>>, fontsize=11, width=0.6, fixedsize=false]\n"
            if layer.collapsed {
                let kinds = Set(layer.units.map { graph.kind($0).symbol(0) })
                out += "  \(layerID(l)) [shape=box, width=1.2, height=0.8, label=<\(DotRenderer.html(layer.name))<br/><font point-size=\"9\">\(layer.units.count) units\(kinds.count == 1 ? ", " + DotRenderer.html(kinds.first!) : "")</font>>]\n"
                column.append(layerID(l))
            } else {
                for u in layer.units {
                    let name = graph.nodes[u].name ?? "?"
                    let gate = graph.nodes[u].gate.isInput ? "" : graph.kind(u).symbol(graph.nodes[u].gate.parameter)
                    out += "  \(id(u)) [label=<\(DotRenderer.html(name))\(gate.isEmpty ? "" : "<br/><font point-size=\"8\">\(DotRenderer.html(gate))</font>")>, width=0.7]\n"
                    column.append(id(u))
                }
            }
            out += "  { rank=same; \(column.joined(separator: "; ")) }\n"
            for k in 1..<column.count { out += "  \(column[k - 1]) -> \(column[k]) [style=invis]\n" }
            if l > 0 { out += "  H\(l - 1) -> H\(l) [style=invis]\n" }
        }
        // Edges: to or from a collapsed layer, one edge per pair of drawn nodes, the first labelled with the weights' tensor.
        var pairs: [String: (from: String, to: String, key: String)] = [:]
        var pairOrder: [String] = []
        var layerEdges: [String: Set<String>] = [:]
        var drawn: [(String, String, Int)] = []
        for e in edges {
            guard let lf = unitLayer[e.from], let lt = unitLayer[e.to] else { continue }
            if layers[lf].collapsed || layers[lt].collapsed {
                let key = "\(lf)>\(lt)"
                if e.weight >= 0, let p = graph.parameters.first(where: { $0.elements.contains(e.weight) }) {
                    layerEdges[key, default: []].insert("\(p.name) \(NamedTensor.describe(p.shape))")
                }
                let from = layers[lf].collapsed ? layerID(lf) : id(e.from), to = layers[lt].collapsed ? layerID(lt) : id(e.to)
                let pair = from + ">" + to
                if pairs[pair] == nil { pairs[pair] = (from, to, key); pairOrder.append(pair) }
            } else {
                drawn.append((id(e.from), id(e.to), e.weight))
            }
        }
        let largest = drawn.compactMap { $0.2 >= 0 ? values[$0.2].map(abs) : nil }.max() ?? 1
        let labelWeights = drawn.count <= 40
        for (from, to, weight) in drawn {
            if weight >= 0, let w = values[weight] {
                let width = 0.4 + 2.6 * abs(w) / max(largest, 1e-12)
                let label = labelWeights ? ", label=<\(DotRenderer.html(graph.nodes[weight].name ?? "")) = \(DotRenderer.html(NumberFormat(.significant(3), trimsZeros: true)(w)))>, fontsize=8" : ""
                out += "  \(from) -> \(to) [penwidth=\(String(format: "%.2f", width)), color=\"\(w >= 0 ? "#0969da" : "#cf222e")\"\(w < 0 ? ", style=dashed" : "")\(label)]\n"
            } else {
                out += "  \(from) -> \(to) [color=\"#8c959f\"]\n"
            }
        }
        var labelled = Set<String>()
        for pair in pairOrder {
            let (from, to, key) = pairs[pair]!
            let label = (layerEdges[key] ?? []).sorted().joined(separator: ", ")
            let first = labelled.insert(key).inserted
            out += "  \(from) -> \(to) [color=\"#57606a\", penwidth=1.2\(label.isEmpty || !first ? "" : ", label=<\(DotRenderer.html(label))>")]\n"
        }
        return out + "}\n"
    }
}
