/// Reads a canonical encoding (docs/encoding.md) and accepts nothing else: every byte string that
/// is not exactly the encoding of some value throws a `LedgerError` naming the field and offset.
///
/// The input usually comes from the network or from disk, so the decoder never traps, and it
/// never allocates more than the input could fill: a length prefix is checked against the declared
/// maximum and the remaining bytes before anything is read or reserved.
///
/// Every method takes a `field` name that the error's reason starts with; nested values decoded
/// through `decode(_:field:)` and arrays prepend their own name, so a reason reads like
/// `transactions[3].fee: truncated at byte 210: needs 8 bytes, 2 remain`.
public struct CanonicalDecoder: Sendable {
    /// How deeply `decode(_:field:)` calls may nest. The ledger's types nest a handful of levels;
    /// the bound keeps a recursive type from exhausting the stack on hostile input.
    public static let maxNestingDepth = 32

    private let input: [UInt8]
    /// The offset of the next byte to read.
    public private(set) var offset = 0
    private var depth = 0

    public init(_ bytes: [UInt8]) {
        input = bytes
    }

    /// How many bytes are left to read.
    public var remainingCount: Int { input.count - offset }

    /// Throws unless every byte has been read: a canonical encoding has no trailing bytes.
    public func finish() throws(LedgerError) {
        guard remainingCount == 0 else { throw .trailingBytes(remainingCount, at: offset) }
    }

    // MARK: Fixed-width values

    public mutating func decodeUInt8(field: String = "UInt8") throws(LedgerError) -> UInt8 {
        try readBigEndian(UInt8.self, field: field)
    }

    public mutating func decodeUInt16(field: String = "UInt16") throws(LedgerError) -> UInt16 {
        try readBigEndian(UInt16.self, field: field)
    }

    public mutating func decodeUInt32(field: String = "UInt32") throws(LedgerError) -> UInt32 {
        try readBigEndian(UInt32.self, field: field)
    }

    public mutating func decodeUInt64(field: String = "UInt64") throws(LedgerError) -> UInt64 {
        try readBigEndian(UInt64.self, field: field)
    }

    public mutating func decodeInt64(field: String = "Int64") throws(LedgerError) -> Int64 {
        Int64(bitPattern: try readBigEndian(UInt64.self, field: field))
    }

    /// Accepts only the bytes 0 and 1.
    public mutating func decodeBool(field: String = "Bool") throws(LedgerError) -> Bool {
        try readTag(field: field)
    }

    /// Exactly `count` bytes, no prefix.
    public mutating func decodeFixed(count: Int, field: String = "fixed bytes") throws(LedgerError) -> [UInt8] {
        Array(try take(count, field: field))
    }

    // MARK: Variable-length values

    /// A UInt32 length of at most `maxLength`, then that many bytes.
    public mutating func decodeBytes(maxLength: Int, field: String = "byte string") throws(LedgerError) -> [UInt8] {
        Array(try takeLengthPrefixed(maxLength: maxLength, field: field))
    }

    /// A byte string of at most `maxLength` bytes that must be well-formed UTF-8 (overlong forms,
    /// surrogates and code points above U+10FFFF are rejected). The String keeps those exact bytes,
    /// so re-encoding it gives back the input.
    public mutating func decodeString(maxLength: Int, field: String = "string") throws(LedgerError) -> String {
        let start = offset + 4
        let utf8 = try takeLengthPrefixed(maxLength: maxLength, field: field)
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw .invalidUTF8(field, at: start)
        }
        return string
    }

    /// A UInt32 count of at most `maxCount`, then that many values of `type`.
    public mutating func decodeArray<T: CanonicalDecodable>(
        of type: T.Type,
        maxCount: Int,
        field: String = "array"
    ) throws(LedgerError) -> [T] {
        try decodeArray(maxCount: maxCount, field: field) { decoder throws(LedgerError) in
            try decoder.decode(T.self)
        }
    }

    /// An array whose elements are read by `element`. An element's error is prefixed with
    /// `field[index]`.
    public mutating func decodeArray<T>(
        maxCount: Int,
        field: String = "array",
        element: (inout CanonicalDecoder) throws(LedgerError) -> T
    ) throws(LedgerError) -> [T] {
        let count = try decodeLength(maximum: maxCount, field: field)
        var result: [T] = []
        // Reserve no more than the remaining input could fill with one-byte elements, so a hostile
        // count cannot make us allocate; the loop stops at the first element the input lacks.
        result.reserveCapacity(Swift.min(count, remainingCount))
        for index in 0..<count {
            do {
                result.append(try element(&self))
            } catch {
                throw error.nested(in: "\(field)[\(index)]")
            }
        }
        return result
    }

    /// Tag 0 (nil) or tag 1 followed by a value of `type`.
    public mutating func decodeOptional<T: CanonicalDecodable>(
        of type: T.Type,
        field: String = "optional"
    ) throws(LedgerError) -> T? {
        guard try readTag(field: field) else { return nil }
        return try decode(T.self, field: field)
    }

    /// An optional whose wrapped value is read by `wrapped`.
    public mutating func decodeOptional<T>(
        field: String = "optional",
        wrapped: (inout CanonicalDecoder) throws(LedgerError) -> T
    ) throws(LedgerError) -> T? {
        guard try readTag(field: field) else { return nil }
        return try wrapped(&self)
    }

    /// A nested value, read by its own `init(from:)`. With a `field`, errors inside it are
    /// prefixed with that name.
    public mutating func decode<T: CanonicalDecodable>(
        _ type: T.Type = T.self,
        field: String? = nil
    ) throws(LedgerError) -> T {
        guard depth < Self.maxNestingDepth else {
            throw .nestedTooDeep(field ?? String(describing: T.self), at: offset)
        }
        depth += 1
        defer { depth -= 1 }
        do {
            return try T(from: &self)
        } catch {
            guard let field else { throw error }
            throw error.nested(in: field)
        }
    }

    // MARK: Reading

    /// The next `count` bytes, or a truncation error if the input is shorter.
    private mutating func take(_ count: Int, field: String) throws(LedgerError) -> ArraySlice<UInt8> {
        precondition(count >= 0, "\(field): negative byte count \(count)")
        guard count <= remainingCount else {
            throw .truncated(field, needed: count, remaining: remainingCount, at: offset)
        }
        let start = offset
        offset += count
        return input[start..<offset]
    }

    private mutating func readBigEndian<T: FixedWidthInteger & UnsignedInteger>(
        _ type: T.Type,
        field: String
    ) throws(LedgerError) -> T {
        var value: T = 0
        for byte in try take(MemoryLayout<T>.size, field: field) {
            value = value << 8 | T(byte)
        }
        return value
    }

    /// A Bool or an optional's presence tag: one byte, 0 or 1.
    private mutating func readTag(field: String) throws(LedgerError) -> Bool {
        let tagOffset = offset
        switch try readBigEndian(UInt8.self, field: field) {
        case 0: return false
        case 1: return true
        case let byte: throw .nonCanonicalTag(field, byte: byte, at: tagOffset)
        }
    }

    /// A UInt32 length or count prefix, checked against the field's declared maximum.
    private mutating func decodeLength(maximum: Int, field: String) throws(LedgerError) -> Int {
        precondition(
            (0...CanonicalFormat.largestLength).contains(maximum),
            "\(field): declared maximum \(maximum) does not fit a UInt32 length prefix"
        )
        let prefixOffset = offset
        let length = Int(try readBigEndian(UInt32.self, field: field))
        guard length <= maximum else {
            throw .overLong(field, length: length, maximum: maximum, at: prefixOffset)
        }
        return length
    }

    /// A length prefix and the bytes it announces, all checked before any is copied.
    private mutating func takeLengthPrefixed(maxLength: Int, field: String) throws(LedgerError) -> ArraySlice<UInt8> {
        try take(decodeLength(maximum: maxLength, field: field), field: field)
    }
}
