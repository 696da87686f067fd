/// The generated workloads of the benchmark and the scale tests.
package enum Workload: String, Sendable, CaseIterable {
    /// `a1 = 0.3; b1 = -0.7; …` then `s = a1*b1 + a2*b2 + … + aN*bN`: one statement, a left-deep sum.
    case wide
    /// `h1 = relu(h0*0.7 + 0.01); h2 = relu(h1*1.2 + 0.01); …`: N statements, each using the last.
    case chain

    /// A program of about `gates` gates: `gates / 2` products for wide (N products and N − 1
    /// sums), `gates / 3` statements for chain (each a `*c`, a `+c` and a relu).
    package func source(gates: Int) -> String {
        source(self == .wide ? max(1, gates / 2) : max(1, gates / 3))
    }

    /// The program with `n` terms (wide) or `n` statements (chain).
    package func source(_ n: Int) -> String {
        var out = ""
        switch self {
        case .wide:
            out.reserveCapacity(n * 40)
            for i in 1...n {
                out += "a\(i) = \(i % 2 == 0 ? "0.3" : "-0.7"); b\(i) = \(i % 3 == 0 ? "0.9" : "-0.2")\n"
            }
            out += "s = "
            for i in 1...n {
                if i > 1 { out += " + " }
                out += "a\(i)*b\(i)"
            }
            out += "\n"
        case .chain:
            out.reserveCapacity(n * 32)
            out += "h0 = 0.5\n"
            for i in 1...n {
                out += "h\(i) = relu(h\(i - 1)*\(i % 2 == 0 ? "1.2" : "0.7") + 0.01)\n"
            }
        }
        return out
    }
}
