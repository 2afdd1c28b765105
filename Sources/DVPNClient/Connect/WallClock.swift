import Foundation

/// The two clocks a connect reads: Unix time for what the node compares with its own clock
/// (request and end timestamps, the status file), and a monotonic clock for what only this
/// process compares (the payer's elapsed time, failover silences), so a clock step cannot make a
/// session look older or younger.
public enum WallClock {
    public static func unixMilliseconds() -> UInt64 { UInt64(max(0, Date().timeIntervalSince1970 * 1_000)) }

    private static let origin = ContinuousClock.now

    /// Milliseconds since this process first asked.
    public static func monotonicMilliseconds() -> UInt64 {
        let elapsed = ContinuousClock.now - origin
        return UInt64(elapsed.components.seconds) * 1_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}
