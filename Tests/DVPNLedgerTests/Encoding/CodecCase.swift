import DVPNLedger
import Testing

/// One decoder under test: the canonical encodings of some valid values (used as round-trip
/// cases, truncation cases and fuzz seeds) and a function that decodes a whole input and encodes
/// the result again. A canonical format means that function is the identity on every input it
/// does not reject.
struct CodecCase: Sendable, CustomTestStringConvertible {
    let name: String
    let seeds: [[UInt8]]
    let reencode: @Sendable ([UInt8]) throws(LedgerError) -> [UInt8]

    var testDescription: String { name }

    /// A case for a `CanonicalCodable` type, through `init(canonicalBytes:)` and `canonicalBytes`.
    static func codable<T: CanonicalCodable & SendableMetatype>(_ name: String, _ values: [T]) -> CodecCase {
        CodecCase(name: name, seeds: values.map(\.canonicalBytes)) { bytes throws(LedgerError) in
            try T(canonicalBytes: bytes).canonicalBytes
        }
    }

    /// A case for a field written and read by a pair of encoder/decoder calls.
    static func field<T>(
        _ name: String,
        _ values: [T],
        encode: @escaping @Sendable (inout CanonicalEncoder, T) -> Void,
        decode: @escaping @Sendable (inout CanonicalDecoder) throws(LedgerError) -> T
    ) -> CodecCase {
        let seeds = values.map { value in
            var encoder = CanonicalEncoder()
            encode(&encoder, value)
            return encoder.bytes
        }
        return CodecCase(name: name, seeds: seeds) { bytes throws(LedgerError) in
            let value = try decodeWhole(bytes, with: decode)
            var encoder = CanonicalEncoder()
            encode(&encoder, value)
            return encoder.bytes
        }
    }

    /// Every decoder the encoding module offers, plus the composite test type.
    static let all: [CodecCase] = [
        .codable("UInt8", [UInt8(0), 1, 0x7F, 0x80, .max]),
        .codable("UInt16", [UInt16(0), 1, 0x1234, .max]),
        .codable("UInt32", [UInt32(0), 1, 0x8000_0000, .max]),
        .codable("UInt64", [UInt64(0), 1, 1_000_000, .max]),
        .codable("Int64", [Int64(0), 1, -1, .min, .max]),
        .codable("Bool", [false, true]),
        .field(
            "fixed(4)", [[0, 0, 0, 0], [0xDE, 0xAD, 0xBE, 0xEF]],
            encode: { $0.encode(fixed: $1, count: 4) },
            decode: { decoder throws(LedgerError) in try decoder.decodeFixed(count: 4) }
        ),
        .field(
            "bytes(max 32)", [[], [0], [1, 2, 3, 4, 5], Array(0..<31), Array(repeating: 0xFF, count: 32)],
            encode: { $0.encode(bytes: $1, maxLength: 32) },
            decode: { decoder throws(LedgerError) in try decoder.decodeBytes(maxLength: 32) }
        ),
        .field(
            "string(max 24)", ["", "a", "dvpn-1", "Köln", "🇩🇪", "\u{0}", "€€€€€€€€", "\u{10FFFF}"],
            encode: { $0.encode(string: $1, maxLength: 24) },
            decode: { decoder throws(LedgerError) in try decoder.decodeString(maxLength: 24) }
        ),
        .field(
            "array(UInt32, max 8)", [[], [7], [1, 2, 3], Array(repeating: UInt32.max, count: 8)],
            encode: { $0.encode(array: $1, maxCount: 8) },
            decode: { decoder throws(LedgerError) in try decoder.decodeArray(of: UInt32.self, maxCount: 8) }
        ),
        .field(
            "optional(UInt64)", [nil, 0, UInt64.max],
            encode: { $0.encode(optional: $1) },
            decode: { decoder throws(LedgerError) in try decoder.decodeOptional(of: UInt64.self) }
        ),
        .codable("SampleRecord", SampleRecord.examples),
    ]
}

/// Decodes `bytes` with `decode` and requires that nothing is left over.
func decodeWhole<T>(
    _ bytes: [UInt8],
    with decode: (inout CanonicalDecoder) throws(LedgerError) -> T
) throws(LedgerError) -> T {
    var decoder = CanonicalDecoder(bytes)
    let value = try decode(&decoder)
    try decoder.finish()
    return value
}

/// The error `body` throws, or nil (with a recorded test failure) if it returns.
func decodingError<T>(
    _ body: () throws(LedgerError) -> T,
    sourceLocation: SourceLocation = #_sourceLocation
) -> LedgerError? {
    do {
        let value = try body()
        Issue.record("decoded \(value) where an error was expected", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
