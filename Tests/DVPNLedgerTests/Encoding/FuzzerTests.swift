import DVPNTestSupport
import Testing

@Suite("Fuzzer")
struct FuzzerTests {
    @Test("the same seed gives the same numbers and inputs; another seed does not")
    func deterministic() {
        var first = Fuzzer(seed: 42)
        var second = Fuzzer(seed: 42)
        var other = Fuzzer(seed: 43)
        let a = (0..<16).map { _ in first.next() }
        #expect(a == (0..<16).map { _ in second.next() })
        #expect(a != (0..<16).map { _ in other.next() })

        let seeds: [[UInt8]] = [[0, 0, 0, 3, 1, 2, 3], [1]]
        let inputsA = Array(first.inputs(count: 500, seeds: seeds))
        let inputsB = Array(second.inputs(count: 500, seeds: seeds))
        #expect(inputsA.count == 500)
        #expect(inputsA == inputsB)
    }

    @Test("xoshiro256** seeded by SplitMix64 matches an independent computation")
    func knownOutput() {
        // Seed 0 through SplitMix64 gives the state words below (Vigna's splitmix64.c), and the first
        // xoshiro256** output of that state is rotl(s1 * 5, 7) * 9.
        let s1: UInt64 = 0x6E78_9E6A_A1B9_65F4
        let expected = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        var fuzzer = Fuzzer(seed: 0)
        #expect(fuzzer.next() == expected)
    }

    @Test("next(below:) stays in range and bytes(count:) has the requested length")
    func ranges() {
        var fuzzer = Fuzzer(seed: 7)
        var hits = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 {
            hits[fuzzer.next(below: 10)] += 1
        }
        #expect(hits.allSatisfy { $0 > 800 && $0 < 1200 })
        for count in [0, 1, 7, 8, 9, 100] {
            #expect(fuzzer.bytes(count: count).count == count)
        }
    }

    @Test("inputs mix random bytes, mutated seeds and extreme length fields")
    func variety() {
        var fuzzer = Fuzzer(seed: 1)
        let seed: [UInt8] = [0x00, 0x00, 0x00, 0x04, 0x64, 0x76, 0x70, 0x6E]
        let inputs = Array(fuzzer.inputs(count: 5_000, seeds: [seed]))
        #expect(inputs.filter { $0 != seed }.count > 4_500)
        #expect(Set(inputs.map(\.count)).count > 20)
        #expect(inputs.contains { $0.count < seed.count })  // truncations and deletions
        #expect(inputs.contains { $0.count > seed.count })  // insertions, duplication, trailing bytes
        #expect(inputs.contains { $0.starts(with: [0xFF, 0xFF, 0xFF, 0xFF]) })  // a 4 GiB length prefix
        #expect(inputs.contains { $0.starts(with: [0x00, 0x00, 0x00, 0x05]) })  // length one past the end
        #expect(inputs.contains { $0.count == seed.count && $0 != seed })  // in-place flips and sets
    }
}
