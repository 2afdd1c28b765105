/// Which peers a node knows, dials, holds and bans: the pure core of peer management, time and
/// randomness passed in (docs/p2p.md, "Peer management"). `GossipService` drives it and tests
/// drive it with a manual clock.
public struct PeerBook: Sendable {
    public struct Configuration: Sendable {
        /// Most links a node accepts.
        public var maxInbound = 20
        /// Most links a node dials and holds.
        public var maxOutbound = 10
        /// Most addresses remembered (seeds always stay; PEX answers beyond it are ignored).
        public var maxKnownAddresses = 1000
        /// The first redial delay; it doubles per failure up to `maxBackoff`, and each delay is
        /// drawn uniformly from its upper half (jitter, so that nodes restarted together do not
        /// redial in step).
        public var initialBackoff: Duration = .milliseconds(500)
        public var maxBackoff: Duration = .seconds(300)
        /// How long a peer that fell below the score threshold stays banned.
        public var banDuration: Duration = .seconds(600)
        /// The per-peer message rate limit.
        public var messagesPerSecond: Double = 2000
        public var messageBurst: Double = 4000
        /// How often each linked peer is asked for addresses again after the request at link-up,
        /// so addresses of nodes that joined later spread (a node that linked early would
        /// otherwise know only the peers its neighbours had at that moment).
        public var pexInterval: Duration = .seconds(30)

        public init() {}
    }

    public enum Direction: Sendable, Hashable {
        case inbound
        case outbound
    }

    public enum Admission: Sendable, Equatable {
        case accepted
        case refused(String)
    }

    struct AddressState: Sendable {
        var isSeed: Bool
        var failures = 0
        var nextAttempt = GossipInstant.zero
        var dialing = false
        var connectedPeer: PeerID?
    }

    struct Connection: Sendable {
        var direction: Direction
        var address: PeerAddress?
        var score: PeerScore
        /// When this peer is next asked for addresses.
        var nextPexRequest: GossipInstant
        /// A `pexRequest` sent and not yet answered: only then is a `pexResponse` taken, so a
        /// peer cannot stuff our address table with unsolicited answers between requests.
        var pexOutstanding = false
    }

    public let configuration: Configuration
    public let localPeer: PeerID
    private var addresses: [PeerAddress: AddressState] = [:]
    private var connections: [PeerID: Connection] = [:]
    private var bannedPeers: [PeerID: GossipInstant] = [:]

    public init(configuration: Configuration, localPeer: PeerID, seeds: [PeerAddress]) {
        self.configuration = configuration
        self.localPeer = localPeer
        for seed in seeds { addresses[seed] = AddressState(isSeed: true) }
    }

    // MARK: Addresses

    public var knownAddressCount: Int { addresses.count }

    /// Addresses learnt by PEX; ignored past the limit. Our own address may be among them: the
    /// handshake then refuses the link to ourselves and the address backs off.
    public mutating func learn(_ learnt: [PeerAddress]) {
        for address in learnt where addresses[address] == nil {
            guard addresses.count < configuration.maxKnownAddresses else { return }
            addresses[address] = AddressState(isSeed: false)
        }
    }

    /// Up to `limit` addresses of peers we hold links to or have dialled, for a PEX answer.
    public func shareableAddresses(limit: Int) -> [PeerAddress] {
        Array(addresses.filter { $0.value.connectedPeer != nil || $0.value.isSeed }.keys.sorted { $0.description < $1.description }.prefix(limit))
    }

    /// The addresses to dial now: due, not dialling or connected, not banned, within the free
    /// outbound slots. Each returned address is marked as dialling.
    public mutating func takeDialable(now: GossipInstant) -> [PeerAddress] {
        let outbound = connections.values.filter { $0.direction == .outbound }.count
        let dialing = addresses.values.filter(\.dialing).count
        var free = configuration.maxOutbound - outbound - dialing
        var chosen: [PeerAddress] = []
        for (address, state) in addresses.sorted(by: { $0.key.description < $1.key.description }) where free > 0 {
            guard !state.dialing, state.connectedPeer == nil, state.nextAttempt <= now else { continue }
            addresses[address]?.dialing = true
            chosen.append(address)
            free -= 1
        }
        return chosen
    }

    /// A dial (or its handshake) failed: back off exponentially, with jitter from `random`.
    public mutating func dialFailed(_ address: PeerAddress, now: GossipInstant, random: UInt64) {
        guard var state = addresses[address] else { return }
        state.dialing = false
        state.failures = min(state.failures + 1, 62)
        state.nextAttempt = now.advanced(by: backoff(failures: state.failures, random: random))
        addresses[address] = state
    }

    /// The delay after `failures` consecutive failures: `min(max, initial · 2^(failures−1))`,
    /// scaled into its upper half by `random`.
    public func backoff(failures: Int, random: UInt64) -> Duration {
        let initial = configuration.initialBackoff.nanosecondCount
        let cap = configuration.maxBackoff.nanosecondCount
        let shift = UInt64(max(0, failures - 1))
        let (scaled, overflow) = initial.multipliedReportingOverflow(by: shift >= 63 ? .max : 1 << shift)
        let full = overflow ? cap : min(cap, scaled)
        let half = full / 2
        let jitter = half == 0 ? 0 : random % (half + 1)
        return .nanoseconds(Int64(clamping: half + jitter))
    }

    // MARK: Links

    public var connectedPeers: [PeerID] { Array(connections.keys) }

    public func count(_ direction: Direction) -> Int {
        connections.values.filter { $0.direction == direction }.count
    }

    /// A handshake completed: take the link, or refuse it (ourselves, banned, already linked, no
    /// free slot). An outbound dial's address is released either way.
    public mutating func admit(
        _ peer: PeerID, direction: Direction, address: PeerAddress?, now: GossipInstant
    ) -> Admission {
        if let address { addresses[address]?.dialing = false }
        let refusal: String? =
            if peer == localPeer { "a link to ourselves" }
            else if isBanned(peer, now: now) { "peer \(peer) is banned" }
            else if connections[peer] != nil { "already linked to \(peer)" }
            else if direction == .inbound && count(.inbound) >= configuration.maxInbound { "inbound limit \(configuration.maxInbound) reached" }
            else if direction == .outbound && count(.outbound) >= configuration.maxOutbound { "outbound limit \(configuration.maxOutbound) reached" }
            else { nil }
        if let refusal {
            if let address { dialFailed(address, now: now, random: 0) }
            return .refused(refusal)
        }
        connections[peer] = Connection(
            direction: direction, address: address,
            score: PeerScore(messagesPerSecond: configuration.messagesPerSecond, burst: configuration.messageBurst, now: now),
            nextPexRequest: now)
        if let address {
            addresses[address]?.failures = 0
            addresses[address]?.connectedPeer = peer
        }
        return .accepted
    }

    /// A link ended. Its address may be redialled after the initial backoff.
    public mutating func disconnected(_ peer: PeerID, now: GossipInstant) {
        guard let connection = connections.removeValue(forKey: peer) else { return }
        if let address = connection.address, let state = addresses[address] {
            addresses[address]?.connectedPeer = nil
            addresses[address]?.nextAttempt = max(state.nextAttempt, now.advanced(by: configuration.initialBackoff))
        }
    }

    // MARK: Peer exchange

    /// The linked peers due for a `pexRequest` now (each at link-up, then every `pexInterval`).
    /// Each is marked as asked, and its next request scheduled.
    public mutating func takePexDue(now: GossipInstant) -> [PeerID] {
        var due: [PeerID] = []
        for (peer, connection) in connections where connection.nextPexRequest <= now {
            connections[peer]?.nextPexRequest = now.advanced(by: configuration.pexInterval)
            connections[peer]?.pexOutstanding = true
            due.append(peer)
        }
        return due
    }

    /// A `pexResponse` arrived from `peer`: true (and the request is consumed) when we had asked
    /// it; false for an unsolicited answer, which the caller ignores.
    public mutating func takePexResponse(from peer: PeerID) -> Bool {
        guard connections[peer]?.pexOutstanding == true else { return false }
        connections[peer]?.pexOutstanding = false
        return true
    }

    // MARK: Scores and bans

    /// Charges a message against the peer's rate limit; false when it is over the limit (and
    /// penalised for it).
    /// A flood that takes the score below the threshold bans the peer, as `penalize` does.
    public mutating func admitMessage(from peer: PeerID, now: GossipInstant) -> Bool {
        guard var connection = connections[peer] else { return false }
        let admitted = connection.score.admitMessage(now: now)
        connections[peer] = connection
        if !admitted && connection.score.isBelowThreshold { ban(peer, now: now) }
        return admitted
    }

    public mutating func reward(_ peer: PeerID) {
        connections[peer]?.score.reward()
    }

    /// Lowers the peer's score. Returns true when it fell below the threshold: the peer is then
    /// banned until `now + banDuration` (by ledger identity, not by host: peers behind one NAT,
    /// or every node of a loopback testnet, share a host), and the caller must close the link.
    @discardableResult
    public mutating func penalize(_ peer: PeerID, _ what: Misbehaviour, now: GossipInstant) -> Bool {
        guard var connection = connections[peer] else { return false }
        connection.score.penalize(what)
        connections[peer] = connection
        guard connection.score.isBelowThreshold else { return false }
        ban(peer, now: now)
        return true
    }

    /// The peer's score, if it is linked.
    public func score(of peer: PeerID) -> Int? { connections[peer]?.score.score }

    /// True if the peer is linked and has fallen below the threshold.
    public func mustDisconnect(_ peer: PeerID) -> Bool { connections[peer]?.score.isBelowThreshold ?? false }

    /// Bans `peer` until `now + banDuration`; an address we dialled it at waits as long.
    public mutating func ban(_ peer: PeerID, now: GossipInstant) {
        let until = now.advanced(by: configuration.banDuration)
        // Forget expired bans so the table stays bounded by the peers banned recently.
        bannedPeers = bannedPeers.filter { $0.value > now }
        bannedPeers[peer] = until
        for (address, state) in addresses where state.connectedPeer == peer {
            addresses[address]?.nextAttempt = until
        }
    }

    public func isBanned(_ peer: PeerID, now: GossipInstant) -> Bool {
        bannedPeers[peer].map { $0 > now } ?? false
    }

}
