import DVPNLedger

/// An offer's price in integer udvpn (issue 8 item 2): `perGiB` for every 2^30 inner bytes, in
/// both directions together, plus `perHour` for every hour of session time (0 when the offer has
/// no hourly price).
///
/// Canonical encoding: `u64 perGiB ‖ u64 perHour` (udvpn), as the session grant carries it.
public struct Price: Hashable, Sendable, CustomStringConvertible {
    public static let bytesPerGiB: UInt64 = 1 << 30
    public static let millisecondsPerHour: UInt64 = 3_600_000

    public var perGiB: Amount
    public var perHour: Amount

    public init(perGiB: Amount, perHour: Amount = .zero) {
        self.perGiB = perGiB
        self.perHour = perHour
    }

    public var isFree: Bool { perGiB == .zero && perHour == .zero }

    /// What `bytes` of traffic over `milliseconds` of session time cost: each part rounded up to
    /// the next udvpn (so neither part is ever free by rounding), then added. Monotone in both
    /// arguments, which the step bounds rely on. Throws `.outOfRange` instead of overflowing.
    public func cost(bytes: UInt64, milliseconds: UInt64) throws(PaymentError) -> Amount {
        guard let traffic = CheckedArithmetic.multiplyDivideRoundingUp(bytes, perGiB.udvpn, Self.bytesPerGiB) else {
            throw PaymentError(.outOfRange, "\(bytes) bytes at \(perGiB) per GiB overflow the largest amount")
        }
        guard let time = CheckedArithmetic.multiplyDivideRoundingUp(milliseconds, perHour.udvpn, Self.millisecondsPerHour)
        else {
            throw PaymentError(.outOfRange, "\(milliseconds) ms at \(perHour) per hour overflow the largest amount")
        }
        return try CheckedArithmetic.add(Amount(udvpn: traffic), Amount(udvpn: time), "the cost of \(bytes) bytes and \(milliseconds) ms")
    }

    /// The largest byte count whose cost over `milliseconds` is at most `budget`: 0 when the time
    /// alone costs more, UInt64.max when traffic is free or the budget covers more than 2^64 bytes.
    /// This is the inverse of `cost` that turns a paid allowance into a forwarding limit.
    public func bytes(affordableWith budget: Amount, milliseconds: UInt64) -> UInt64 {
        guard let time = CheckedArithmetic.multiplyDivideRoundingUp(milliseconds, perHour.udvpn, Self.millisecondsPerHour),
            time <= budget.udvpn
        else { return 0 }
        let left = budget.udvpn - time
        guard perGiB.udvpn > 0 else { return .max }
        // ⌈b·p / G⌉ ≤ left  ⇔  b·p ≤ left·G  ⇔  b ≤ ⌊left·G / p⌋.
        return CheckedArithmetic.multiplyDivideSaturating(left, Self.bytesPerGiB, perGiB.udvpn)
    }

    public var description: String {
        perHour == .zero ? "\(perGiB.dvpnString) DVPN/GiB" : "\(perGiB.dvpnString) DVPN/GiB + \(perHour.dvpnString) DVPN/h"
    }
}

extension Price: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(perGiB)
        encoder.encode(perHour)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        perGiB = try decoder.decode(Amount.self, field: "perGiB")
        perHour = try decoder.decode(Amount.self, field: "perHour")
    }
}
