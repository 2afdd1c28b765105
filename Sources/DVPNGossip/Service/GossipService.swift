import DVPNCrypto
import DVPNLedger
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The P2P service (docs/p2p.md): listens for links, dials seeds and PEX-learnt addresses,
/// authenticates every link with the Noise XX handshake of `LinkHandshake`, and gossips
/// envelopes between the node (`GossipDelegate`) and its peers.
///
/// The node composes it in its `ServiceGroup`, sends with `broadcast(_:)` and `send(_:to:)`, and
/// receives through its delegate. Peer bookkeeping is the pure `PeerBook`; this type only
/// moves bytes and reads the clock.
public final class GossipService: Service, Sendable {
    let configuration: GossipConfiguration
    let delegate: any GossipDelegate
    let logger: Logger
    private let origin = ContinuousClock.now
    /// Everything shared between the accept loop, the dialer and the links. One lock, held only
    /// for bookkeeping (never across an `await` or I/O), guards it.
    let state: Mutex<SharedState>

    struct SharedState: Sendable {
        var book: PeerBook
        var seen: SeenCache
        var links: [PeerID: Outbox] = [:]
        var handshakes: HandshakeSlots
        var listeningPort: Int?
        var statistics = GossipStatistics()
        var random: UInt64
    }

    public init(configuration: GossipConfiguration, delegate: any GossipDelegate) throws(GossipError) {
        try configuration.validate()
        self.configuration = configuration
        self.delegate = delegate
        logger = configuration.logger
        state = Mutex(SharedState(
            book: PeerBook(configuration: configuration.peerBook, localPeer: configuration.identity.peerID, seeds: configuration.seeds),
            seen: SeenCache(capacity: configuration.seenCacheCapacity),
            handshakes: HandshakeSlots(
                maxTotal: configuration.maxInboundHandshakes, maxPerHost: configuration.maxInboundHandshakesPerHost),
            random: UInt64.random(in: 1...UInt64.max)))
    }

    // MARK: The node's interface

    /// Sends a new item of ours to every linked peer (and remembers its hash, so the echo that
    /// comes back is dropped). Returns the number of peers it was queued for.
    @discardableResult
    public func broadcast(_ envelope: GossipEnvelope) -> Int {
        let bytes = envelope.canonicalBytes
        return state.withLock { state in
            if envelope.kind.isGossiped { state.seen.insert(envelope.hash) }
            return Self.enqueue(bytes, to: Array(state.links.keys), in: &state)
        }
    }

    /// Sends one envelope to one peer (block sync answers, requests). False when not linked.
    @discardableResult
    public func send(_ envelope: GossipEnvelope, to peer: PeerID) -> Bool {
        let bytes = envelope.canonicalBytes
        return state.withLock { Self.enqueue(bytes, to: [peer], in: &$0) == 1 }
    }

    /// The peers we hold links to.
    public var connectedPeers: [PeerID] { state.withLock { Array($0.links.keys) } }

    /// The bound port once listening (useful with `listenPort: 0`).
    public var listeningPort: Int? { state.withLock { $0.listeningPort } }

    public var statistics: GossipStatistics { state.withLock { $0.statistics } }

    public func isBanned(_ peer: PeerID) -> Bool {
        let now = currentInstant()
        return state.withLock { $0.book.isBanned(peer, now: now) }
    }

    // MARK: Running

    /// Listens and dials until the task is cancelled or the service group shuts down
    /// gracefully; then every link is closed and `run` returns.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await self.runNetwork()
            }
        } catch is CancellationError {
            return
        }
    }

    private func runNetwork() async throws {
        // Accepted connections come out raw, with reading off, and are wrapped in their link's
        // task: an async channel made in the accept initializer but still queued when the
        // service stops would be dropped unfinished, which NIO traps on ("Deinited
        // NIOAsyncWriter without calling finish()"). Nothing is read before the handlers are in.
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .bind(host: configuration.listenHost, port: configuration.listenPort) { channel in
                channel.eventLoop.makeCompletedFuture { channel }
            }
        let port = server.channel.localAddress?.port
        state.withLock { $0.listeningPort = port }
        logger.info("gossip listening", metadata: ["port": "\(port ?? -1)", "peer": "\(configuration.identity.peerID)"])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                try await server.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { links in
                        for try await channel in inbound {
                            // Capped before any crypto: a connection past the cap is closed here.
                            let host = channel.remoteAddress?.ipAddress ?? "unknown"
                            let admitted = self.state.withLock { state in
                                let admitted = state.handshakes.acquire(host: host)
                                if !admitted { state.statistics.handshakesRefused += 1 }
                                return admitted
                            }
                            guard admitted else {
                                self.logger.debug("handshake refused: too many in progress", metadata: ["host": "\(host)"])
                                try? await channel.close()
                                continue
                            }
                            links.addTask {
                                let wrapped: NIOAsyncChannel<ByteBuffer, ByteBuffer>
                                do {
                                    wrapped = try await channel.eventLoop.submit {
                                        let wrapped = try self.wrap(channel)
                                        try channel.syncOptions?.setOption(.autoRead, value: true)
                                        return wrapped
                                    }.get()
                                } catch {
                                    self.state.withLock { $0.handshakes.release(host: host) }
                                    try? await channel.close()
                                    return
                                }
                                await self.runLink(wrapped, direction: .inbound, address: nil, handshakeHost: host)
                            }
                        }
                    }
                }
            }
            while !Task.isCancelled {
                let now = currentInstant()
                let due = state.withLock { state in
                    let pex = GossipEnvelope(kind: .pexRequest, payload: []).canonicalBytes
                    _ = Self.enqueue(pex, to: state.book.takePexDue(now: now), in: &state)
                    return state.book.takeDialable(now: now)
                }
                for address in due {
                    group.addTask { await self.dial(address) }
                }
                try await Task.sleep(for: configuration.dialInterval)
            }
            group.cancelAll()
        }
    }

    private func dial(_ address: PeerAddress) async {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            // Connect first, wrap once connected: an async channel made by a connect initializer
            // is dropped unfinished when the connect then fails, which NIO traps on. The
            // initiator speaks first in XX, so nothing is read before the handlers are in place.
            let raw = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(3))
                .connect(host: address.host, port: Int(address.port)).get()
            do {
                channel = try await raw.eventLoop.submit { try self.wrap(raw) }.get()
            } catch {
                try? await raw.close()
                throw error
            }
        } catch {
            logger.debug("dial failed", metadata: ["address": "\(address)", "error": "\(error)"])
            let now = currentInstant()
            state.withLock { $0.book.dialFailed(address, now: now, random: $0.nextRandom()) }
            return
        }
        await runLink(channel, direction: .outbound, address: address)
    }

    /// The pipeline of every link: frames in and out, then the async bridge with tight
    /// back-pressure watermarks.
    private func wrap(_ channel: any Channel) throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(FrameDecoder(maxLength: configuration.maxFrameByteCount)))
        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
        return try NIOAsyncChannel(
            wrappingChannelSynchronously: channel,
            configuration: .init(
                backPressureStrategy: .init(
                    lowWatermark: configuration.inboundLowWatermark, highWatermark: configuration.inboundHighWatermark)))
    }

    func currentInstant() -> GossipInstant {
        GossipInstant(nanoseconds: (ContinuousClock.now - origin).nanosecondCount)
    }

    /// Queues envelope bytes for each peer; counts the items dropped to make room (and an item
    /// too large for a queue's byte budget, which is not queued).
    static func enqueue(_ bytes: [UInt8], to peers: [PeerID], in state: inout SharedState) -> Int {
        var queued = 0
        for peer in peers {
            guard state.links[peer] != nil else { continue }
            switch state.links[peer]?.queue.push(bytes) {
            case .queued(let dropped):
                queued += 1
                state.statistics.outboundDropped += dropped
                state.links[peer]?.wake.yield()
            case .tooLarge:
                state.statistics.outboundDropped += 1
            case nil:
                continue
            }
        }
        return queued
    }
}

extension GossipService {
    /// One link's outbound side: its bounded queue and the signal that wakes its writer. The
    /// signal buffers at most one wake-up (the writer drains the whole queue on each).
    struct Outbox: Sendable {
        var queue: OutboundQueue
        let wake: AsyncStream<Void>.Continuation
    }
}

extension GossipService.SharedState {
    /// SplitMix64 over a random seed: jitter for backoffs, no cryptographic use.
    mutating func nextRandom() -> UInt64 {
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
