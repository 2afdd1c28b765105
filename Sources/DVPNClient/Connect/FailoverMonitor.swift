/// Decides when the serving node has stopped answering (issue 8 item 9), pure, with time (Unix
/// or monotonic milliseconds, one clock throughout) as an input so it is tested with a fake
/// clock.
///
/// Two signals, either one enough:
/// - **the session API is silent**: no successful reply (grant, receipt, liveness probe) for
///   `silence` while the client keeps asking at least every second; a node whose process died or
///   whose host is gone answers nothing;
/// - **the tunnel is one-way**: the tunnel kept sending (its transmit counter rose) but nothing
///   came back for `oneWay` — the WireGuard path is dead even if the API still answers — or the
///   tunnel tried to send (handshake initiations count) and no handshake completed within
///   `handshakeTimeout` of the tunnel coming up. `oneWay` must exceed WireGuard's
///   KEEPALIVE_TIMEOUT (10 s, whitepaper §6.5): a live peer that received data answers with at
///   least a keepalive within it, while data the exit refuses (port 25, private ranges) gets no
///   answer at all, so a shorter window would leave a healthy node for the user's own blocked
///   traffic.
///
/// An idle tunnel (neither counter moving) is not a failure: nothing was asked of it.
public struct FailoverMonitor: Sendable {
    public enum Verdict: Sendable, Hashable {
        case healthy
        /// Move to the next offer; the reason is for the one line that names the switch.
        case failover(String)
    }

    public let silence: UInt64
    public let oneWay: UInt64
    public let handshakeTimeout: UInt64
    private let startedAt: UInt64
    private var lastReply: UInt64
    private var lastRx: UInt64 = 0
    private var lastRxChangeAt: UInt64
    private var lastTx: UInt64 = 0
    private var txSinceRx = false
    private var handshakeSeen = false

    /// Defaults: 5 s of silence (a few missed once-a-second probes), 15 s one-way (KEEPALIVE_TIMEOUT
    /// plus REKEY_TIMEOUT, when WireGuard itself gives up on the session and starts a new
    /// handshake), 10 s for the first handshake (WireGuard retries an initiation after 5 s,
    /// `REKEY_TIMEOUT`, so two tries).
    public init(
        startedAt: UInt64, silenceMilliseconds: UInt64 = 5_000, oneWayMilliseconds: UInt64 = 15_000,
        handshakeTimeoutMilliseconds: UInt64 = 10_000
    ) {
        self.startedAt = startedAt
        silence = silenceMilliseconds
        oneWay = oneWayMilliseconds
        handshakeTimeout = handshakeTimeoutMilliseconds
        lastReply = startedAt
        lastRxChangeAt = startedAt
    }

    /// The node's session API answered (any valid reply).
    public mutating func replied(at now: UInt64) { lastReply = max(lastReply, now) }

    /// The tunnel's peer counters and whether a handshake has completed, read at `now`.
    public mutating func tunnel(rxBytes: UInt64, txBytes: UInt64, handshakeCompleted: Bool, at now: UInt64) {
        if handshakeCompleted { handshakeSeen = true }
        if rxBytes != lastRx {
            lastRx = rxBytes
            lastRxChangeAt = now
            txSinceRx = false
        }
        if txBytes != lastTx {
            lastTx = txBytes
            txSinceRx = true
        }
    }

    public func check(now: UInt64) -> Verdict {
        if now >= lastReply, now - lastReply >= silence {
            return .failover("no session reply for \((now - lastReply) / 1_000) s")
        }
        if !handshakeSeen, lastTx > 0, now >= startedAt, now - startedAt >= handshakeTimeout {
            return .failover("no WireGuard handshake within \(handshakeTimeout / 1_000) s")
        }
        if txSinceRx, now >= lastRxChangeAt, now - lastRxChangeAt >= oneWay {
            return .failover("the tunnel sent for \((now - lastRxChangeAt) / 1_000) s and received nothing")
        }
        return .healthy
    }
}
