/// A deterministic source of hostile inputs for decoder tests.
///
/// The same seed always gives the same inputs on every platform and toolchain: the generator is
/// xoshiro256** (Blackman and Vigna, 2018) seeded through SplitMix64, and every draw below is our
/// own arithmetic, not the standard library's `random(in:)` (whose algorithm may change). A failing
/// input is therefore reproduced by rerunning with the seed the test printed.
public struct Fuzzer: Sendable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        // SplitMix64 spreads any seed, even 0, over the whole 256-bit state (xoshiro must not
        // start from all zeros).
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        x << k | x >> (64 - k)
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection). `bound` > 0.
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "Fuzzer.next(below:) needs a positive bound, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// True with probability 1 / `n`.
    public mutating func oneIn(_ n: Int) -> Bool {
        next(below: n) == 0
    }

    /// `count` random bytes.
    public mutating func bytes(count: Int) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            var word = next()
            for _ in 0..<Swift.min(8, count - result.count) {
                result.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return result
    }

    /// `count` inputs: about one in eight is random bytes of a random length (mostly short), the
    /// rest are each a seed with one to four stacked mutations (see `mutate(_:seeds:)`). With no
    /// seeds every input is random.
    ///
    /// The sequence draws from its own generator, split off this one, so it can be iterated again
    /// with the same result, and this fuzzer moves on by one draw.
    public mutating func inputs(count: Int, seeds: [[UInt8]]) -> some Sequence<[UInt8]> {
        Inputs(fuzzer: Fuzzer(seed: next()), seeds: seeds, count: count)
    }

    /// A seeded, finite stream of fuzz inputs.
    struct Inputs: Sequence, IteratorProtocol {
        var fuzzer: Fuzzer
        let seeds: [[UInt8]]
        var count: Int

        mutating func next() -> [UInt8]? {
            guard count > 0 else { return nil }
            count -= 1
            if seeds.isEmpty || fuzzer.oneIn(8) {
                return fuzzer.randomInput()
            }
            let seed = seeds[fuzzer.next(below: seeds.count)]
            var input = fuzzer.mutate(seed, seeds: seeds)
            var extra = 0
            while extra < 3 && fuzzer.oneIn(2) {
                input = fuzzer.mutate(input, seeds: seeds)
                extra += 1
            }
            return input
        }
    }

    /// Random bytes whose length is mostly under 16, sometimes up to 256, rarely up to 2048.
    mutating func randomInput() -> [UInt8] {
        let roll = next(below: 20)
        let length = roll < 14 ? next(below: 16) : roll < 19 ? next(below: 256) : next(below: 2048)
        return bytes(count: length)
    }
}

/// A seeded `RandomNumberGenerator`, for cores that take one (the tunnel's timer jitter), so that
/// a test's timing is the same on every run.
extension Fuzzer: RandomNumberGenerator {}
