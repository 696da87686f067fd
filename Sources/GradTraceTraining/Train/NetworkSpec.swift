/// A small classifier network chosen from a few options (hidden layers, activation, loss),
/// written out as `.gt` source text: the live page builds its model from this text, so the
/// model it trains is one a reader can copy into a file and train with `gradtrace train`.
/// The output is one score (class 1 when score > 0); the label y is 0 or 1.
package struct NetworkSpec: Sendable, Equatable {
    /// The hidden layers' activation.
    package enum Activation: String, Sendable, CaseIterable {
        case relu, tanh, sigmoid
    }

    /// The per-example loss on the score s with the label y ∈ {0, 1} (t = 2y − 1 ∈ {−1, +1}).
    package enum Loss: String, Sendable, CaseIterable {
        /// max(0, 1 − t·s), micrograd's demo loss.
        case hinge
        /// log(1 + e^(−t·s)): binary cross-entropy of σ(s), written as softplus.
        case logistic
        /// (s − t)².
        case squared

        /// The loss line of the source.
        package var line: String {
            switch self {
            case .hinge: return "L = relu(1 - (2*y - 1) * score)"
            case .logistic: return "L = softplus(-(2*y - 1) * score)"
            case .squared: return "L = (score - (2*y - 1))^2"
            }
        }
    }

    /// Units per hidden layer, input side first (may be empty: a linear classifier).
    package var hidden: [Int]
    package var activation: Activation
    package var loss: Loss
    /// Inputs per example (the data's x1 … xn columns).
    package var inputs: Int

    package init(hidden: [Int], activation: Activation = .relu, loss: Loss = .hinge, inputs: Int = 2) {
        self.hidden = hidden
        self.activation = activation
        self.loss = loss
        self.inputs = inputs
    }

    /// Units per layer from the input to the score: `[2, 16, 16, 1]`.
    package var layerSizes: [Int] { [inputs] + hidden + [1] }

    /// The names of each layer's weight matrix (or vector, for the score) and bias.
    package var layerNames: [(weights: String, bias: String)] {
        (0...hidden.count).map { k in k == hidden.count ? ("w\(k + 1)", "b\(k + 1)") : ("W\(k + 1)", "b\(k + 1)") }
    }

    /// The source text: `input x[n]`, a `param` per weight matrix and bias (weights
    /// uniform(−1, 1), as micrograd; biases 0), one line per layer, the score and the loss.
    package var source: String {
        var lines = ["# MLP(\(inputs), \(hidden + [1])): \(activation.rawValue) hidden layers, a linear score, the \(loss.rawValue) loss",
                     "# of one example with label y (0 or 1; 2y - 1 makes it -1 or +1).",
                     "input x[\(inputs)]"]
        var previous = inputs
        for (k, units) in hidden.enumerated() {
            lines.append("param W\(k + 1)[\(units),\(previous)] = uniform(-1, 1)")
            lines.append("param b\(k + 1)[\(units)] = 0")
            previous = units
        }
        let last = hidden.count + 1
        lines.append("param w\(last)[\(previous)] = uniform(-1, 1)")
        lines.append("param b\(last) = 0")
        var input = "x"
        for k in hidden.indices {
            lines.append("h\(k + 1) = \(activation.rawValue)(W\(k + 1) @ \(input) + b\(k + 1))")
            input = "h\(k + 1)"
        }
        lines.append("score = w\(last) @ \(input) + b\(last)")
        lines.append(loss.line)
        return lines.joined(separator: "\n") + "\n"
    }
}
