/// A point in time in whole milliseconds, passed into the payment state machines (DESIGN.md:
/// protocol cores take time as an input and never read a clock).
///
/// The session state machines (`PayerSession`, `PayeeSession`) only compare instants of one
/// monotonic clock, so any origin works there; `SessionAdmission` compares the node's time with a
/// client's timestamp, so there both sides use Unix time (milliseconds since 1970-01-01 UTC).
public struct PaymentInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var milliseconds: UInt64

    public init(milliseconds: UInt64) { self.milliseconds = milliseconds }

    public static let zero = PaymentInstant(milliseconds: 0)

    /// Milliseconds from `earlier` to this instant; 0 if `earlier` is later (a clock never makes a
    /// session cost less, so going backwards counts as no time passing).
    public func milliseconds(since earlier: PaymentInstant) -> UInt64 {
        milliseconds >= earlier.milliseconds ? milliseconds - earlier.milliseconds : 0
    }

    /// This instant moved `delta` milliseconds later, saturating at the largest instant.
    public func advanced(byMilliseconds delta: UInt64) -> PaymentInstant {
        let (sum, overflow) = milliseconds.addingReportingOverflow(delta)
        return PaymentInstant(milliseconds: overflow ? .max : sum)
    }

    public static func < (lhs: PaymentInstant, rhs: PaymentInstant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public var description: String { "\(milliseconds) ms" }
}
