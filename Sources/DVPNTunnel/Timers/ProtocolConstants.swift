/// The protocol's constants (whitepaper §6.1 table, wireguard-go `device/constants.go`).
/// Durations are in nanoseconds, the unit of `TunnelInstant`.
enum ProtocolConstants {
    static let second: UInt64 = 1_000_000_000
    static let millisecond: UInt64 = 1_000_000

    /// Start a new handshake after this many messages on one key pair (initiator or responder).
    static let rekeyAfterMessages: UInt64 = 1 << 60
    /// Never send or accept a counter at or above this: 2^64 − 2^13 − 1.
    static let rejectAfterMessages: UInt64 = UInt64.max - (1 << 13)
    /// The initiator of a session starts a new handshake once it is this old.
    static let rekeyAfterTime: UInt64 = 120 * second
    /// A key pair older than this is never used again, in either direction.
    static let rejectAfterTime: UInt64 = 180 * second
    /// Give up on a handshake (drop queued packets) after trying this long.
    static let rekeyAttemptTime: UInt64 = 90 * second
    /// Retransmit an unanswered initiation after this, plus jitter.
    static let rekeyTimeout: UInt64 = 5 * second
    /// REKEY_ATTEMPT_TIME / REKEY_TIMEOUT: retransmissions before giving up.
    static let maxTimerHandshakes: Int = Int(rekeyAttemptTime / rekeyTimeout)
    /// Jitter added to REKEY_TIMEOUT is uniform in 0..<334 ms (wireguard-go), so at most 333 ms.
    static let rekeyTimeoutJitterMaxMilliseconds: UInt32 = 334
    /// Send a keepalive when we received data and sent nothing back for this long.
    static let keepaliveTimeout: UInt64 = 10 * second
    /// Cookie secrets (responder) and received cookies (initiator) live this long.
    static let cookieRefreshTime: UInt64 = 120 * second
    /// At most one initiation per peer is accepted in this interval (1/50 s).
    static let handshakeInitiationRate: UInt64 = second / 50
    /// Transport plaintexts are padded to a multiple of this.
    static let paddingMultiple = 16
    /// Packets queued per peer while waiting for a session; the oldest is dropped when full.
    static let stagedQueueSize = 128
}
