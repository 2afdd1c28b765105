/// An amount of money: an integer count of udvpn (1 DVPN = 1,000,000 udvpn).
///
/// Never a floating-point number: arithmetic is checked and throws on overflow or underflow, and
/// the decimal form ("0.05") is parsed and printed digit by digit, so "0.05" is exactly 50,000.
public struct Amount: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// udvpn per DVPN.
    public static let udvpnPerDVPN: UInt64 = 1_000_000
    /// Decimal places of the DVPN form.
    public static let decimals = 6
    public static let zero = Amount(udvpn: 0)

    public let udvpn: UInt64

    public init(udvpn: UInt64) { self.udvpn = udvpn }

    /// Parses a DVPN decimal: digits, optionally a point and one to six more digits ("12",
    /// "0.05", "1.000001"). Rejects signs, exponents, spaces, a bare point, more than six
    /// decimals, and amounts that do not fit in UInt64 udvpn.
    public init(dvpn text: String) throws(LedgerError) {
        let chars = Array(text.utf8)
        let point = chars.firstIndex(of: UInt8(ascii: "."))
        let whole = chars[..<(point ?? chars.endIndex)]
        let fraction = point.map { chars[($0 + 1)...] } ?? []
        func reject(_ why: String) -> LedgerError {
            LedgerError(.malformedEncoding, "\"\(text.prefix(40))\" is not a DVPN amount: \(why)")
        }
        guard !whole.isEmpty else { throw reject("expected digits before the decimal point") }
        guard point == nil || !fraction.isEmpty else { throw reject("expected digits after the decimal point") }
        guard fraction.count <= Self.decimals else {
            throw reject("at most \(Self.decimals) decimal places (1 udvpn = 0.000001 DVPN)")
        }
        let isDigit = { (c: UInt8) in c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        guard whole.allSatisfy(isDigit), fraction.allSatisfy(isDigit) else {
            throw reject("only digits and one decimal point are allowed")
        }
        var value: UInt64 = 0
        let padded = Array(whole) + Array(fraction) + Array(repeating: UInt8(ascii: "0"), count: Self.decimals - fraction.count)
        for c in padded {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw reject("larger than the largest amount, \(Amount(udvpn: .max))") }
            value = sum
        }
        udvpn = value
    }

    /// The DVPN decimal form with trailing zero decimals dropped: 50,000 udvpn is "0.05",
    /// 2,000,000 is "2".
    public var dvpnString: String {
        let whole = udvpn / Self.udvpnPerDVPN
        let fraction = udvpn % Self.udvpnPerDVPN
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: Self.decimals - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    public var description: String { "\(dvpnString) DVPN" }

    public func adding(_ other: Amount) throws(LedgerError) -> Amount {
        let (sum, overflow) = udvpn.addingReportingOverflow(other.udvpn)
        guard !overflow else {
            throw LedgerError(.outOfRange, "\(self) + \(other) overflows the largest amount")
        }
        return Amount(udvpn: sum)
    }

    public func subtracting(_ other: Amount) throws(LedgerError) -> Amount {
        guard other.udvpn <= udvpn else {
            throw LedgerError(.ruleViolation, "\(self) - \(other) would be negative")
        }
        return Amount(udvpn: udvpn - other.udvpn)
    }

    /// The sum of `amounts`, or an error on overflow.
    public static func sum(_ amounts: some Sequence<Amount>) throws(LedgerError) -> Amount {
        var total = Amount.zero
        for a in amounts { total = try total.adding(a) }
        return total
    }

    public static func < (lhs: Amount, rhs: Amount) -> Bool { lhs.udvpn < rhs.udvpn }
}

extension Amount: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(udvpn) }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        udvpn = try decoder.decodeUInt64()
    }
}
