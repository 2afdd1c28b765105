/// A TAI64N timestamp (whitepaper §5.1, cr.yp.to/libtai/tai64.html): 8 bytes of seconds since
/// 1970 TAI offset by 2^62 + 10, then 4 bytes of nanoseconds, both big-endian, so byte order is
/// time order.
///
/// Responders keep the newest one per peer and refuse initiations that do not carry a newer
/// one, which stops replayed initiations. As in wireguard-go, the nanoseconds are rounded down
/// to a multiple of 2^24 ns (about 16.8 ms) so the timestamp does not leak our precise clock.
struct TAI64N: Comparable, Hashable {
    static let byteCount = 12
    /// The TAI64 label of the Unix epoch: 2^62 + 10 leap seconds.
    private static let epochLabel: UInt64 = 0x4000_0000_0000_000A
    private static let whitenerMask: UInt32 = 0x00FF_FFFF

    var seconds: UInt64
    var nanoseconds: UInt32

    static let zero = TAI64N(seconds: 0, nanoseconds: 0)

    init(seconds: UInt64, nanoseconds: UInt32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// The timestamp of a wall-clock reading.
    init(unixNanoseconds: UInt64) {
        seconds = Self.epochLabel &+ unixNanoseconds / 1_000_000_000
        nanoseconds = UInt32(unixNanoseconds % 1_000_000_000) & ~Self.whitenerMask
    }

    /// Reads the 12 wire bytes; any value is a valid timestamp.
    init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == Self.byteCount)
        var s: UInt64 = 0
        var n: UInt32 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { s = s << 8 | UInt64(b) } else { n = n << 8 | UInt32(b) }
        }
        seconds = s
        nanoseconds = n
    }

    var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: seconds >> (56 - 8 * UInt64($0))) }
            + (0..<4).map { UInt8(truncatingIfNeeded: nanoseconds >> (24 - 8 * UInt32($0))) }
    }

    static func < (lhs: TAI64N, rhs: TAI64N) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }
}
