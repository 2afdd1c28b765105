public import DVPNCrypto
public import DVPNTunnel

/// The body of a UAPI `set=1` operation (https://www.wireguard.com/xplatform/, "Configuration
/// protocol"), parsed and checked but not yet applied.
///
/// `set` is sequential in the protocol: device keys first, then one block per `public_key=` line.
/// Within a peer block the order matters only for `replace_allowed_ips`, which drops the allowed
/// IPs named before it; the parser applies that, so `allowedIPs` are the ones to add after the
/// optional replacement.
public struct UAPISetRequest: Sendable {
    /// `private_key=`: a new key, or `.some(nil)` for the all-zero key, which removes ours.
    public var privateKey: X25519.PrivateKey??
    public var listenPort: UInt16?
    /// `fwmark=`: 0 removes the mark.
    public var firewallMark: UInt32?
    /// `replace_peers=true`: remove every peer before applying `peers`.
    public var replacePeers = false
    public var peers: [Peer] = []

    public init() {}

    public struct Peer: Sendable {
        public var publicKey: X25519.PublicKey
        /// `remove=true`: remove the peer (the other fields are then ignored).
        public var remove = false
        /// `update_only=true`: change the peer only if it exists; never create it.
        public var updateOnly = false
        /// `preshared_key=`: `.some(nil)` for the all-zero key, which removes it.
        public var presharedKey: SecureBytes??
        public var endpoint: Endpoint?
        /// `persistent_keepalive_interval=`: 0 turns it off.
        public var persistentKeepaliveInterval: UInt16?
        /// `replace_allowed_ips=true`: drop the peer's allowed IPs before adding `allowedIPs`.
        public var replaceAllowedIPs = false
        public var allowedIPs: [IPPrefix] = []

        public init(publicKey: X25519.PublicKey) {
            self.publicKey = publicKey
        }
    }
}

/// The errno values the UAPI reports, as wireguard-go's `ipc` package defines them: negated
/// errno constants, printed as `errno=-22`.
public enum UAPIErrno {
    public static let io: Int32 = -5
    public static let invalid: Int32 = -22
    public static let addressInUse: Int32 = -98
    public static let protocolError: Int32 = -71
    /// wireguard-go's `IpcErrorUnknown` (ENOANO).
    public static let unknown: Int32 = -55
}
