import DVPNCrypto

/// The initiator's half of the cookie mechanism, one per peer (whitepaper §5.4.4, §5.4.7;
/// wireguard-go `CookieGenerator`): puts MAC1 on every handshake message we send to the peer,
/// and MAC2 while we hold a cookie from it that is less than two minutes old.
struct CookieGenerator {
    /// `HASH(LABEL_MAC1 ‖ peer's static public key)`.
    private let mac1Key: [UInt8]
    /// `HASH(LABEL_COOKIE ‖ peer's static public key)`: opens the cookies the peer sends.
    private let cookieKey: [UInt8]
    /// The MAC1 of the last handshake message we sent: a cookie reply must be bound to it.
    private var lastMAC1: [UInt8]?
    private var cookie: [UInt8]?
    private var cookieReceived: TunnelInstant?

    init(peerPublicKey: X25519.PublicKey) {
        mac1Key = WireGuardMAC.labelledKey(NoiseConstants.labelMAC1, peerPublicKey)
        cookieKey = WireGuardMAC.labelledKey(NoiseConstants.labelCookie, peerPublicKey)
    }

    /// Fills in MAC1, and MAC2 when we have a fresh cookie, in a serialised handshake message.
    mutating func addMACs(to message: inout [UInt8], now: TunnelInstant) {
        let mac1Offset = HandshakeMACs.mac1Offset(messageCount: message.count)
        let mac2Offset = HandshakeMACs.mac2Offset(messageCount: message.count)
        let mac1 = WireGuardMAC.mac(key: mac1Key, Array(message[..<mac1Offset]))
        message.replaceSubrange(mac1Offset..<mac2Offset, with: mac1)
        lastMAC1 = mac1
        guard let cookie, let cookieReceived,
              now.nanoseconds(since: cookieReceived) <= ProtocolConstants.cookieRefreshTime
        else { return }
        let mac2 = WireGuardMAC.mac(key: cookie, Array(message[..<mac2Offset]))
        message.replaceSubrange(mac2Offset..<message.count, with: mac2)
    }

    /// Takes the cookie from a reply to our last handshake message. False when we sent nothing
    /// it could answer or it does not decrypt (then nothing changes).
    mutating func consumeReply(_ reply: CookieReply, now: TunnelInstant) -> Bool {
        guard let lastMAC1,
              let cookie = try? XChaChaPoly.open(
                reply.encryptedCookie, key: cookieKey, nonce: reply.nonce, authenticating: lastMAC1)
        else { return false }
        self.cookie = cookie
        cookieReceived = now
        self.lastMAC1 = nil
        return true
    }
}
