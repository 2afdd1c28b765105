import DVPNLedger

/// How far ahead of the traffic payment runs (DESIGN.md "Payments", issue 8 item 4): the size of
/// one payment step as a function of what this session has paid so far.
///
///     step(paid) = clamp(paid · (growth − 100) / 100, first, cap)
///
/// where `first` is the larger in money of `firstBytes` of traffic and `firstMilliseconds` of time
/// (and at least 1 udvpn), and `cap` likewise of `capBytes` and `capMilliseconds`. A client that
/// pays one step ahead each time makes its paid total grow by the step, so with growth 150 each
/// step is 1.5× the one before (paid P, step P/2, then paid 1.5P, step 0.75P) until the cap.
/// Defining the step by the paid amount, not by a voucher counter, keeps both ends in agreement
/// when vouchers are lost or reordered: each recomputes it from an amount it knows.
///
/// The defaults (`standard`): 1 MiB or 5 s first, ×1.5, cap 64 MiB or 60 s. Why these numbers, and
/// how they compare with Mysterium's, is in docs/session-protocol.md ("Step schedule").
///
/// Canonical encoding (in the session grant): `u64 firstBytes ‖ u64 firstMilliseconds ‖
/// u64 capBytes ‖ u64 capMilliseconds ‖ u16 growthPercent`.
public struct StepSchedule: Hashable, Sendable {
    public var firstBytes: UInt64
    public var firstMilliseconds: UInt64
    public var capBytes: UInt64
    public var capMilliseconds: UInt64
    /// Growth per paid step in percent, 101–400.
    public var growthPercent: UInt16

    public static let standard = StepSchedule(
        firstBytes: 1 << 20, firstMilliseconds: 5_000, capBytes: 64 << 20, capMilliseconds: 60_000, growthPercent: 150)

    /// The largest step a client accepts in a grant: 1 GiB of traffic or 10 minutes. A node asking
    /// for more would make a client prepay too much at once.
    public static let largestCapBytes: UInt64 = 1 << 30
    public static let largestCapMilliseconds: UInt64 = 600_000

    public init(firstBytes: UInt64, firstMilliseconds: UInt64, capBytes: UInt64, capMilliseconds: UInt64, growthPercent: UInt16) {
        self.firstBytes = firstBytes
        self.firstMilliseconds = firstMilliseconds
        self.capBytes = capBytes
        self.capMilliseconds = capMilliseconds
        self.growthPercent = growthPercent
    }

    /// Throws `.outOfRange` unless first ≤ cap ≤ the largest cap, growth is 101–400 % and the first
    /// step is not empty.
    public func validate() throws(PaymentError) {
        guard firstBytes > 0 || firstMilliseconds > 0 else {
            throw PaymentError(.outOfRange, "step schedule: the first step is empty")
        }
        guard firstBytes <= capBytes, firstMilliseconds <= capMilliseconds else {
            throw PaymentError(.outOfRange, "step schedule: the first step is larger than the cap")
        }
        guard capBytes <= Self.largestCapBytes, capMilliseconds <= Self.largestCapMilliseconds else {
            throw PaymentError(
                .outOfRange, "step schedule: the cap (\(capBytes) bytes, \(capMilliseconds) ms) is above 1 GiB or 10 minutes")
        }
        guard (101...400).contains(growthPercent) else {
            throw PaymentError(.outOfRange, "step schedule: growth \(growthPercent) % is outside 101–400 %")
        }
    }

    /// The first step's size at `price`: the larger of `firstBytes` and `firstMilliseconds` worth.
    public func firstStep(at price: Price) throws(PaymentError) -> Amount {
        try Self.larger(price.cost(bytes: firstBytes, milliseconds: 0), price.cost(bytes: 0, milliseconds: firstMilliseconds))
    }

    /// The largest step at `price` (never below the first).
    public func capStep(at price: Price) throws(PaymentError) -> Amount {
        let cap = try Self.larger(price.cost(bytes: capBytes, milliseconds: 0), price.cost(bytes: 0, milliseconds: capMilliseconds))
        return max(cap, try firstStep(at: price))
    }

    /// The step that follows `paid` (what this session has paid so far). Monotone in `paid`.
    public func step(after paid: Amount, at price: Price) throws(PaymentError) -> Amount {
        let first = try firstStep(at: price)
        let cap = try capStep(at: price)
        let grown = CheckedArithmetic.multiplyDivideSaturating(paid.udvpn, UInt64(growthPercent) - 100, 100)
        return min(cap, max(first, Amount(udvpn: grown)))
    }

    private static func larger(_ a: Amount, _ b: Amount) -> Amount { max(a, b, Amount(udvpn: 1)) }
}

extension StepSchedule: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(firstBytes)
        encoder.encode(firstMilliseconds)
        encoder.encode(capBytes)
        encoder.encode(capMilliseconds)
        encoder.encode(growthPercent)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        firstBytes = try decoder.decodeUInt64(field: "firstBytes")
        firstMilliseconds = try decoder.decodeUInt64(field: "firstMilliseconds")
        capBytes = try decoder.decodeUInt64(field: "capBytes")
        capMilliseconds = try decoder.decodeUInt64(field: "capMilliseconds")
        growthPercent = try decoder.decodeUInt16(field: "growthPercent")
    }
}
