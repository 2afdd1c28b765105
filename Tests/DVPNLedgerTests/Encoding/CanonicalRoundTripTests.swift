import DVPNLedger
import Testing

@Suite("Canonical encoding: round trips")
struct CanonicalRoundTripTests {
    @Test("every seed of every decoder decodes and re-encodes to the same bytes", arguments: CodecCase.all)
    func seedsRoundTrip(_ codec: CodecCase) throws {
        for seed in codec.seeds {
            #expect(try codec.reencode(seed) == seed)
        }
    }

    @Test("fixed-width integers and Bool decode to the value that was encoded")
    func primitiveValues() throws {
        for value: UInt8 in [0, 1, 0x7F, 0x80, .max] {
            #expect(try UInt8(canonicalBytes: value.canonicalBytes) == value)
        }
        for value: UInt16 in [0, 1, 0x00FF, 0xFF00, .max] {
            #expect(try UInt16(canonicalBytes: value.canonicalBytes) == value)
        }
        for value: UInt32 in [0, 1, 0x0102_0304, .max] {
            #expect(try UInt32(canonicalBytes: value.canonicalBytes) == value)
        }
        for value: UInt64 in [0, 1, 0x0102_0304_0506_0708, .max] {
            #expect(try UInt64(canonicalBytes: value.canonicalBytes) == value)
        }
        for value: Int64 in [0, 1, -1, .min, .max, -1_000_000] {
            #expect(try Int64(canonicalBytes: value.canonicalBytes) == value)
        }
        for value in [false, true] {
            #expect(try Bool(canonicalBytes: value.canonicalBytes) == value)
        }
    }

    @Test("byte strings, strings, fixed bytes, arrays and optionals decode to what was encoded")
    func variableLengthValues() throws {
        var encoder = CanonicalEncoder()
        encoder.encode(bytes: [UInt8](), maxLength: 0)
        encoder.encode(bytes: [9, 8, 7], maxLength: 3)
        encoder.encode(fixed: [1, 2], count: 2)
        encoder.encode(string: "Grüße, 世界 🌍", maxLength: 64)
        encoder.encode(array: [Int64(-5), 5], maxCount: 2)
        encoder.encode(array: ["one", "two"], maxCount: 2) { $0.encode(string: $1, maxLength: 3) }
        encoder.encode(optional: UInt16?.none)
        encoder.encode(optional: UInt16(0xBEEF))
        encoder.encode(optional: "hi") { $0.encode(string: $1, maxLength: 2) }

        var decoder = CanonicalDecoder(encoder.bytes)
        #expect(try decoder.decodeBytes(maxLength: 0) == [])
        #expect(try decoder.decodeBytes(maxLength: 3) == [9, 8, 7])
        #expect(try decoder.decodeFixed(count: 2) == [1, 2])
        #expect(try decoder.decodeString(maxLength: 64) == "Grüße, 世界 🌍")
        #expect(try decoder.decodeArray(of: Int64.self, maxCount: 2) == [-5, 5])
        let words = try decoder.decodeArray(maxCount: 2) { decoder throws(LedgerError) in
            try decoder.decodeString(maxLength: 3)
        }
        #expect(words == ["one", "two"])
        #expect(try decoder.decodeOptional(of: UInt16.self) == nil)
        #expect(try decoder.decodeOptional(of: UInt16.self) == 0xBEEF)
        let greeting = try decoder.decodeOptional { decoder throws(LedgerError) in
            try decoder.decodeString(maxLength: 2)
        }
        #expect(greeting == "hi")
        #expect(decoder.remainingCount == 0)
        try decoder.finish()
    }

    @Test("strings keep their exact bytes: no Unicode normalisation either way")
    func stringsAreNotNormalised() throws {
        let composed = "\u{E9}"  // é as one code point
        let decomposed = "e\u{301}"  // e + combining acute accent
        #expect(composed == decomposed)  // Swift's String equality is canonical equivalence…
        var encoder = CanonicalEncoder()
        encoder.encode(string: composed, maxLength: 8)
        encoder.encode(string: decomposed, maxLength: 8)
        #expect(encoder.bytes == [0, 0, 0, 2, 0xC3, 0xA9, 0, 0, 0, 3, 0x65, 0xCC, 0x81])  // …the bytes are not
        var decoder = CanonicalDecoder(encoder.bytes)
        #expect(Array(try decoder.decodeString(maxLength: 8).utf8) == [0xC3, 0xA9])
        #expect(Array(try decoder.decodeString(maxLength: 8).utf8) == [0x65, 0xCC, 0x81])
    }

    @Test("the composite type decodes to an equal value", arguments: SampleRecord.examples)
    func compositeValue(_ record: SampleRecord) throws {
        let decoded = try SampleRecord(canonicalBytes: record.canonicalBytes)
        #expect(decoded == record)
    }

    @Test("a value at exactly its declared maximum length or count is accepted")
    func exactMaximumIsAccepted() throws {
        var encoder = CanonicalEncoder()
        encoder.encode(bytes: [UInt8](repeating: 1, count: 5), maxLength: 5)
        encoder.encode(string: "abcde", maxLength: 5)
        encoder.encode(array: [true, false], maxCount: 2)
        var decoder = CanonicalDecoder(encoder.bytes)
        #expect(try decoder.decodeBytes(maxLength: 5).count == 5)
        #expect(try decoder.decodeString(maxLength: 5) == "abcde")
        #expect(try decoder.decodeArray(of: Bool.self, maxCount: 2) == [true, false])
        try decoder.finish()
    }
}
