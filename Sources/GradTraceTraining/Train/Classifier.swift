import GradTraceCore
/// How a model's output is read as a class, to score accuracy: a node (`score`: class 1 when
/// it is above 0; `p > 0.5`: above 0.5) against the data's label column `y` (class 1 when
/// y > 0, so labels 0/1 and −1/+1 both work), or a vector (`z`: the class is the index of its
/// largest element, from 0, against y = 0 … k−1).
package struct Classifier: Sendable, Equatable {
    /// The node or vector read.
    package var output: String
    /// The threshold of a single output.
    package var threshold: Double
    /// The label column.
    package var target: String

    /// A classifier of `output` against `target`.
    package init(output: String, threshold: Double = 0, target: String = "y") {
        self.output = output
        self.threshold = threshold
        self.target = target
    }

    /// Parses `score`, `p > 0.5`, or `z` (a vector), optionally `... vs label`.
    package static func parse(_ text: String) throws(Diagnostic) -> Classifier {
        var body = Substring(text)
        var target = "y"
        if let r = body.range(of: " vs ") {
            target = body[r.upperBound...].trimmed(" ")
            body = body[..<r.lowerBound]
        }
        let parts = body.split(separator: ">", maxSplits: 1).map { $0.trimmed(" ") }
        guard let name = parts.first, !name.isEmpty else {
            throw Diagnostic("expected a node to classify by, e.g. score, 'p > 0.5' or 'z vs y'", file: "--classify")
        }
        var threshold = 0.0
        if parts.count == 2 {
            guard let t = Double(parts[1]), t.isFinite else {
                throw Diagnostic("'\(parts[1])' is not a number", file: "--classify", help: "write e.g. 'p > 0.5'")
            }
            threshold = t
        }
        return Classifier(output: name, threshold: threshold, target: target)
    }

    /// The nodes and label column it reads in `model` and `data`.
    package struct Resolved: Sendable {
        package var nodes: [Int]
        package var threshold: Double
        package var targetColumn: Int

        /// The class given node values `values`: 1 above the threshold (else 0), or the index of
        /// the largest element of a vector.
        package func predict(_ values: [Double]) -> Int {
            if nodes.count == 1 { return values[nodes[0]] > threshold ? 1 : 0 }
            var best = 0
            for k in 1..<nodes.count where values[nodes[k]] > values[nodes[best]] { best = k }
            return best
        }

        /// Whether `predict` agrees with the label `target` (class 1 when y > 0 for a single output).
        package func correct(_ values: [Double], target: Double) -> Bool {
            nodes.count == 1 ? (predict(values) == 1) == (target > 0) : Double(predict(values)) == target
        }
    }

    package func resolve(_ model: Model, data: Dataset?) throws(Diagnostic) -> Resolved? {
        guard let data else { return nil }
        let graph = model.graph
        let file = graph.source?.name ?? "<input>"
        guard let column = data.columns.firstIndex(of: target) else {
            throw Diagnostic("the data (\(data.name)) has no label column '\(target)'", file: file, help: "its columns: \(data.columns.joined(separator: ", "))")
        }
        if let t = graph.tensors.first(where: { $0.name == output }) {
            guard !t.elements.contains(-1), t.shape.count == 1 else {
                throw Diagnostic("'\(output)' must be a vector of computed values to classify by", file: file)
            }
            return Resolved(nodes: t.elements, threshold: threshold, targetColumn: column)
        }
        guard let id = graph.nodes.firstIndex(where: { $0.name == output }) else {
            let names = graph.nodes.compactMap(\.name) + graph.tensors.map(\.name)
            throw Diagnostic("there is no node or vector '\(output)' to classify by", file: file,
                             help: closestMatch(to: output, in: names).map { "did you mean '\($0)'?" } ?? "name the model's score: score = ...")
        }
        return Resolved(nodes: [id], threshold: threshold, targetColumn: column)
    }
}
