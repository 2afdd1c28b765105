/// The errors the canonical decoder raises, built in one place so that every rejection reads the
/// same way: `<field path>: <what was wrong> at byte <offset>` (docs/encoding.md, "Errors").
extension LedgerError {
    /// The input ended inside a value.
    @inline(never)
    static func truncated(_ field: String, needed: Int, remaining: Int, at offset: Int) -> LedgerError {
        LedgerError(
            .malformedEncoding,
            "\(field): truncated at byte \(offset): needs \(needed) bytes, \(remaining) remain"
        )
    }

    /// A length or count prefix is larger than the maximum the field declares.
    @inline(never)
    static func overLong(_ field: String, length: Int, maximum: Int, at offset: Int) -> LedgerError {
        LedgerError(
            .outOfRange,
            "\(field): length \(length) at byte \(offset) exceeds the maximum \(maximum)"
        )
    }

    /// A Bool byte or an optional's presence tag is neither 0 nor 1.
    @inline(never)
    static func nonCanonicalTag(_ field: String, byte: UInt8, at offset: Int) -> LedgerError {
        LedgerError(
            .malformedEncoding,
            "\(field): byte 0x\(String(byte, radix: 16)) at byte \(offset) is neither 0 nor 1"
        )
    }

    /// A string's bytes are not well-formed UTF-8 (Unicode 15, §3.9, table 3-7).
    @inline(never)
    static func invalidUTF8(_ field: String, at offset: Int) -> LedgerError {
        LedgerError(.malformedEncoding, "\(field): the string at byte \(offset) is not valid UTF-8")
    }

    /// Bytes were left over after the value ended.
    @inline(never)
    static func trailingBytes(_ count: Int, at offset: Int) -> LedgerError {
        LedgerError(.malformedEncoding, "\(count) trailing bytes after the value ending at byte \(offset)")
    }

    /// Values nested deeper than `CanonicalDecoder.maxNestingDepth`.
    @inline(never)
    static func nestedTooDeep(_ field: String, at offset: Int) -> LedgerError {
        LedgerError(
            .outOfRange,
            "\(field): nested deeper than \(CanonicalDecoder.maxNestingDepth) levels at byte \(offset)"
        )
    }

    /// The same error with `field` prepended to its path, so that a failure deep inside a
    /// composite value names where it happened (`block.transactions[3].fee: …`). Keeps the file and
    /// line where the error was first raised.
    func nested(in field: String) -> LedgerError {
        LedgerError(code, "\(field).\(reason)", file: file, line: line)
    }
}
