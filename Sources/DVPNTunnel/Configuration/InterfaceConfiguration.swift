public import DVPNCrypto

/// The interface half of a WireGuard configuration (`[Interface]` in wg-quick, the device lines of
/// UAPI `set=1`): our static key and the port we listen on. The port is kept here only so that
/// `wg show` can print it; the I/O layer owns the socket.
public struct InterfaceConfiguration: Sendable {
    /// Our static private key. Without one, no handshake can be made or answered.
    public var privateKey: X25519.PrivateKey?
    public var listenPort: UInt16?

    public init(privateKey: X25519.PrivateKey? = nil, listenPort: UInt16? = nil) {
        self.privateKey = privateKey
        self.listenPort = listenPort
    }
}
