/// Inbound handshakes in progress, capped per remote host and in total (docs/p2p.md, "Limits").
///
/// A handshake costs the responder an X25519 key pair, three Diffie-Hellmans and a Schnorr
/// verification, and holds a connection for up to `handshakeTimeout`, all before the peer has
/// proven anything. Without a cap, one host opening thousands of connections that never finish
/// the handshake holds that many sockets and tasks for 5 s each. With it, a connection past
/// either cap is closed at accept, before any crypto; an honest peer's dial simply fails and is
/// retried with backoff. Links already established do not count (they have their own limits).
///
/// Outbound handshakes are not counted here: they are bounded by the dialler's outbound slots
/// (`PeerBook.Configuration.maxOutbound`), which we control.
///
/// A pure value, held under `GossipService`'s lock.
public struct HandshakeSlots: Sendable {
    public let maxTotal: Int
    public let maxPerHost: Int
    public private(set) var total = 0
    private var perHost: [String: Int] = [:]

    public init(maxTotal: Int, maxPerHost: Int) {
        self.maxTotal = maxTotal
        self.maxPerHost = maxPerHost
    }

    public func inProgress(from host: String) -> Int { perHost[host] ?? 0 }

    /// Takes a slot for a handshake from `host`; false (nothing taken) when a cap is reached.
    public mutating func acquire(host: String) -> Bool {
        let mine = perHost[host] ?? 0
        guard total < maxTotal, mine < maxPerHost else { return false }
        total += 1
        perHost[host] = mine + 1
        return true
    }

    /// Gives back a slot taken by `acquire(host:)`; the table forgets hosts with none in progress,
    /// so it holds at most `maxTotal` entries.
    public mutating func release(host: String) {
        guard let mine = perHost[host] else { return }
        total -= 1
        perHost[host] = mine > 1 ? mine - 1 : nil
    }
}
