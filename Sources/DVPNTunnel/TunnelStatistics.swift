/// Counters of what the core dropped and why, device-wide. Every packet from the network that is
/// not used is counted in exactly one of the `dropped…`/`invalid…`/`replayed…` fields, so tests
/// and `wg`-like tools can see what happened without logs.
public struct TunnelStatistics: Hashable, Sendable {
    // MARK: Handshake messages

    /// Datagrams too short to carry a type, of an unknown type, or of the wrong size for their type.
    public var invalidMessages: UInt64 = 0
    /// Handshake messages whose MAC1 did not verify (not meant for our public key).
    public var invalidMAC1: UInt64 = 0
    /// Handshake messages answered with a cookie reply because we are under load and MAC2 was
    /// missing or stale.
    public var cookieRepliesSent: UInt64 = 0
    /// Handshake messages with a valid MAC2 dropped by the per-source rate limiter under load.
    public var rateLimitedHandshakes: UInt64 = 0
    /// Initiations that did not decrypt, named an unknown peer, or arrived with no private key.
    public var invalidInitiations: UInt64 = 0
    /// Initiations whose TAI64N timestamp was not newer than the last one from that peer.
    public var replayedInitiations: UInt64 = 0
    /// Initiations that came less than 1/50 s after the last accepted one from that peer.
    public var floodedInitiations: UInt64 = 0
    /// Responses to no pending initiation of ours, or that did not decrypt.
    public var invalidResponses: UInt64 = 0
    /// Cookie replies that were accepted and will be used for MAC2.
    public var cookieRepliesReceived: UInt64 = 0
    /// Cookie replies for an unknown index, unexpected, or that did not decrypt.
    public var invalidCookieReplies: UInt64 = 0

    // MARK: Transport packets

    /// Transport packets for a receiver index we do not know.
    public var unknownReceiverIndex: UInt64 = 0
    /// Transport packets for a key pair older than REJECT_AFTER_TIME.
    public var expiredKeypair: UInt64 = 0
    /// Transport packets whose authentication tag did not verify.
    public var decryptionFailures: UInt64 = 0
    /// Transport packets whose counter was already seen or fell behind the replay window.
    public var replayedPackets: UInt64 = 0
    /// Decrypted packets that are not a well-formed IPv4 or IPv6 packet.
    public var invalidInnerPackets: UInt64 = 0
    /// Decrypted packets whose source address is not in the sending peer's allowed IPs.
    public var disallowedSourceAddress: UInt64 = 0
    /// Decrypted packets refused by the destination filter (an exit's policy), all peers
    /// together; each peer's share is `PeerStatus.refusedPackets`.
    public var refusedDestinations: UInt64 = 0
    /// Keepalives (empty transport packets) received.
    public var keepalivesReceived: UInt64 = 0

    // MARK: Outgoing

    /// Packets from the TUN side that are not IPv4/IPv6 or are too short for their header.
    public var invalidOutgoingPackets: UInt64 = 0
    /// Packets from the TUN side whose destination no peer's allowed IPs cover.
    public var noRoute: UInt64 = 0
    /// Datagrams not sent because the peer has no endpoint yet.
    public var noEndpoint: UInt64 = 0
    /// Packets dropped from a peer's queue while waiting for a handshake (queue full, handshake
    /// given up, or keys zeroed).
    public var stagedPacketsDropped: UInt64 = 0

    public init() {}
}
