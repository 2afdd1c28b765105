import DVPNCrypto

/// One peer's timers (whitepaper §6, wireguard-go `device/timers.go`), as deadlines.
///
/// wireguard-go runs five Go timers per peer; here each is an optional instant that
/// `WireGuardDevice.handleTimers(now:output:)` compares with `now`. "Mod" is assigning a
/// deadline, "Del" is assigning nil, "IsPending" is `!= nil`.
struct PeerTimers {
    /// Resend the initiation if no response came (REKEY_TIMEOUT + jitter after sending it).
    var retransmitHandshake: TunnelInstant?
    /// Send a keepalive if we received data and sent nothing back (KEEPALIVE_TIMEOUT).
    var sendKeepalive: TunnelInstant?
    /// Start a new handshake if we sent data and heard nothing back (KEEPALIVE_TIMEOUT +
    /// REKEY_TIMEOUT + jitter).
    var newHandshake: TunnelInstant?
    /// Wipe all key material if no new handshake happens (3 × REJECT_AFTER_TIME).
    var zeroKeyMaterial: TunnelInstant?
    /// Send a keepalive every persistent-keepalive interval of silence.
    var persistentKeepalive: TunnelInstant?

    /// Retransmissions of the current initiation so far.
    var handshakeAttempts = 0
    /// Data arrived while a keepalive was already scheduled: schedule another after sending it.
    var needAnotherKeepalive = false
    /// We already started a handshake because the current keys are about to expire.
    var sentLastMinuteHandshake = false

    /// The earliest armed deadline.
    var earliest: TunnelInstant? {
        [retransmitHandshake, sendKeepalive, newHandshake, zeroKeyMaterial, persistentKeepalive]
            .compactMap { $0 }.min()
    }

    /// REKEY_TIMEOUT plus a random jitter of 0...333 ms drawn from `generator`, so that peers that
    /// lost packets at the same moment do not retry in lockstep (wireguard-go
    /// `timers.go`, `timersHandshakeInitiated`).
    static func rekeyTimeoutWithJitter(using generator: inout some RandomNumberGenerator) -> UInt64 {
        let jitter = generator.next(upperBound: ProtocolConstants.rekeyTimeoutJitterMaxMilliseconds)
        return ProtocolConstants.rekeyTimeout + UInt64(jitter) * ProtocolConstants.millisecond
    }
}
