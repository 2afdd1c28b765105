/// What a peer did wrong, and what it costs (docs/p2p.md, "Scoring and bans"). A fresh peer
/// starts at 0 and is disconnected and banned at `PeerScore.banThreshold`; well-behaved
/// messages earn back up to `maxScore`, so a long-standing peer survives the odd invalid message
/// (a transaction that became invalid while in flight) but not a stream of them.
public enum Misbehaviour: Sendable, Hashable {
    /// An envelope that does not decode, or a PEX payload that does not.
    case undecodable
    /// An envelope the node judged invalid (bad signature, wrong height…).
    case invalid
    /// More messages than the rate limit allows.
    case flooding
    /// A frame above the size limit, or one that does not decrypt: the stream cannot be trusted
    /// any more, so these ban at once.
    case corruptStream

    public var penalty: Int {
        switch self {
        case .undecodable: 40
        case .invalid: 20
        case .flooding: 10
        case .corruptStream: PeerScore.maxScore - PeerScore.banThreshold
        }
    }
}

/// A connected peer's standing, with a token-bucket rate limit on its messages. Time is an input.
public struct PeerScore: Sendable {
    public static let banThreshold = -100
    public static let maxScore = 50

    public private(set) var score = 0
    private var tokens: Double
    private var lastRefill: GossipInstant
    private let burst: Double
    private let perSecond: Double

    /// `messagesPerSecond` sustained, bursts of `burst`.
    public init(messagesPerSecond: Double, burst: Double, now: GossipInstant) {
        precondition(messagesPerSecond > 0 && burst >= 1)
        perSecond = messagesPerSecond
        self.burst = burst
        tokens = burst
        lastRefill = now
    }

    /// True once the peer must be disconnected and banned.
    public var isBelowThreshold: Bool { score <= Self.banThreshold }

    public mutating func penalize(_ what: Misbehaviour) {
        score = max(Self.banThreshold - 1, score - what.penalty)
    }

    /// A message that was fine.
    public mutating func reward() {
        score = min(Self.maxScore, score + 1)
    }

    /// Takes one token; false (and a `.flooding` penalty) when the bucket is empty.
    public mutating func admitMessage(now: GossipInstant) -> Bool {
        if now > lastRefill {
            let elapsed = Double(now.nanoseconds - lastRefill.nanoseconds) / 1e9
            tokens = min(burst, tokens + elapsed * perSecond)
            lastRefill = now
        }
        guard tokens >= 1 else {
            penalize(.flooding)
            return false
        }
        tokens -= 1
        return true
    }
}
