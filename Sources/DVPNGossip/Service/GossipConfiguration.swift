import Logging

/// Everything `GossipService` needs: who we are, where to listen, whom to dial, and the limits
/// (docs/p2p.md, "Limits").
public struct GossipConfiguration: Sendable {
    /// The chain: mixed into the handshake prologue and every link proof.
    public var chainID: String
    public var identity: LinkIdentity
    /// Where to accept links; port 0 picks a free port (see `GossipService.listeningPort`).
    public var listenHost: String
    public var listenPort: Int
    /// The `--peers` list.
    public var seeds: [PeerAddress]
    /// The largest frame a peer may send (and we send): checked on the length prefix, before any
    /// of the frame is buffered.
    public var maxFrameByteCount = 4 << 20
    /// Envelopes waiting to be written to one peer, bounded by count and by bytes
    /// (`OutboundQueue`). When full, the oldest are dropped: gossip is redundant (every item also
    /// reaches the peer through its other links, and consensus re-gossips what matters), and the
    /// newest messages (this round's votes) are the valuable ones; a peer too slow to keep up
    /// misses old items rather than holding our memory.
    public var outboundQueueLimit = 1024
    /// The byte budget of one peer's outbound queue (plaintext envelope bytes). At least
    /// `maxFrameByteCount`, so the largest envelope always fits; 1024 × 4 MiB would be 4 GiB.
    public var outboundQueueByteLimit = 16 << 20
    /// Inbound handshakes in progress, in total and from one remote host (`HandshakeSlots`): a
    /// connection past either cap is closed at accept, before any crypto. 8 per host leaves room
    /// for a loopback testnet, where every peer shares 127.0.0.1, and for peers behind one NAT.
    public var maxInboundHandshakes = 64
    public var maxInboundHandshakesPerHost = 8
    /// Hashes of gossiped items remembered for dedup.
    public var seenCacheCapacity = 100_000
    /// A link whose handshake has not completed by then is closed.
    public var handshakeTimeout: Duration = .seconds(5)
    /// How often the dialer looks for addresses to dial.
    public var dialInterval: Duration = .milliseconds(200)
    /// Frames buffered per link between the socket and the reader (NIO back-pressure watermarks):
    /// at most `inboundHighWatermark + 1` frames of one peer are in memory; beyond that the
    /// socket is not read and TCP flow control slows the peer down.
    public var inboundLowWatermark = 1
    public var inboundHighWatermark = 4
    public var peerBook = PeerBook.Configuration()
    public var logger = Logger(label: "dvpn.gossip")

    public init(chainID: String, identity: LinkIdentity, listenHost: String = "127.0.0.1", listenPort: Int, seeds: [PeerAddress] = []) {
        self.chainID = chainID
        self.identity = identity
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.seeds = seeds
    }

    func validate() throws(GossipError) {
        guard maxFrameByteCount >= 1024, outboundQueueLimit > 0, outboundQueueByteLimit >= maxFrameByteCount, seenCacheCapacity > 0,
              maxInboundHandshakes > 0, maxInboundHandshakesPerHost > 0, peerBook.pexInterval > .zero,
              inboundLowWatermark >= 1, inboundHighWatermark >= inboundLowWatermark,
              peerBook.maxInbound >= 0, peerBook.maxOutbound >= 0, (0...65535).contains(listenPort)
        else { throw GossipError(.invalidConfiguration, "gossip limits must be positive and the port in 0...65535") }
        _ = try LinkHandshake(role: .initiator, identity: identity, chainID: chainID)
    }
}

/// Counters for tests and metrics.
public struct GossipStatistics: Sendable, Equatable {
    public var handshakesFailed = 0
    /// Inbound connections closed at accept because too many handshakes were in progress.
    public var handshakesRefused = 0
    public var linksRefused = 0
    public var envelopesReceived = 0
    public var duplicatesDropped = 0
    public var envelopesRelayed = 0
    /// Queued envelopes dropped (oldest first) because a peer's queue was full by count or bytes.
    public var outboundDropped = 0
    public var penalties = 0
    public var bans = 0
}
