public import DVPNCrypto

/// One `[Peer]` of a WireGuard configuration. `WireGuardDevice.addOrUpdatePeer(_:)` applies all
/// of it: for an existing peer every field is replaced, including the allowed IPs (UAPI's
/// `replace_allowed_ips=true`). To change one field, read the current value with
/// `WireGuardDevice.peerConfiguration(for:)`, change it and apply it back.
public struct PeerConfiguration: Sendable {
    /// The peer's static public key: its identity.
    public var publicKey: X25519.PublicKey
    /// The optional 32-byte preshared key mixed into the handshake (whitepaper §5.2, `psk2`).
    public var presharedKey: SecureBytes?
    /// Where to send; updated by roaming when an authenticated packet arrives from elsewhere.
    public var endpoint: Endpoint?
    /// The prefixes whose traffic goes to this peer and that it may send from.
    public var allowedIPs: [IPPrefix]
    /// Seconds between keepalives sent even when idle, for peers behind NAT; nil or 0 is off.
    public var persistentKeepaliveInterval: UInt16?

    public init(
        publicKey: X25519.PublicKey, presharedKey: SecureBytes? = nil, endpoint: Endpoint? = nil,
        allowedIPs: [IPPrefix] = [], persistentKeepaliveInterval: UInt16? = nil
    ) {
        self.publicKey = publicKey
        self.presharedKey = presharedKey
        self.endpoint = endpoint
        self.allowedIPs = allowedIPs
        self.persistentKeepaliveInterval = persistentKeepaliveInterval
    }
}
