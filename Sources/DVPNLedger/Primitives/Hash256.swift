import DVPNCrypto
import Foundation

/// A 32-byte SHA-256 digest: block hashes, transaction ids, Merkle and state roots.
///
/// Printed and parsed as 64 lowercase hex digits. The all-zero value stands for "no hash" where a
/// field must be present but has nothing to point at (the previous-commit hash of height 1).
public struct Hash256: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public static let zero = Hash256(unchecked: [UInt8](repeating: 0, count: byteCount))

    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(LedgerError) {
        guard bytes.count == Self.byteCount else {
            throw LedgerError(.outOfRange, "a hash is \(Self.byteCount) bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// For digests this module computes itself, which are 32 bytes by construction.
    init(unchecked bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount)
        self.bytes = bytes
    }

    /// Parses 64 hex digits (either case).
    public init(hex: String) throws(LedgerError) {
        guard let raw = Hex.decode(hex), raw.count == Self.byteCount else {
            throw LedgerError(.malformedEncoding, "expected \(Self.byteCount * 2) hex digits, got \"\(hex.prefix(80))\"")
        }
        bytes = raw
    }

    /// SHA-256 of `data`.
    public static func sha256(_ data: some ContiguousBytes) -> Hash256 {
        Hash256(unchecked: SHA256.hash(data))
    }

    /// BIP340-style tagged hash: one domain per kind of object, so a block hash can never be taken
    /// for a transaction id.
    public static func tagged(_ tag: String, _ data: [UInt8]) -> Hash256 {
        Hash256(unchecked: SHA256.tagged(tag, data))
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    /// The 32 bytes fed to the hasher in one call. The synthesised conformance hashes an array
    /// element by element (33 hasher calls); hashes key the mempool, the signature cache and the
    /// store's lookups, so that showed up in transfer throughput (issue 7). Equal values still
    /// hash equally, and `Hasher` is seeded per process, so nothing can depend on the values.
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func < (lhs: Hash256, rhs: Hash256) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

extension Hash256: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(fixed: bytes, count: Self.byteCount)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        bytes = try decoder.decodeFixed(count: Self.byteCount)
    }
}

/// Lowercase hexadecimal, for hashes and keys in JSON and logs.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Nil unless `string` is an even number of hex digits.
    public static func decode(_ string: String) -> [UInt8]? {
        let chars = Array(string.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = value(chars[i]), let lo = value(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
