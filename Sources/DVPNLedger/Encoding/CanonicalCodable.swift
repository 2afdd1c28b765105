/// A value with exactly one byte encoding (docs/encoding.md). Everything the ledger signs, hashes or
/// sends is `CanonicalEncodable`, so two honest nodes always produce the same bytes for the same
/// value and a signature or hash over those bytes means one thing.
///
/// Conformers write their fields in a fixed order with the `CanonicalEncoder` methods, declaring a
/// maximum for every variable-length field, and nested values with `encode(_:)`.
public protocol CanonicalEncodable {
    func encode(to encoder: inout CanonicalEncoder)
}

/// A value that can be read back from its canonical encoding, rejecting every other byte string.
///
/// Conformers read their fields in the order `encode(to:)` writes them, with the same maxima, and
/// nested values with `CanonicalDecoder.decode(_:field:)` (which bounds the nesting depth).
public protocol CanonicalDecodable {
    init(from decoder: inout CanonicalDecoder) throws(LedgerError)
}

public typealias CanonicalCodable = CanonicalEncodable & CanonicalDecodable

extension CanonicalEncodable {
    /// The canonical encoding of this value.
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.encode(self)
        return encoder.bytes
    }
}

extension CanonicalDecodable {
    /// Decodes a value that must fill `canonicalBytes` exactly: trailing bytes are an error.
    public init(canonicalBytes: [UInt8]) throws(LedgerError) {
        var decoder = CanonicalDecoder(canonicalBytes)
        self = try decoder.decode(Self.self)
        try decoder.finish()
    }
}

/// Limits shared by the encoder and the decoder.
enum CanonicalFormat {
    /// Length and count prefixes are UInt32, so no declared maximum may exceed this.
    static let largestLength = Int(UInt32.max)
}

// MARK: - Fixed-width primitives

extension UInt8: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(self) }
    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) { self = try decoder.decodeUInt8() }
}

extension UInt16: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(self) }
    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) { self = try decoder.decodeUInt16() }
}

extension UInt32: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(self) }
    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) { self = try decoder.decodeUInt32() }
}

extension UInt64: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(self) }
    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) { self = try decoder.decodeUInt64() }
}

extension Int64: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(self) }
    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) { self = try decoder.decodeInt64() }
}

extension Bool: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(self) }
    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) { self = try decoder.decodeBool() }
}
