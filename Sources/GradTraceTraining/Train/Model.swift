import GradTraceCore
/// A loss graph with its inputs sorted out for training: which are the parameters, which are
/// bound from the data set's columns (example by example), and which are fixed values.
package struct Model: Sendable {
    /// The loss graph: its output is the loss of one example.
    package let graph: Graph
    /// The trained inputs' names, in the order every parameter list follows.
    package let parameterNames: [String]
    /// Their input nodes.
    package let parameterNodes: [Int]
    /// Inputs bound from the data: node and column.
    package let dataInputs: [(node: Int, column: Int)]
    /// Every input's value before training (parameters' first values, fixed inputs); data
    /// inputs hold the first example's values.
    package let inputs: [Double]

    /// Sorts out `graph`'s inputs. `parameters` names the trained inputs (a declared tensor's
    /// name stands for all its elements); nil means every `param` of the source. `bindings`
    /// (the command line's values, a weights file) override everything else; then the data's
    /// columns; then values bound in the text and the parameters' initialisers.
    package init(graph: Graph, parameters: [String]? = nil, bindings: [String: Double] = [:], data: Dataset? = nil) throws(Diagnostic) {
        self.graph = graph
        let file = graph.source?.name ?? "<input>"
        var names: [String] = [], ids: [Int] = []
        if let parameters {
            for name in parameters {
                if let declared = graph.parameters.first(where: { $0.name == name }) ?? graph.tensors.first(where: { $0.name == name }).map({
                    ParameterDeclaration(name: $0.name, shape: $0.shape, initializer: .constant(0), elements: $0.elements) }) {
                    for id in declared.elements {
                        guard id >= 0, graph.nodes[id].gate.isInput else {
                            throw Diagnostic("'\(name)' is computed by the loss, so it cannot be trained", file: file)
                        }
                        names.append(graph.nodes[id].name ?? "?")
                        ids.append(id)
                    }
                    continue
                }
                guard let id = graph.input(named: name) else {
                    let all = graph.inputNames
                    let help = closestMatch(to: name, in: all + graph.tensors.map(\.name)).map { "did you mean '\($0)'?" }
                        ?? "the inputs are \(all.prefix(20).joined(separator: ", "))\(all.count > 20 ? ", …" : "")"
                    throw Diagnostic("'\(name)' is not an input of the loss, so it cannot be trained", file: file, help: help)
                }
                names.append(name)
                ids.append(id)
            }
        } else {
            for p in graph.parameterNodes { names.append(p.name); ids.append(p.node) }
        }
        if ids.isEmpty {
            throw Diagnostic("no parameters to train", file: file, help: "declare them in the file (param W[4,2] = he) or name them with --params w1,w2")
        }
        var seen = Set<Int>()
        for (k, id) in ids.enumerated() where !seen.insert(id).inserted {
            throw Diagnostic("parameter '\(names[k])' is listed twice", file: file)
        }
        parameterNames = names
        parameterNodes = ids
        let trained = Set(ids)
        var bound: [(Int, Int)] = []
        var values = [Double](repeating: 0, count: graph.count)
        let known = Set(graph.inputNames)
        for name in bindings.keys.sorted() where !known.contains(name) {
            let help = closestMatch(to: name, in: graph.inputNames).map { "did you mean '\($0)'?" }
            throw Diagnostic("unknown variable '\(name)' in the bindings", file: file, help: help)
        }
        var missing: [String] = []
        for id in graph.inputs {
            let name = graph.nodes[id].name ?? "?"
            if let v = bindings[name] {
                values[id] = v
            } else if !trained.contains(id), let dataset = data, let column = dataset.column(for: name) {
                bound.append((id, column))
                values[id] = dataset[0, column]
            } else if let v = graph.boundValues[id] {
                values[id] = v
            } else {
                missing.append(name)
            }
        }
        if let first = missing.first {
            if let dataset = data {
                throw Diagnostic("no value for '\(first)'\(missing.count > 1 ? " (and \(missing.count - 1) more)" : ""): the data (\(dataset.name)) has no column '\(first)'\(first.contains("[") ? " or '\(first.replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]", with: ""))'" : "")",
                                 file: file, help: "its columns are \(dataset.columns.joined(separator: ", ")); or bind it: \(first)=<number>")
            }
            throw Diagnostic("no value for variable '\(first)'\(missing.count > 1 ? " (and \(missing.count - 1) more)" : "")", file: file,
                             help: "pass \(first)=<number>, bind it in the text, or give data with a column of that name")
        }
        dataInputs = bound
        inputs = values
    }

    /// The parameters' current values in `inputs`.
    package var initialParameters: [Double] { parameterNodes.map { inputs[$0] } }

    /// Name → value of every input for example `row` of `data` with parameters `w`: the
    /// bindings that explain that example's forward and backward pass at those parameters.
    package func bindings(row: Int, of data: Dataset?, parameters w: [Double]) -> [String: Double] {
        var out: [String: Double] = [:]
        for id in graph.inputs { out[graph.nodes[id].name ?? "?"] = inputs[id] }
        if let data { for (node, column) in dataInputs { out[graph.nodes[node].name ?? "?"] = data[row, column] } }
        for (k, id) in parameterNodes.enumerated() { out[graph.nodes[id].name ?? "?"] = w[k] }
        return out
    }
}
