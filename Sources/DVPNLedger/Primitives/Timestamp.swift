import Foundation

/// A point in time on the ledger: milliseconds since 1970-01-01T00:00:00Z.
///
/// Block times come from the proposer and are checked to increase strictly; contracts see them as
/// an input, never a clock. Printed as RFC 3339 UTC in the genesis file.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let millisecondsSince1970: UInt64

    public init(millisecondsSince1970: UInt64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    /// The wall-clock time, for proposers; truncated to whole milliseconds.
    public init(_ date: Date) {
        millisecondsSince1970 = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    /// Parses RFC 3339 UTC with optional fractional seconds ("2025-01-01T00:00:00Z").
    public init(rfc3339 text: String) throws(LedgerError) {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard text.hasSuffix("Z"), let date = plain.date(from: text) ?? fractional.date(from: text),
              date.timeIntervalSince1970 >= 0
        else {
            throw LedgerError(.malformedEncoding, "\"\(text.prefix(40))\" is not an RFC 3339 UTC time such as 2025-01-01T00:00:00Z")
        }
        self.init(date)
    }

    public var rfc3339: String {
        let f = ISO8601DateFormatter()
        f.formatOptions = millisecondsSince1970 % 1000 == 0
            ? [.withInternetDateTime] : [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    public var date: Date { Date(timeIntervalSince1970: Double(millisecondsSince1970) / 1000) }

    /// Whole seconds since 1970, the unit contracts see.
    public var secondsSince1970: UInt64 { millisecondsSince1970 / 1000 }

    public var description: String { rfc3339 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }
}

extension Timestamp: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(millisecondsSince1970) }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        millisecondsSince1970 = try decoder.decodeUInt64()
    }
}
