@testable import DVPNCrypto
import DVPNTestSupport
import Foundation
import Testing

/// Decoder robustness for the decoders this module reads from disk and from configuration:
/// `Base64.decode` (wg-style keys) and the key file parser. At least 100,000 random and mutated
/// inputs each; every input either round-trips or is refused with a clear error, never a trap.
@Suite struct KeyFileAndBase64FuzzTests {
    static let iterations = 100_000

    @Test func base64DecodeRoundTripsOrRefuses() {
        var fuzzer = Fuzzer(seed: 0xBA5E_64)
        let seeds = (0..<32).map { i in Array(Base64.encode(fuzzer.bytes(count: i + 1)).utf8) }
        var decoded = 0, refused = 0
        for input in fuzzer.inputs(count: Self.iterations, seeds: seeds) {
            let text = String(decoding: input, as: UTF8.self)
            if let bytes = Base64.decode(text) {
                decoded += 1
                // Canonical: decoding then encoding gives back exactly the input.
                #expect(Base64.encode(bytes) == text)
            } else {
                refused += 1
            }
        }
        #expect(decoded + refused == Self.iterations)
        #expect(decoded > 1_000 && refused > 1_000, "decoded \(decoded), refused \(refused)")
    }

    @Test func keyFileParserAcceptsOnlyWellFormedDocuments() throws {
        // Seeds are real key files; Argon2id is deliberately not run per input (it costs 64 MiB
        // and ~0.1 s): the parser is what faces hostile bytes first.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-fuzz-\(UUID().uuidString)").path
        defer { unlink(path) }
        var seeds: [[UInt8]] = []
        for protected in [true, false] {
            try KeyFile.write(.generate(), to: path, passphrase: protected ? Passphrase("p") : .none, overwrite: true)
            seeds.append(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        var fuzzer = Fuzzer(seed: 0x4B_E7F1)
        var parsed = 0, refused = 0
        for input in fuzzer.inputs(count: Self.iterations, seeds: seeds) {
            do {
                let document = try KeyFile.parse(input, path: "fuzz")
                parsed += 1
                #expect(document.version == KeyFile.currentVersion)
                #expect(document.cipher == KeyFile.cipherName)
            } catch {
                refused += 1
                #expect(error.code == .invalidEncoding || error.code == .unsupportedVersion)
            }
        }
        #expect(parsed + refused == Self.iterations)
        #expect(parsed > 100 && refused > 1_000, "parsed \(parsed), refused \(refused)")
    }
}
