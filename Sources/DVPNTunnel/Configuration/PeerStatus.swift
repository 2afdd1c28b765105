public import DVPNCrypto

/// What `wg show` reports about a peer: its configuration (without the secret) and its counters.
public struct PeerStatus: Sendable {
    public var publicKey: X25519.PublicKey
    /// The current endpoint: configured, or learned from the last authenticated packet.
    public var endpoint: Endpoint?
    /// The allowed IPs this peer holds in the routing table, sorted.
    public var allowedIPs: [IPPrefix]
    public var presharedKeySet: Bool
    public var persistentKeepaliveInterval: UInt16?
    /// When the last handshake completed; `unixNanoseconds` gives the wall-clock time `wg` shows.
    public var lastHandshake: TunnelInstant?
    /// Bytes received from this peer, counted as whole datagrams (as wireguard-go counts them).
    public var rxBytes: UInt64
    /// Bytes sent to this peer, counted as whole datagrams.
    public var txBytes: UInt64
    /// Decrypted packets from this peer that the device's destination filter (an exit's policy)
    /// refused: dropped, never written to the TUN device. The count per session of `docs/exit.md`.
    public var refusedPackets: UInt64
    /// Inner IP bytes received from this peer (before the destination filter) and sent to it:
    /// the session's byte count at an exit.
    public var innerRxBytes: UInt64 = 0
    public var innerTxBytes: UInt64 = 0
    /// The forwarding limit on `innerRxBytes + innerTxBytes` (`WireGuardDevice.setInnerByteLimit`).
    public var innerByteLimit: UInt64?
    /// Inner packets dropped because the limit was reached.
    public var heldPackets: UInt64 = 0

    public init(
        publicKey: X25519.PublicKey, endpoint: Endpoint?, allowedIPs: [IPPrefix], presharedKeySet: Bool,
        persistentKeepaliveInterval: UInt16?, lastHandshake: TunnelInstant?, rxBytes: UInt64, txBytes: UInt64,
        refusedPackets: UInt64 = 0
    ) {
        self.publicKey = publicKey
        self.endpoint = endpoint
        self.allowedIPs = allowedIPs
        self.presharedKeySet = presharedKeySet
        self.persistentKeepaliveInterval = persistentKeepaliveInterval
        self.lastHandshake = lastHandshake
        self.rxBytes = rxBytes
        self.txBytes = txBytes
        self.refusedPackets = refusedPackets
    }
}
