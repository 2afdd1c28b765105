import DVPNCrypto

/// The responder's half of the cookie mechanism (whitepaper §5.3, §5.4.4, §5.4.7; wireguard-go
/// `CookieChecker`): checks MAC1 on every handshake message addressed to us, and under load
/// checks MAC2 and makes cookie replies.
///
/// A cookie is `MAC(secret, source address ‖ port)`, where the secret is random and replaced
/// every two minutes. Only someone who receives our reply at that address can learn the cookie,
/// so a valid MAC2 proves the sender owns its source address before we spend a DH on it.
struct CookieChecker {
    /// `HASH(LABEL_MAC1 ‖ our static public key)`.
    private var mac1Key: [UInt8]?
    /// `HASH(LABEL_COOKIE ‖ our static public key)`: seals the cookies we send.
    private var cookieKey: [UInt8]?
    private var secret: SecureBytes?
    private var secretCreated: TunnelInstant?

    /// Derives the keys from our static public key (nil: no key, every MAC1 check fails).
    mutating func configure(publicKey: X25519.PublicKey?) {
        mac1Key = publicKey.map { WireGuardMAC.labelledKey(NoiseConstants.labelMAC1, $0) }
        cookieKey = publicKey.map { WireGuardMAC.labelledKey(NoiseConstants.labelCookie, $0) }
    }

    /// True when the message's MAC1 is `MAC(HASH(LABEL_MAC1 ‖ our key), message up to MAC1)`.
    func checkMAC1(_ message: UnsafeRawBufferPointer) -> Bool {
        guard let mac1Key else { return false }
        let offset = HandshakeMACs.mac1Offset(messageCount: message.count)
        let expected = WireGuardMAC.mac(key: mac1Key, UnsafeRawBufferPointer(rebasing: message[..<offset]))
        return ConstantTime.equals(expected, message.bytes(at: offset, count: WireGuardMAC.byteCount))
    }

    /// True when the message's MAC2 is made with the cookie we would give `source` now.
    func checkMAC2(_ message: UnsafeRawBufferPointer, source: Endpoint, now: TunnelInstant) -> Bool {
        guard let secret, let secretCreated,
              now.nanoseconds(since: secretCreated) <= ProtocolConstants.cookieRefreshTime
        else { return false }
        let cookie = WireGuardMAC.mac(key: secret, Self.sourceBytes(source))
        let offset = HandshakeMACs.mac2Offset(messageCount: message.count)
        let expected = WireGuardMAC.mac(key: cookie, UnsafeRawBufferPointer(rebasing: message[..<offset]))
        return ConstantTime.equals(expected, message.bytes(at: offset, count: WireGuardMAC.byteCount))
    }

    /// A cookie reply to `message` (an initiation or response from `source`), addressed to the
    /// message's sender index, with the message's MAC1 as associated data. Rotates the secret
    /// when it is older than two minutes.
    mutating func makeReply(answering message: UnsafeRawBufferPointer, source: Endpoint, now: TunnelInstant) -> [UInt8]? {
        guard let cookieKey else { return nil }
        if secret == nil || secretCreated.map({ now.nanoseconds(since: $0) > ProtocolConstants.cookieRefreshTime }) ?? true {
            secret = SecureBytes(randomCount: 32)
            secretCreated = now
        }
        guard let secret else { return nil }
        let cookie = WireGuardMAC.mac(key: secret, Self.sourceBytes(source))
        let nonce = SecureRandom.bytes(count: XChaChaPoly.nonceByteCount)
        let mac1 = message.bytes(at: HandshakeMACs.mac1Offset(messageCount: message.count), count: WireGuardMAC.byteCount)
        guard let sealed = try? XChaChaPoly.seal(cookie, key: cookieKey, nonce: nonce, authenticating: mac1) else {
            return nil
        }
        let receiver = message.loadLittleEndianUInt32(at: HandshakeMACs.senderOffset)
        return CookieReply(receiver: receiver, nonce: nonce, encryptedCookie: sealed).bytes
    }

    /// The bytes a cookie is bound to: the source address, then the port little-endian (the
    /// layout of Go's `netip.AddrPort.MarshalBinary`, which wireguard-go uses; only we ever
    /// compute it, so any fixed layout would interoperate).
    static func sourceBytes(_ source: Endpoint) -> [UInt8] {
        source.address.unmappingIPv4.bytes + [UInt8(truncatingIfNeeded: source.port), UInt8(truncatingIfNeeded: source.port >> 8)]
    }
}
