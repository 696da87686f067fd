import Foundation

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64), so that
/// initial weights, generated data sets, splits and mini-batches are the same on every machine
/// and every run with the same seed. Swift's own generators are not seedable, and its
/// `shuffle(using:)` is not promised to stay the same across versions, so shuffling is here too.
package struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for `seed`; `stream` (e.g. a parameter's name) gives independent sequences
    /// from one seed, so adding a parameter does not change the others' values.
    package init(seed: UInt64, stream: String = "") {
        var x = seed ^ SeededRandom.hash(stream)
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    /// FNV-1a of the UTF-8 bytes: stable across runs and platforms (Swift's `hashValue` is not).
    package static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in [0, 1), 53 bits.
    package mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [lo, hi).
    package mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Standard normal (Box–Muller; one of the pair is used, so the sequence is simple to reason about).
    package mutating func normal() -> Double {
        let u1 = 1 - unit()  // (0, 1]: log is finite
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A uniform integer in 0..<n (n > 0), without modulo bias.
    package mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let r = next()
            if r < limit { return Int(r % bound) }
        }
    }

    /// Fisher–Yates: the same permutation for the same seed on every platform and version.
    package mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, below(i + 1))
        }
    }
}
