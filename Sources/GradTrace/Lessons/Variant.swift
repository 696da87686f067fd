/// Seeded worksheet variants: new input values from a seed, the same seed giving the same
/// sheet on every machine (SplitMix64, no system randomness).
public struct Variant: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// New values for the inputs of `graph`: whole numbers from -5 to 5 without 0, chosen so
    /// the circuit has no kink (a max tie) and no non-finite value; nil if none was found.
    public func values(for graph: Graph, salt: String) -> [String: Double]? {
        var state = seed ^ fnv1a(salt)
        for _ in 0..<200 {
            var bindings: [String: Double] = [:]
            for name in graph.inputNames {
                let k = Int(next(&state) % 10)
                bindings[name] = Double(k < 5 ? k - 5 : k - 4)
            }
            if let t = try? Tracer(bindings: bindings).trace(graph),
               !t.warnings.contains(where: { $0.kind == .nonFinite || $0.kind == .kink }) {
                return bindings
            }
        }
        return nil
    }

    private func next(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}
