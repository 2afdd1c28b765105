import Testing
@testable import DVPNCrypto

/// BLAKE2s against RFC 7693, the official known-answer table and WireGuard's published constants.
@Suite("BLAKE2s")
struct BLAKE2sTests {
    @Test("RFC 7693 Appendix B: BLAKE2s-256(\"abc\")")
    func rfcABC() throws {
        let rfc = try TestVectors.json("blake2s-rfc7693.json", as: BLAKE2sVectors.RFC7693.self)
        let input = try [UInt8](hex: rfc.abc.in)
        #expect(input == Array("abc".utf8))
        #expect(BLAKE2s.hash(input) == (try [UInt8](hex: rfc.abc.hash)))
    }

    /// The RFC's deterministic test input: a Fibonacci generator seeded with `seed` (Appendix E).
    private func selfTestSequence(count: Int, seed: UInt32) -> [UInt8] {
        var a: UInt32 = 0xDEAD_4BAD &* seed
        var b: UInt32 = 1
        return (0..<count).map { _ in
            let t = a &+ b
            a = b
            b = t
            return UInt8(truncatingIfNeeded: t >> 24)
        }
    }

    @Test("RFC 7693 Appendix E: self-test grand hash over keyed and unkeyed digests")
    func rfcSelfTest() throws {
        let selfTest = try TestVectors.json("blake2s-rfc7693.json", as: BLAKE2sVectors.RFC7693.self).selfTest
        var grand = BLAKE2s()
        for outputLength in selfTest.outputLengths {
            for inputLength in selfTest.inputLengths {
                let input = selfTestSequence(count: inputLength, seed: UInt32(inputLength))
                let unkeyed = BLAKE2s.hash(input, outputByteCount: outputLength)
                #expect(unkeyed.count == outputLength)
                grand.update(unkeyed)
                let key = selfTestSequence(count: outputLength, seed: UInt32(outputLength))
                grand.update(try BLAKE2s.hash(input, key: key, outputByteCount: outputLength))
            }
        }
        #expect(grand.finalize() == (try [UInt8](hex: selfTest.grandHash)))
    }

    @Test("Official BLAKE2s KAT: unkeyed and keyed, every input length 0-255")
    func knownAnswers() throws {
        let rows = try BLAKE2sVectors.knownAnswers()
        let unkeyed = rows.filter { $0.key.isEmpty }
        let keyed = rows.filter { !$0.key.isEmpty }
        #expect(unkeyed.map(\.input.count) == Array(0...255))
        #expect(keyed.map(\.input.count) == Array(0...255))
        #expect(keyed.allSatisfy { $0.key == Array(0...31) })
        for row in unkeyed {
            #expect(BLAKE2s.hash(row.input) == row.hash, "unkeyed, length \(row.input.count)")
        }
        for row in keyed {
            #expect(try BLAKE2s.hash(row.input, key: row.key) == row.hash, "keyed, length \(row.input.count)")
        }
    }

    @Test("Every output length 1-32, keyed and unkeyed (the length is a parameter, not a prefix)")
    func outputLengths() throws {
        let file = try TestVectors.json("blake2s-output-lengths.json", as: BLAKE2sVectors.Cases<BLAKE2sVectors.OutputLengthCase>.self)
        #expect(file.cases.count == 64)
        for c in file.cases {
            let input = try [UInt8](hex: c.in)
            let key = try [UInt8](hex: c.key)
            let expected = try [UInt8](hex: c.hash)
            #expect(expected.count == c.outputByteCount)
            #expect(try BLAKE2s.hash(input, key: key, outputByteCount: c.outputByteCount) == expected)
            if key.isEmpty {
                #expect(BLAKE2s.hash(input, outputByteCount: c.outputByteCount) == expected)
            }
        }
    }

    @Test("Long inputs (64 KiB, 1 MiB + 1 byte), keyed and unkeyed")
    func longInputs() throws {
        let file = try TestVectors.json("blake2s-long-inputs.json", as: BLAKE2sVectors.Cases<BLAKE2sVectors.LongInputCase>.self)
        #expect(file.cases.count == 4)
        for c in file.cases {
            let message = (0..<c.length).map { UInt8($0 % 251) }
            let key = try [UInt8](hex: c.key)
            #expect(try BLAKE2s.hash(message, key: key) == [UInt8](hex: c.hash), "length \(c.length)")
        }
    }

    @Test("WireGuard's initial chaining key and hash (whitepaper §5.4, as implementations publish them)")
    func wireGuardConstants() throws {
        let file = try TestVectors.json("wireguard-kdf.json", as: BLAKE2sVectors.KDFFile.self)
        let chainingKey = BLAKE2s.hash(Array(file.construction.utf8))
        #expect(chainingKey == (try [UInt8](hex: file.initialChainKey)))
        #expect(BLAKE2s.hash(chainingKey + Array(file.identifier.utf8)) == (try [UInt8](hex: file.initialHash)))
    }

    @Test("Keys longer than 32 bytes and output lengths outside 1-32 are rejected")
    func invalidParameters() {
        #expect(throws: CryptoError.self) { _ = try BLAKE2s(key: [UInt8](repeating: 1, count: 33)) }
        #expect(throws: CryptoError.self) { _ = try BLAKE2s(key: [UInt8](repeating: 1, count: 16), outputByteCount: 0) }
        #expect(throws: CryptoError.self) { _ = try BLAKE2s(key: [UInt8](repeating: 1, count: 16), outputByteCount: 33) }
        do {
            _ = try BLAKE2s.hash([1, 2, 3], key: [UInt8](repeating: 0, count: 64))
            Issue.record("a 64-byte key was accepted")
        } catch {
            #expect(error.code == .invalidLength)
        }
    }

    @Test("An empty key is the unkeyed hash (RFC 7693: kk = 0 means no key block)")
    func emptyKeyIsUnkeyed() throws {
        let message = Array("dvpn".utf8)
        #expect(try BLAKE2s.hash(message, key: [UInt8]()) == BLAKE2s.hash(message))
        #expect(try BLAKE2s.hash(message, key: [UInt8](), outputByteCount: 16) == BLAKE2s.hash(message, outputByteCount: 16))
    }
}
