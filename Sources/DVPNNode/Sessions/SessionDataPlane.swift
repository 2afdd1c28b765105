public import DVPNCrypto
public import DVPNNodeAPI
public import DVPNTunnel
public import DVPNTunnelPosix

/// What the session manager needs from the exit's WireGuard interface: admit a client's key as a
/// peer with its inner addresses, remove it, cap how many inner bytes it may exchange, and read
/// every peer's inner byte count (docs/operator.md). The exit's tunnel (`TunnelDataPlane`) is one;
/// tests drive an in-memory one.
public protocol SessionDataPlane: Sendable {
    func addPeer(_ key: X25519.PublicKey, allowedIPs: [IPPrefix]) async throws(NodeError)
    func removePeer(_ key: X25519.PublicKey) async
    /// Forward until the peer's inner bytes (both directions) reach `bytes`; then hold its
    /// packets until the limit is raised.
    func setByteLimit(_ bytes: UInt64, for key: X25519.PublicKey) async
    /// Every peer's counters.
    func counters() async -> [X25519.PublicKey: PeerTraffic]
}

/// One peer's inner traffic as the exit counted it.
public struct PeerTraffic: Sendable, Hashable {
    /// Inner bytes in both directions since the peer was added.
    public var bytes: UInt64
    /// Packets held back at the byte limit.
    public var heldPackets: UInt64
    /// Packets the destination policy refused.
    public var refusedPackets: UInt64

    public init(bytes: UInt64, heldPackets: UInt64 = 0, refusedPackets: UInt64 = 0) {
        self.bytes = bytes
        self.heldPackets = heldPackets
        self.refusedPackets = refusedPackets
    }
}

/// The exit's own tunnel through `TunnelControl`. Before the tunnel is up, adding a peer fails
/// (the grant is refused with a reason) and the counters are empty.
public struct TunnelDataPlane: SessionDataPlane {
    public let control: TunnelControl

    public init(control: TunnelControl) { self.control = control }

    public func addPeer(_ key: X25519.PublicKey, allowedIPs: [IPPrefix]) async throws(NodeError) {
        do {
            try await control.removePeer(key)
            try await control.addOrUpdatePeer(PeerConfiguration(publicKey: key, allowedIPs: allowedIPs))
        } catch {
            throw NodeError(.unreachable, "the exit's tunnel cannot take the peer: \(error.reason)")
        }
    }

    public func removePeer(_ key: X25519.PublicKey) async {
        _ = try? await control.removePeer(key)
    }

    public func setByteLimit(_ bytes: UInt64, for key: X25519.PublicKey) async {
        _ = try? await control.setInnerByteLimit(bytes, for: key)
    }

    public func counters() async -> [X25519.PublicKey: PeerTraffic] {
        guard let peers = try? await control.peers() else { return [:] }
        var result: [X25519.PublicKey: PeerTraffic] = [:]
        for peer in peers {
            let (sum, overflow) = peer.innerRxBytes.addingReportingOverflow(peer.innerTxBytes)
            result[peer.publicKey] = PeerTraffic(
                bytes: overflow ? .max : sum, heldPackets: peer.heldPackets, refusedPackets: peer.refusedPackets)
        }
        return result
    }
}
