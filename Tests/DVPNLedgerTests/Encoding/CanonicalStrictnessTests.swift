import DVPNLedger
import Testing

/// Every byte string that is not exactly the encoding of a value is rejected, with a reason that
/// names the field (docs/encoding.md, "Decoding is strict").
@Suite("Canonical encoding: strict decoding")
struct CanonicalStrictnessTests {
    @Test("input cut at any offset throws; it never decodes to a shorter value", arguments: CodecCase.all)
    func truncationAtEveryOffset(_ codec: CodecCase) {
        for seed in codec.seeds {
            for length in 0..<seed.count {
                let error = decodingError { () throws(LedgerError) in try codec.reencode(Array(seed.prefix(length))) }
                #expect(error?.code == .malformedEncoding, "prefix of \(length) of \(seed.count) bytes")
            }
        }
    }

    @Test("a trailing byte after a complete value throws", arguments: CodecCase.all)
    func trailingBytes(_ codec: CodecCase) {
        for seed in codec.seeds {
            for extra: [UInt8] in [[0x00], [0xFF, 0x01]] {
                let error = decodingError { () throws(LedgerError) in try codec.reencode(seed + extra) }
                #expect(error?.code == .malformedEncoding)
                #expect(error?.reason == "\(extra.count) trailing bytes after the value ending at byte \(seed.count)")
            }
        }
    }

    @Test("a length or count above the declared maximum throws outOfRange naming the field")
    func overLongLengths() {
        var encoder = CanonicalEncoder()
        encoder.encode(bytes: [UInt8](repeating: 7, count: 33), maxLength: 33)
        let bytes = encoder.bytes
        let error = decodingError { () throws(LedgerError) in
            try decodeWhole(bytes) { decoder throws(LedgerError) in
                try decoder.decodeBytes(maxLength: 32, field: "memo")
            }
        }
        #expect(error?.code == .outOfRange)
        #expect(error?.reason == "memo: length 33 at byte 0 exceeds the maximum 32")

        encoder = CanonicalEncoder()
        encoder.encode(string: "toolong", maxLength: 7)
        let stringBytes = encoder.bytes
        let stringError = decodingError { () throws(LedgerError) in
            try decodeWhole(stringBytes) { decoder throws(LedgerError) in
                try decoder.decodeString(maxLength: 6, field: "country")
            }
        }
        #expect(stringError?.code == .outOfRange)
        #expect(stringError?.reason.hasPrefix("country: ") == true)

        encoder = CanonicalEncoder()
        encoder.encode(array: [UInt8](repeating: 0, count: 5), maxCount: 5)
        let arrayBytes = encoder.bytes
        let arrayError = decodingError { () throws(LedgerError) in
            try decodeWhole(arrayBytes) { decoder throws(LedgerError) in
                try decoder.decodeArray(of: UInt8.self, maxCount: 4, field: "validators")
            }
        }
        #expect(arrayError?.code == .outOfRange)
        #expect(arrayError?.reason.hasPrefix("validators: ") == true)
    }

    @Test("a 4 GiB length or count throws at once instead of allocating")
    func hugeLengthPrefix() {
        let prefix: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02]
        let largest = Int(UInt32.max)
        let bytesError = decodingError { () throws(LedgerError) in
            try decodeWhole(prefix) { decoder throws(LedgerError) in try decoder.decodeBytes(maxLength: largest) }
        }
        #expect(bytesError?.reason == "byte string: truncated at byte 4: needs 4294967295 bytes, 2 remain")
        let stringError = decodingError { () throws(LedgerError) in
            try decodeWhole(prefix) { decoder throws(LedgerError) in try decoder.decodeString(maxLength: largest) }
        }
        #expect(stringError?.code == .malformedEncoding)
        let arrayError = decodingError { () throws(LedgerError) in
            try decodeWhole(prefix) { decoder throws(LedgerError) in
                try decoder.decodeArray(of: UInt64.self, maxCount: largest)
            }
        }
        #expect(arrayError?.reason == "array[0].UInt64: truncated at byte 4: needs 8 bytes, 2 remain")
    }

    @Test("Bool and optional tags other than 0 and 1 throw")
    func nonCanonicalTags() {
        for byte in UInt8(2)...UInt8.max {
            let boolError = decodingError { () throws(LedgerError) in try Bool(canonicalBytes: [byte]) }
            #expect(boolError?.code == .malformedEncoding)
            let optionalError = decodingError { () throws(LedgerError) in
                try decodeWhole([byte, 0x00]) { decoder throws(LedgerError) in
                    try decoder.decodeOptional(of: UInt8.self, field: "parent")
                }
            }
            #expect(optionalError?.reason == "parent: byte 0x\(String(byte, radix: 16)) at byte 0 is neither 0 nor 1")
        }
    }

    @Test(
        "strings that are not well-formed UTF-8 throw",
        arguments: [
            [0x80],  // lone continuation byte
            [0xC3],  // two-byte sequence cut short
            [0xC0, 0x80],  // overlong NUL
            [0xC1, 0xBF],  // overlong '\x7F'
            [0xE0, 0x80, 0x80],  // overlong three-byte form
            [0xED, 0xA0, 0x80],  // UTF-16 surrogate U+D800
            [0xED, 0xBF, 0xBF],  // UTF-16 surrogate U+DFFF
            [0xF0, 0x80, 0x80, 0x80],  // overlong four-byte form
            [0xF4, 0x90, 0x80, 0x80],  // U+110000, above the Unicode range
            [0xF5, 0x80, 0x80, 0x80],  // lead byte that never occurs
            [0xFE], [0xFF],
            [0x61, 0xE2, 0x82],  // valid 'a', then a truncated '€'
        ] as [[UInt8]]
    )
    func invalidUTF8(_ utf8: [UInt8]) {
        var encoder = CanonicalEncoder()
        encoder.encode(bytes: utf8, maxLength: 8)
        let bytes = encoder.bytes
        let error = decodingError { () throws(LedgerError) in
            try decodeWhole(bytes) { decoder throws(LedgerError) in try decoder.decodeString(maxLength: 8, field: "host") }
        }
        #expect(error?.code == .malformedEncoding)
        #expect(error?.reason == "host: the string at byte 4 is not valid UTF-8")
    }

    @Test("an error deep inside a composite value names the path to the field")
    func errorsNameTheFieldPath() {
        var bytes = SampleRecord.small.canonicalBytes
        // entries[0].note's presence tag sits after 1+2+4+8+8+1+4+6+7 bytes of fields, the 4-byte
        // entry count, the 5-byte label and the 2-byte weight (CanonicalGoldenTests.composite).
        #expect(bytes[52] == 0x00)
        bytes[52] = 0x02
        let error = decodingError { () throws(LedgerError) in
            var decoder = CanonicalDecoder(bytes)
            return try decoder.decode(SampleRecord.self, field: "record")
        }
        #expect(error?.reason == "record.entries[0].note: byte 0x2 at byte 52 is neither 0 nor 1")
    }

    @Test("nesting deeper than the decoder's bound throws instead of exhausting the stack")
    func nestingDepthIsBounded() throws {
        let allowed = Nest(depth: CanonicalDecoder.maxNestingDepth)
        #expect(try Nest(canonicalBytes: allowed.canonicalBytes) == allowed)

        let tooDeep = Nest(depth: CanonicalDecoder.maxNestingDepth + 1).canonicalBytes
        #expect(decodingError { () throws(LedgerError) in try Nest(canonicalBytes: tooDeep) }?.code == .outOfRange)

        // A hostile input nesting 100,000 levels: each level is a count of 1.
        let hostile = Array(repeating: [0x00, 0x00, 0x00, 0x01] as [UInt8], count: 100_000).flatMap { $0 }
        #expect(decodingError { () throws(LedgerError) in try Nest(canonicalBytes: hostile) }?.code == .outOfRange)
    }

    @Test("the encoder traps on a value longer than its declared maximum")
    func encoderRejectsOverLongValues() async {
        await #expect(processExitsWith: .failure) {
            var encoder = CanonicalEncoder()
            encoder.encode(bytes: [UInt8](repeating: 0, count: 3), maxLength: 2)
        }
        await #expect(processExitsWith: .failure) {
            var encoder = CanonicalEncoder()
            encoder.encode(string: "abc", maxLength: 2)
        }
        await #expect(processExitsWith: .failure) {
            var encoder = CanonicalEncoder()
            encoder.encode(array: [true, false, true], maxCount: 2)
        }
        await #expect(processExitsWith: .failure) {
            var encoder = CanonicalEncoder()
            encoder.encode(fixed: [UInt8](repeating: 0, count: 31), count: 32)
        }
    }
}

/// A recursive type (each level holds at most one child), for the nesting-depth bound.
private struct Nest: CanonicalCodable, Equatable {
    var children: [Nest]

    init(depth: Int) {
        children = depth > 1 ? [Nest(depth: depth - 1)] : []
    }

    func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(array: children, maxCount: 1)
    }

    init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        children = try decoder.decodeArray(of: Nest.self, maxCount: 1)
    }
}
