import Foundation
import GradTraceCore

/// The classic 2-D data sets of the lectures and the TensorFlow Playground, generated from a
/// seed: `moons(n=100, noise=0.1, seed=1)`, `circles`, `xor`, `spiral`, `blobs`. Columns are
/// `x1`, `x2` and the class `y` (0 or 1; 0 … k−1 for k classes, with one-hot columns t1 … tk).
package struct DataGenerator: Sendable, Equatable {
    /// Which set.
    package enum Kind: String, Sendable, CaseIterable {
        case moons, circles, xor, spiral, blobs
    }

    /// Which set.
    package var kind: Kind
    /// Number of points.
    package var count: Int = 100
    /// Standard deviation of the Gaussian noise added to each coordinate.
    package var noise: Double = 0.1
    /// Number of classes (spiral and blobs; the others have 2).
    package var classes: Int = 2
    /// Inner circle's radius relative to the outer (circles).
    package var factor: Double = 0.5
    /// The seed.
    package var seed: UInt64 = 0

    /// How it is written: `moons(n=100, noise=0.1, seed=0)`.
    package var description: String {
        var parts = ["n=\(count)", "noise=\(formatShortest(noise))"]
        if kind == .spiral || kind == .blobs { parts.append("classes=\(classes)") }
        if kind == .circles { parts.append("factor=\(formatShortest(factor))") }
        parts.append("seed=\(seed)")
        return "\(kind.rawValue)(\(parts.joined(separator: ", ")))"
    }

    /// The names and arguments, for help and errors.
    package static let usage = "moons|circles|xor|spiral|blobs(n=100, noise=0.1, seed=0[, classes=3][, factor=0.5])"

    /// Parses `moons(n=200, noise=0.1, seed=7)` (every argument optional; `moons` alone is fine).
    /// Returns nil when `text` does not start with a generator's name, so it can be a file name.
    package static func parse(_ text: String) throws(Diagnostic) -> DataGenerator? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let name = String(t.prefix { $0.isLetter })
        guard let kind = Kind(rawValue: name) else { return nil }
        let rest = t.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        var g = DataGenerator(kind: kind)
        if kind == .blobs { g.classes = 3; g.noise = 0.5 }
        if kind == .spiral { g.noise = 0.2 }
        if rest.isEmpty { return g }
        guard rest.hasPrefix("("), rest.hasSuffix(")") else {
            if FileManager.default.fileExists(atPath: text) { return nil }
            throw Diagnostic("expected '(' after '\(name)'", file: text, help: "write \(usage)")
        }
        for part in rest.dropFirst().dropLast().split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let v = Double(kv[1]), v.isFinite else {
                throw Diagnostic("'\(part.trimmingCharacters(in: .whitespaces))' is not name=number", file: text, help: "write \(usage)")
            }
            func whole(_ lo: Double, _ hi: Double) throws(Diagnostic) -> Int {
                guard v == v.rounded(), v >= lo, v <= hi else {
                    throw Diagnostic("\(kv[0]) must be a whole number from \(Int(lo)) to \(Int(hi)), got \(kv[1])", file: text)
                }
                return Int(v)
            }
            switch kv[0] {
            case "n": g.count = try whole(2, 1_000_000)
            case "noise":
                guard v >= 0 else { throw Diagnostic("noise must be 0 or more, got \(kv[1])", file: text) }
                g.noise = v
            case "seed": g.seed = UInt64(try whole(0, 9_007_199_254_740_991))
            case "classes" where kind == .spiral || kind == .blobs: g.classes = try whole(2, 10)
            case "factor" where kind == .circles:
                guard v > 0, v < 1 else { throw Diagnostic("factor must be between 0 and 1, got \(kv[1])", file: text) }
                g.factor = v
            default:
                let allowed = ["n", "noise", "seed"] + (kind == .spiral || kind == .blobs ? ["classes"] : []) + (kind == .circles ? ["factor"] : [])
                throw Diagnostic("\(name) has no argument '\(kv[0])'", file: text, help: "its arguments: \(allowed.joined(separator: ", "))")
            }
        }
        return g
    }

    /// The points, shuffled with the seed.
    package func generate() -> Dataset {
        var random = SeededRandom(seed: seed, stream: kind.rawValue)
        var points: [(Double, Double, Int)] = []
        let n = count
        func linspace(_ a: Double, _ b: Double, _ k: Int, _ i: Int) -> Double { k == 1 ? a : a + (b - a) * Double(i) / Double(k - 1) }
        switch kind {
        case .moons:
            let outer = n / 2, inner = n - outer
            for i in 0..<outer { let t = linspace(0, .pi, outer, i); points.append((cos(t), sin(t), 0)) }
            for i in 0..<inner { let t = linspace(0, .pi, inner, i); points.append((1 - cos(t), 1 - sin(t) - 0.5, 1)) }
        case .circles:
            let outer = n / 2, inner = n - outer
            for i in 0..<outer { let t = 2 * .pi * Double(i) / Double(outer); points.append((cos(t), sin(t), 0)) }
            for i in 0..<inner { let t = 2 * .pi * Double(i) / Double(inner); points.append((factor * cos(t), factor * sin(t), 1)) }
        case .xor:
            for _ in 0..<n {
                let a = random.uniform(-1, 1), b = random.uniform(-1, 1)
                points.append((a, b, a * b > 0 ? 0 : 1))
            }
        case .spiral:
            // CS231n's spiral: radius from 0 to 1, angle 4 radians per class, noise on the angle.
            for c in 0..<classes {
                let m = n / classes + (c < n % classes ? 1 : 0)
                for i in 0..<m {
                    let r = linspace(0, 1, m, i)
                    let t = linspace(Double(c) * 4, Double(c + 1) * 4, m, i) + noise * random.normal()
                    points.append((r * sin(t), r * cos(t), c))
                }
            }
        case .blobs:
            for c in 0..<classes {
                let m = n / classes + (c < n % classes ? 1 : 0)
                let angle = 2 * .pi * Double(c) / Double(classes)
                for _ in 0..<m { points.append((2 * cos(angle) + noise * random.normal(), 2 * sin(angle) + noise * random.normal(), c)) }
            }
        }
        if kind != .spiral && kind != .blobs && noise > 0 {
            points = points.map { ($0.0 + noise * random.normal(), $0.1 + noise * random.normal(), $0.2) }
        }
        random.shuffle(&points)
        let k = kind == .spiral || kind == .blobs ? classes : 2
        var columns = ["x1", "x2", "y"]
        if k > 2 { columns += (1...k).map { "t\($0)" } }
        var values: [Double] = []
        values.reserveCapacity(points.count * columns.count)
        for p in points {
            values += [p.0, p.1, Double(p.2)]
            if k > 2 { values += (0..<k).map { $0 == p.2 ? 1 : 0 } }
        }
        return Dataset(name: description, columns: columns, values: values)
    }
}
