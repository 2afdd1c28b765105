import DVPNCrypto
import Testing

/// `Vectors/bech32-test-vectors.json`: the test vectors of BIP-173 and BIP-350, transcribed.
struct Bech32VectorFile: Decodable, Sendable {
    struct Invalid: Decodable, Sendable {
        let string: String
        let reason: String
    }

    struct Section: Decodable, Sendable {
        let valid: [String]
        let invalid: [Invalid]
    }

    struct SegwitValid: Decodable, Sendable {
        let address: String
        let scriptPubKey: String
    }

    struct Segwit: Decodable, Sendable {
        let valid: [SegwitValid]
        let invalid: [Invalid]
    }

    let bech32: Section
    let bech32m: Section
    let segwit: Segwit

    static func load() throws -> Bech32VectorFile {
        try TestVectors.json("bech32-test-vectors.json")
    }
}

@Suite("Bech32 and bech32m (BIP-173, BIP-350)")
struct Bech32Tests {
    /// What our error reason must say for each reason the BIPs give, so each vector is rejected
    /// for the rule it was written to break, not by accident.
    static let expectedReason: [String: String] = [
        "hrp character out of range": "invalid character",
        "overall max length exceeded": "longer than 90",
        "no separator character": "no separator",
        "empty hrp": "empty human-readable part",
        "invalid data character": "invalid character",
        "too short checksum": "too short",
        "invalid character in checksum": "invalid character",
        "checksum calculated with uppercase form of hrp": "checksum does not match",
    ]

    @Test("valid strings decode to their variant and re-encode to the same (lowercase) string")
    func validStrings() throws {
        let file = try Bech32VectorFile.load()
        for (variant, section) in [(Bech32.Variant.bech32, file.bech32), (.bech32m, file.bech32m)] {
            #expect(section.valid.count == 7)
            for string in section.valid {
                let decoded = try Bech32.decode(string)
                // A string is never valid in both variants, so the variant found is the only one.
                #expect(decoded.variant == variant, "\(string)")
                #expect(Bech32.encode(hrp: decoded.hrp, groups: decoded.groups, variant: variant) == string.lowercased())
            }
        }
    }

    @Test("invalid strings are rejected, for the reason the BIP gives")
    func invalidStrings() throws {
        let file = try Bech32VectorFile.load()
        #expect(file.bech32.invalid.count == 12)
        #expect(file.bech32m.invalid.count == 14)
        for vector in file.bech32.invalid + file.bech32m.invalid {
            let keyword = try #require(Self.expectedReason[vector.reason.lowercased()], "unmapped reason \(vector.reason)")
            let what = "\(vector.string.debugDescription): \(vector.reason)"
            let error = #expect(throws: CryptoError.self, "\(what)") { try Bech32.decode(vector.string) }
            #expect(error?.code == .invalidEncoding, "\(what)")
            #expect(error?.reason.contains(keyword) == true, "\(what) → \(String(describing: error))")
            #expect(throws: CryptoError.self) { try Bech32m.decode(vector.string) }
        }
    }

    @Test("segwit address vectors: strict 8-to-5 conversion, padding rules and the variant rule")
    func segwitAddresses() throws {
        let file = try Bech32VectorFile.load()
        for vector in file.segwit.valid {
            #expect(try Self.segwitScriptPubKey(vector.address) == [UInt8](hex: vector.scriptPubKey), "\(vector.address)")
        }
        for vector in file.segwit.invalid {
            let mustSay: String? = switch vector.reason.lowercased() {
            case let reason where reason.contains("padding"): "padding"
            case "mixed case": "mixes upper and lower case"
            case "invalid character in checksum": "invalid character"
            default: nil
            }
            let what = "\(vector.string): \(vector.reason)"
            let error = #expect(throws: (any Error).self, "\(what)") { try Self.segwitScriptPubKey(vector.string) }
            if let mustSay {
                #expect((error as? CryptoError)?.reason.contains(mustSay) == true, "\(what) → \(String(describing: error))")
            }
        }
    }

    @Test("Bech32m round-trips byte payloads of every length that fits in 90 characters")
    func byteRoundTrip() throws {
        for hrp in ["dvpn", "a", "bc"] {
            let maxBytes = (Bech32.maxLength - hrp.count - 1 - 6) * 5 / 8
            for count in 0...maxBytes {
                let data = (0..<count).map { _ in UInt8.random(in: 0...255) }
                let string = Bech32m.encode(hrp: hrp, data: data)
                #expect(string.count <= Bech32.maxLength)
                let decoded = try Bech32m.decode(string)
                #expect(decoded.hrp == hrp && decoded.data == data)
                let upper = try Bech32m.decode(string.uppercased())
                #expect(upper.hrp == hrp && upper.data == data)
            }
        }
    }

    @Test("a string of the other variant is rejected, naming the variants")
    func wrongVariant() throws {
        let data: [UInt8] = Array(0..<32)
        let bech32 = Bech32.encode(hrp: "dvpn", data: data, variant: .bech32)
        #expect(try Bech32.decode(bech32, variant: .bech32).data == data)
        let asBech32m = #expect(throws: CryptoError.self) { try Bech32m.decode(bech32) }
        #expect(asBech32m?.reason.contains("bech32 checksum, but bech32m is required") == true)
        let bech32m = Bech32m.encode(hrp: "dvpn", data: data)
        let asBech32 = #expect(throws: CryptoError.self) { try Bech32.decode(bech32m, variant: .bech32) }
        #expect(asBech32?.reason.contains("bech32m checksum, but bech32 is required") == true)
    }

    @Test("regrouping rejects values that are not 5-bit groups and excess or non-zero padding")
    func regrouping() throws {
        #expect(throws: CryptoError.self) { try Bech32.bytes(fromGroups: [0, 32]) }
        // 8 bits of data then 2 zero padding bits: fine. Then 1 non-zero padding bit, then 5 bits.
        #expect(try Bech32.bytes(fromGroups: [31, 28]) == [0xFF])
        #expect(throws: CryptoError.self) { try Bech32.bytes(fromGroups: [31, 29]) }
        #expect(throws: CryptoError.self) { try Bech32.bytes(fromGroups: [31, 28, 0]) }
        #expect(try Bech32.bytes(fromGroups: Bech32.groups(fromBytes: [1, 2, 3, 4, 5])) == [1, 2, 3, 4, 5])
    }

    /// Segwit addresses (BIP-173 §"Segwit address format", BIP-350 §"Addresses for segregated
    /// witness outputs") on top of the generic codec, only to run the BIPs' address vectors.
    static func segwitScriptPubKey(_ address: String) throws -> [UInt8] {
        struct Rejected: Error { let why: String }
        let decoded = try Bech32.decode(address)
        guard ["bc", "tb"].contains(decoded.hrp) else { throw Rejected(why: "human-readable part") }
        guard let version = decoded.groups.first else { throw Rejected(why: "empty data") }
        guard version <= 16 else { throw Rejected(why: "witness version") }
        let program = try Bech32.bytes(fromGroups: Array(decoded.groups.dropFirst()))
        guard (2...40).contains(program.count) else { throw Rejected(why: "program length") }
        guard version != 0 || [20, 32].contains(program.count) else { throw Rejected(why: "v0 program length") }
        guard decoded.variant == (version == 0 ? .bech32 : .bech32m) else { throw Rejected(why: "variant") }
        return [version == 0 ? 0 : version + 0x50, UInt8(program.count)] + program
    }
}
