#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The clock that drives the tunnel's timers.
///
/// WireGuard's timers (whitepaper §6) must keep counting while the machine sleeps: a session whose
/// keys are older than REJECT_AFTER_TIME must not be used after a resume. `CLOCK_MONOTONIC` stops
/// during suspend on Linux; `CLOCK_BOOTTIME` does not, so it is the one used here (wireguard-go
/// does the same). Reading it costs a vDSO call, no system call.
public enum BootClock {
    /// Nanoseconds since boot, suspend included.
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        #if os(Linux)
        let rc = clock_gettime(CLOCK_BOOTTIME, &ts)
        #else
        let rc = clock_gettime(CLOCK_MONOTONIC_RAW, &ts)
        #endif
        precondition(rc == 0, "clock_gettime cannot fail with a valid clock id")
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Seconds and nanoseconds since the Unix epoch, for the UAPI's `last_handshake_time_sec/nsec`
    /// (which `wg show` prints as "N seconds ago"): that field is wall-clock time by protocol.
    public static func wallClock() -> (seconds: Int64, nanoseconds: Int64) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int64(ts.tv_sec), Int64(ts.tv_nsec))
    }
}
