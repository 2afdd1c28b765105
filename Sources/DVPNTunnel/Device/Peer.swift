import DVPNCrypto

/// A peer's slot in the device's peer table. Stable while the peer exists; the slot is reused
/// only after `removePeer` has removed every route and index that mentioned it.
struct PeerID: Hashable {
    let slot: Int32
}

/// Everything the device keeps about one peer: its configuration, its handshake and session
/// state machines, its timers, its cookie state and the packets waiting for a session.
struct Peer {
    var configuration: PeerConfiguration
    /// DH(our static, their static), or nil when it cannot be computed (no private key, or a
    /// low-order public key): then no handshake with this peer is possible.
    var staticStatic: SecureBytes?
    var handshake = Handshake()
    var keypairs = KeypairSet()
    var timers = PeerTimers()
    var cookieGenerator: CookieGenerator
    var staged = StagedPackets()
    var lastHandshake: TunnelInstant?
    /// When we last sent an initiation or response: initiations are sent at most once per
    /// REKEY_TIMEOUT (nil: long ago).
    var lastSentHandshake: TunnelInstant?
    var rxBytes: UInt64 = 0
    var txBytes: UInt64 = 0
    /// Packets from this peer that the device's destination filter refused.
    var refusedPackets: UInt64 = 0
    /// Inner IP bytes from this peer (the packets as the TUN device gets them) and to it (as read
    /// from the TUN device): what a paid session meters (docs/session-protocol.md, "Metering").
    var innerRxBytes: UInt64 = 0
    var innerTxBytes: UInt64 = 0
    /// When set, inner packets in either direction are dropped once `innerRxBytes + innerTxBytes`
    /// would pass it: an exit's forwarding limit for a session that has not paid further yet.
    var innerByteLimit: UInt64?
    /// Inner packets dropped at `innerByteLimit`.
    var heldPackets: UInt64 = 0

    /// Whether an inner packet of `count` bytes fits under the limit; counts it as held if not.
    @inline(__always)
    mutating func admitsInner(_ count: Int) -> Bool {
        guard let limit = innerByteLimit else { return true }
        let (sum, overflow) = innerRxBytes.addingReportingOverflow(innerTxBytes)
        let (total, overflow2) = sum.addingReportingOverflow(UInt64(count))
        guard overflow || overflow2 || total > limit else { return true }
        heldPackets &+= 1
        return false
    }

    init(configuration: PeerConfiguration) {
        self.configuration = configuration
        self.cookieGenerator = CookieGenerator(peerPublicKey: configuration.publicKey)
    }
}

/// The peers, in slots, with a map from public key to slot and the order they were added in.
///
/// Slots are plain (non-optional) values so that the data path can reach a field of a peer in
/// place: `peerTable[id].keypairs.current?.sendCounter` reads one integer without copying the
/// peer and retaining every reference in it. A removed peer's slot keeps its (already zeroed)
/// state until the slot is reused.
struct PeerTable {
    private var slots: [Peer] = []
    private var freeSlots: [Int32] = []
    private var byKey: [X25519.PublicKey: PeerID] = [:]
    /// Peer ids in the order the peers were added (what `wg show` lists).
    private(set) var ids: [PeerID] = []

    var count: Int { ids.count }

    subscript(id: PeerID) -> Peer {
        _read { yield slots[Int(id.slot)] }
        _modify { yield &slots[Int(id.slot)] }
    }

    func id(for publicKey: X25519.PublicKey) -> PeerID? { byKey[publicKey] }

    mutating func insert(_ peer: Peer) -> PeerID {
        let id: PeerID
        if let slot = freeSlots.popLast() {
            id = PeerID(slot: slot)
            slots[Int(slot)] = peer
        } else {
            id = PeerID(slot: Int32(slots.count))
            slots.append(peer)
        }
        byKey[peer.configuration.publicKey] = id
        ids.append(id)
        return id
    }

    /// Removes the peer from every lookup; the caller has already dropped its keys, routes and
    /// indices.
    mutating func remove(_ id: PeerID) {
        guard byKey[slots[Int(id.slot)].configuration.publicKey] == id else { return }
        byKey[slots[Int(id.slot)].configuration.publicKey] = nil
        ids.removeAll { $0 == id }
        freeSlots.append(id.slot)
    }
}
