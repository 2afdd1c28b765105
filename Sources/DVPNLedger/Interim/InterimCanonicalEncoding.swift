// INTERIM: a stand-in for the canonical encoding that lands on branch `encoding`
// (`Sources/DVPNLedger/Encoding/`), written to the API in the helper brief so the ledger types
// compile before it lands. Delete this file when merging `encoding`.
import Foundation

/// Appends the canonical bytes of values: fixed-width big-endian integers, UInt32-length-prefixed
/// byte strings and arrays.
public struct CanonicalEncoder: Sendable {
    public var bytes: [UInt8] = []

    public init() {}

    public mutating func encode(_ v: UInt8) { bytes.append(v) }
    public mutating func encode(_ v: UInt16) { appendBigEndian(UInt64(v), width: 2) }
    public mutating func encode(_ v: UInt32) { appendBigEndian(UInt64(v), width: 4) }
    public mutating func encode(_ v: UInt64) { appendBigEndian(v, width: 8) }
    public mutating func encode(_ v: Int64) { appendBigEndian(UInt64(bitPattern: v), width: 8) }
    public mutating func encode(_ v: Bool) { bytes.append(v ? 1 : 0) }

    public mutating func encode(bytes value: some ContiguousBytes, maxLength: Int) {
        value.withUnsafeBytes { raw in
            precondition(raw.count <= maxLength, "encoding \(raw.count) bytes over the limit \(maxLength)")
            encode(UInt32(raw.count))
            bytes.append(contentsOf: raw)
        }
    }

    public mutating func encode(fixed value: some ContiguousBytes, count: Int) {
        value.withUnsafeBytes { raw in
            precondition(raw.count == count, "fixed field of \(count) bytes given \(raw.count)")
            bytes.append(contentsOf: raw)
        }
    }

    public mutating func encode(string: String, maxLength: Int) {
        encode(bytes: Array(string.utf8), maxLength: maxLength)
    }

    public mutating func encode<T: CanonicalEncodable>(_ v: T) { v.encode(to: &self) }

    public mutating func encode<T: CanonicalEncodable>(array: [T], maxCount: Int) {
        precondition(array.count <= maxCount, "encoding \(array.count) elements over the limit \(maxCount)")
        encode(UInt32(array.count))
        for element in array { element.encode(to: &self) }
    }

    public mutating func encode<T: CanonicalEncodable>(optional: T?) {
        if let optional {
            encode(UInt8(1))
            optional.encode(to: &self)
        } else {
            encode(UInt8(0))
        }
    }

    private mutating func appendBigEndian(_ v: UInt64, width: Int) {
        for i in stride(from: width - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))))
        }
    }
}

/// Reads canonical bytes strictly: every length is bounded, booleans are 0 or 1, and `finish()`
/// rejects trailing bytes.
public struct CanonicalDecoder: Sendable {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    private mutating func take(_ n: Int) throws(LedgerError) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - position >= n else {
            throw LedgerError(.malformedEncoding, "input ends after \(bytes.count) bytes, needed \(n) more at offset \(position)")
        }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    private mutating func bigEndian(_ width: Int) throws(LedgerError) -> UInt64 {
        var v: UInt64 = 0
        for b in try take(width) { v = v << 8 | UInt64(b) }
        return v
    }

    public mutating func decodeUInt8() throws(LedgerError) -> UInt8 { UInt8(try bigEndian(1)) }
    public mutating func decodeUInt16() throws(LedgerError) -> UInt16 { UInt16(try bigEndian(2)) }
    public mutating func decodeUInt32() throws(LedgerError) -> UInt32 { UInt32(try bigEndian(4)) }
    public mutating func decodeUInt64() throws(LedgerError) -> UInt64 { try bigEndian(8) }
    public mutating func decodeInt64() throws(LedgerError) -> Int64 { Int64(bitPattern: try bigEndian(8)) }

    public mutating func decodeBool() throws(LedgerError) -> Bool {
        switch try decodeUInt8() {
        case 0: return false
        case 1: return true
        case let b: throw LedgerError(.malformedEncoding, "boolean byte \(b) is neither 0 nor 1")
        }
    }

    public mutating func decodeBytes(maxLength: Int) throws(LedgerError) -> [UInt8] {
        let n = Int(try decodeUInt32())
        guard n <= maxLength else {
            throw LedgerError(.outOfRange, "byte string of \(n) bytes exceeds the limit \(maxLength)")
        }
        return Array(try take(n))
    }

    public mutating func decodeFixed(count: Int) throws(LedgerError) -> [UInt8] { Array(try take(count)) }

    public mutating func decodeString(maxLength: Int) throws(LedgerError) -> String {
        let raw = try decodeBytes(maxLength: maxLength)
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw LedgerError(.malformedEncoding, "string is not valid UTF-8")
        }
        return s
    }

    public mutating func decode<T: CanonicalDecodable>(_: T.Type) throws(LedgerError) -> T {
        try T(from: &self)
    }

    public mutating func decodeArray<T: CanonicalDecodable>(of _: T.Type, maxCount: Int) throws(LedgerError) -> [T] {
        let n = Int(try decodeUInt32())
        guard n <= maxCount else {
            throw LedgerError(.outOfRange, "array of \(n) elements exceeds the limit \(maxCount)")
        }
        var out: [T] = []
        out.reserveCapacity(min(n, 1024))
        for _ in 0..<n { out.append(try T(from: &self)) }
        return out
    }

    public mutating func decodeOptional<T: CanonicalDecodable>(of _: T.Type) throws(LedgerError) -> T? {
        switch try decodeUInt8() {
        case 0: return nil
        case 1: return try T(from: &self)
        case let b: throw LedgerError(.malformedEncoding, "optional tag \(b) is neither 0 nor 1")
        }
    }

    public func finish() throws(LedgerError) {
        guard position == bytes.count else {
            throw LedgerError(.malformedEncoding, "\(bytes.count - position) trailing bytes")
        }
    }
}

public protocol CanonicalEncodable {
    func encode(to encoder: inout CanonicalEncoder)
}

public protocol CanonicalDecodable {
    init(from decoder: inout CanonicalDecoder) throws(LedgerError)
}

public typealias CanonicalCodable = CanonicalEncodable & CanonicalDecodable

extension CanonicalEncodable {
    public var canonicalBytes: [UInt8] {
        var e = CanonicalEncoder()
        encode(to: &e)
        return e.bytes
    }
}

extension CanonicalDecodable {
    public init(canonicalBytes: [UInt8]) throws(LedgerError) {
        var d = CanonicalDecoder(canonicalBytes)
        self = try Self(from: &d)
        try d.finish()
    }
}

/// Domain separation for signed messages: every signature covers `tag ‖ chain id ‖ body`.
public struct SigningDomain: Sendable, Hashable {
    public let tag: String

    public init(tag: String) { self.tag = tag }

    public static let transaction = SigningDomain(tag: "dvpn/tx/v1")

    public func message(chainID: String, body: [UInt8]) -> [UInt8] {
        var e = CanonicalEncoder()
        e.encode(string: tag, maxLength: 256)
        e.encode(string: chainID, maxLength: 256)
        e.bytes.append(contentsOf: body)
        return e.bytes
    }
}
