// Internal state types that the following commits fill in.
struct Handshake {}
struct KeypairSet {}
struct PeerTimers {}
struct StagedPackets {}
struct CookieGenerator { init(peerPublicKey: Any) {} }
struct CookieChecker { mutating func configure(publicKey: Any?) {} }
extension WireGuardDevice {
    mutating func expireSessions(of id: PeerID) {}
    mutating func requestImmediateKeepalive(for id: PeerID) {}
}
