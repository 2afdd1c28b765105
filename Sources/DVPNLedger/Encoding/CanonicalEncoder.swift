import Foundation

/// Writes the canonical encoding of a value (docs/encoding.md): fixed-width big-endian integers,
/// Bool as one byte 0 or 1, byte strings, strings and arrays behind a UInt32 big-endian length or
/// count, optionals behind a 0/1 tag. Nothing is implicit, so the bytes depend only on the value.
///
/// Every variable-length field declares its maximum. Handing the encoder a longer value is a bug
/// in the caller (values are validated where they enter the program), so it traps rather than
/// produce bytes that every decoder would reject.
public struct CanonicalEncoder: Sendable {
    /// The encoding written so far.
    public private(set) var bytes: [UInt8]

    public init() {
        bytes = []
    }

    /// An encoder that expects to write about `capacity` bytes.
    public init(reservingCapacity capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Fixed-width values

    public mutating func encode(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func encode(_ value: UInt16) {
        appendBigEndian(value)
    }

    public mutating func encode(_ value: UInt32) {
        appendBigEndian(value)
    }

    public mutating func encode(_ value: UInt64) {
        appendBigEndian(value)
    }

    /// Two's complement, big-endian, 8 bytes.
    public mutating func encode(_ value: Int64) {
        appendBigEndian(UInt64(bitPattern: value))
    }

    /// One byte: 1 for true, 0 for false.
    public mutating func encode(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// Exactly `count` bytes with no prefix, for values whose size the type fixes (keys, hashes,
    /// signatures).
    public mutating func encode(fixed value: some ContiguousBytes, count: Int, field: String = "fixed bytes") {
        value.withUnsafeBytes { raw in
            precondition(raw.count == count, "\(field): \(raw.count) bytes where exactly \(count) are required")
            bytes.append(contentsOf: raw)
        }
    }

    // MARK: Variable-length values

    /// A UInt32 length, then the bytes. Traps if there are more than `maxLength` bytes.
    public mutating func encode(bytes value: some ContiguousBytes, maxLength: Int, field: String = "byte string") {
        value.withUnsafeBytes { raw in
            appendLength(raw.count, maximum: maxLength, field: field)
            bytes.append(contentsOf: raw)
        }
    }

    /// The UTF-8 bytes of `string` as a byte string; `maxLength` counts UTF-8 bytes. The bytes
    /// are written as the String holds them: no Unicode normalisation.
    public mutating func encode(string: String, maxLength: Int, field: String = "string") {
        let utf8 = string.utf8
        appendLength(utf8.count, maximum: maxLength, field: field)
        bytes.append(contentsOf: utf8)
    }

    /// A UInt32 element count, then each element. Traps if there are more than `maxCount`.
    public mutating func encode<T: CanonicalEncodable>(array: [T], maxCount: Int, field: String = "array") {
        encode(array: array, maxCount: maxCount, field: field) { encoder, element in encoder.encode(element) }
    }

    /// An array whose elements are written by `element`, for elements that are not themselves
    /// `CanonicalEncodable` (strings and byte strings with their own maximum).
    public mutating func encode<T>(
        array: [T],
        maxCount: Int,
        field: String = "array",
        element: (inout CanonicalEncoder, T) -> Void
    ) {
        appendLength(array.count, maximum: maxCount, field: field)
        for item in array {
            element(&self, item)
        }
    }

    /// Tag 0 for nil; tag 1, then the value.
    public mutating func encode<T: CanonicalEncodable>(optional: T?) {
        encode(optional: optional) { encoder, value in encoder.encode(value) }
    }

    /// An optional whose wrapped value is written by `wrapped`.
    public mutating func encode<T>(optional: T?, wrapped: (inout CanonicalEncoder, T) -> Void) {
        guard let value = optional else {
            bytes.append(0)
            return
        }
        bytes.append(1)
        wrapped(&self, value)
    }

    /// A nested value, written by its own `encode(to:)`.
    public mutating func encode<T: CanonicalEncodable>(_ value: T) {
        value.encode(to: &self)
    }

    // MARK: Helpers

    private mutating func appendBigEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func appendLength(_ length: Int, maximum: Int, field: String) {
        precondition(
            (0...CanonicalFormat.largestLength).contains(maximum),
            "\(field): declared maximum \(maximum) does not fit a UInt32 length prefix"
        )
        precondition(length <= maximum, "\(field): length \(length) exceeds the declared maximum \(maximum)")
        appendBigEndian(UInt32(length))
    }
}
