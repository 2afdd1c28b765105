/// A moment as the tunnel core sees it. The core reads no clock: the I/O layer reads both clocks
/// at the same moment and passes the result to every entry point.
///
/// - `nanoseconds` is monotonic time that keeps counting while the machine sleeps (Linux
///   `CLOCK_BOOTTIME`), so a laptop that wakes up after an hour sees its sessions as an hour old
///   and rekeys, as wireguard-go does. Every timer and every comparison uses it.
/// - `unixNanoseconds` is wall-clock time (`CLOCK_REALTIME`). It is used for one thing only: the
///   TAI64N timestamp in handshake initiations (whitepaper §5.1), which a responder must see
///   increase across our restarts, and it lets `PeerStatus.lastHandshake` be shown as a date.
///
/// Equality, hashing and ordering look at `nanoseconds` alone.
public struct TunnelInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64
    public var unixNanoseconds: UInt64

    public init(nanoseconds: UInt64, unixNanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
        self.unixNanoseconds = unixNanoseconds
    }

    /// This instant moved forward by `delta` nanoseconds on both clocks (saturating).
    @inlinable
    public func advanced(byNanoseconds delta: UInt64) -> TunnelInstant {
        TunnelInstant(
            nanoseconds: nanoseconds.addingSaturating(delta),
            unixNanoseconds: unixNanoseconds.addingSaturating(delta))
    }

    /// This instant moved forward by `duration` (negative durations are treated as zero).
    public func advanced(by duration: Duration) -> TunnelInstant {
        advanced(byNanoseconds: duration.tunnelNanoseconds)
    }

    /// Nanoseconds from `earlier` to `self`, zero when `earlier` is not earlier.
    @inlinable
    public func nanoseconds(since earlier: TunnelInstant) -> UInt64 {
        nanoseconds >= earlier.nanoseconds ? nanoseconds - earlier.nanoseconds : 0
    }

    public static func == (lhs: TunnelInstant, rhs: TunnelInstant) -> Bool { lhs.nanoseconds == rhs.nanoseconds }
    public static func < (lhs: TunnelInstant, rhs: TunnelInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    public func hash(into hasher: inout Hasher) { hasher.combine(nanoseconds) }

    public var description: String {
        "TunnelInstant(\(nanoseconds / 1_000_000_000).\(String(nanoseconds % 1_000_000_000 + 1_000_000_000).dropFirst())s)"
    }
}

extension UInt64 {
    @inlinable
    func addingSaturating(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to 0...UInt64.max.
    var tunnelNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        return whole.addingSaturating(UInt64(max(0, attoseconds) / 1_000_000_000))
    }
}
