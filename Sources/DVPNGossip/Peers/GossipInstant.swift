/// A moment as the gossip cores see it: nanoseconds on a monotonic clock from an arbitrary
/// origin. The cores read no clock; `GossipService` reads `ContinuousClock` and tests pass a
/// manual one.
public struct GossipInstant: Comparable, Hashable, Sendable {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    public static let zero = GossipInstant(nanoseconds: 0)

    /// This instant moved forward by `duration` (saturating; negative durations count as zero).
    public func advanced(by duration: Duration) -> GossipInstant {
        GossipInstant(nanoseconds: nanoseconds.addingReportingOverflow(duration.nanosecondCount).overflow
            ? .max : nanoseconds + duration.nanosecondCount)
    }

    public static func < (lhs: GossipInstant, rhs: GossipInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to 0...UInt64.max.
    var nanosecondCount: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (sum, overflow2) = whole.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000))
        return overflow2 ? .max : sum
    }
}
