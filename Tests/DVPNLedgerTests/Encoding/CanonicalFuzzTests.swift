import DVPNLedger
import DVPNTestSupport
import Testing

/// Issue 2, acceptance: at least 100,000 random and mutated inputs to every decoder, each of which
/// either decodes and re-encodes to exactly the input (the format is canonical) or throws. A trap
/// would end the test process, so finishing is itself part of the result.
@Suite("Canonical encoding: fuzzing")
struct CanonicalFuzzTests {
    static let inputsPerDecoder = 100_000

    @Test("every decoder round-trips or throws on 100,000 fuzz inputs", arguments: CodecCase.all)
    func fuzz(_ codec: CodecCase) {
        // One fixed seed per decoder, printed so that a failure can be replayed.
        let seed = 0xD0_5EED ^ UInt64(CodecCase.all.firstIndex { $0.name == codec.name } ?? 0)
        var fuzzer = Fuzzer(seed: seed)
        var decoded = 0
        var threw = 0
        var notCanonical: [[UInt8]] = []
        for input in fuzzer.inputs(count: Self.inputsPerDecoder, seeds: codec.seeds) {
            do {
                let output = try codec.reencode(input)
                decoded += 1
                if output != input, notCanonical.count < 5 {
                    notCanonical.append(input)
                }
            } catch {
                threw += 1
            }
        }
        print("fuzz \(codec.name) (seed \(seed)): \(decoded + threw) inputs, \(decoded) decoded and re-encoded, \(threw) threw")
        #expect(decoded + threw == Self.inputsPerDecoder)
        #expect(notCanonical.isEmpty, "inputs that decoded but re-encoded differently: \(notCanonical)")
        // Both outcomes must occur, or the inputs did not reach past the first check.
        #expect(decoded > 0)
        #expect(threw > 0)
    }
}
