/// Vectors and matrices in the language, lowered onto the same scalar tape: a tensor exists
/// only while the source is read, as a shape and one scalar operand per element; every view
/// then sees ordinary gates with readable names (`W1[2,1]`, `z[3]`).
///
/// Elements are numbered from 1, rows before columns, as in the lecture notes' W₂₁.
package struct NamedTensor: Sendable, Equatable {
    /// Its name in the source: `W1`, `z`, `x`.
    package var name: String
    /// Its shape: [n] for a vector, [rows, columns] for a matrix.
    package var shape: [Int]
    /// The node of each element, row by row; -1 where the element is a constant.
    package var elements: [Int]

    /// The name of element `k` (row-major, from 0): `z[3]`, `W1[2,1]`.
    package func elementName(_ k: Int) -> String { NamedTensor.elementName(name, shape: shape, k) }

    /// The name of element `k` (from 0, row-major) of a tensor called `name` with `shape`.
    package static func elementName(_ name: String, shape: [Int], _ k: Int) -> String {
        if shape.isEmpty { return name }
        var index: [Int] = []
        var rest = k
        for d in shape.reversed() {
            index.append(rest % d + 1)
            rest /= d
        }
        return "\(name)[\(index.reversed().map(String.init).joined(separator: ","))]"
    }

    /// How a shape is written: `4×3`, `16`.
    package static func describe(_ shape: [Int]) -> String {
        shape.isEmpty ? "a number" : shape.map(String.init).joined(separator: "×")
    }
}

/// A parameter declared with `param`: trained by `train`, given its first values by its
/// initialiser (seeded, so every run with the same seed starts from the same weights).
package struct ParameterDeclaration: Sendable, Equatable {
    /// Its name: `W1`, `b`.
    package var name: String
    /// Its shape; empty for a single number.
    package var shape: [Int]
    /// How its first values are drawn.
    package var initializer: Initializer
    /// The input node of each element, row-major.
    package var elements: [Int]

    /// How many values it holds.
    package var count: Int { elements.count }
    /// Inputs per unit: the columns of a matrix, the length of a vector, 1 for a number.
    package var fanIn: Int { shape.last ?? 1 }
    /// Outputs per unit: the rows of a matrix, 1 otherwise.
    package var fanOut: Int { shape.count == 2 ? shape[0] : 1 }

    package init(name: String, shape: [Int], initializer: Initializer, elements: [Int]) {
        self.name = name
        self.shape = shape
        self.initializer = initializer
        self.elements = elements
    }
}

/// How a parameter's first values are chosen: written after `param W[4,3] =`.
package enum Initializer: Sendable, Equatable {
    /// Every element the same number: `= 0`.
    case constant(Double)
    /// The values written out, row by row: `= [[1, 2], [3, 4]]`.
    case values([Double])
    /// Uniform in [lo, hi): `= uniform(-1, 1)` (micrograd's neurons).
    case uniform(Double, Double)
    /// Normal with this mean and standard deviation: `= normal(0.001)` is CS231n's `0.001 * randn`.
    case normal(mean: Double, std: Double)
    /// Glorot/Xavier: uniform in ±√(6 / (fan-in + fan-out)).
    case xavier
    /// He/Kaiming: normal with standard deviation √(2 / fan-in), for ReLU layers.
    case he

    /// How the source writes it.
    package var description: String {
        switch self {
        case .constant(let c): return formatShortest(c)
        case .values: return "values given"
        case .uniform(let a, let b): return "uniform(\(formatShortest(a)), \(formatShortest(b)))"
        case .normal(let m, let s): return m == 0 ? "normal(\(formatShortest(s)))" : "normal(\(formatShortest(m)), \(formatShortest(s)))"
        case .xavier: return "xavier"
        case .he: return "he"
        }
    }

    /// The first values of `parameter` for `seed`; each parameter draws from its own stream,
    /// named after it, so adding a parameter leaves the others' values unchanged.
    package func values(for parameter: ParameterDeclaration, seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed, stream: parameter.name)
        let n = parameter.count
        switch self {
        case .constant(let c): return [Double](repeating: c, count: n)
        case .values(let v): return v
        case .uniform(let a, let b): return (0..<n).map { _ in random.uniform(a, b) }
        case .normal(let m, let s): return (0..<n).map { _ in m + s * random.normal() }
        case .xavier:
            let limit = (6.0 / Double(parameter.fanIn + parameter.fanOut)).squareRoot()
            return (0..<n).map { _ in random.uniform(-limit, limit) }
        case .he:
            let s = (2.0 / Double(parameter.fanIn)).squareRoot()
            return (0..<n).map { _ in s * random.normal() }
        }
    }

    /// The initialisers by name, for errors and `--help`.
    package static let names = ["uniform(lo, hi)", "normal(std)", "normal(mean, std)", "xavier", "he", "a number", "[values]"]
}

extension Graph {
    /// Draws every declared parameter's first values for `seed` (bindings and weights files
    /// override them as they override any value bound in the text).
    package mutating func initializeParameters(seed: UInt64) {
        for p in parameters {
            for (k, v) in p.initializer.values(for: p, seed: seed).enumerated() { boundValues[p.elements[k]] = v }
        }
        parameterSeed = seed
    }

    /// The input nodes of every declared parameter, in declaration order, and their names.
    package var parameterNodes: [(name: String, node: Int)] {
        parameters.flatMap { p in p.elements.map { (nodes[$0].name ?? "?", $0) } }
    }
}
