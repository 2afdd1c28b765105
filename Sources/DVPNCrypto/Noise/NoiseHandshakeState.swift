import Foundation

/// A Noise `HandshakeState` (Noise Protocol Framework rev 34, §5.3) over
/// `Noise_*_25519_ChaChaPoly_BLAKE2s`: one side's view of one handshake.
///
/// It is a value: a failed `readMessage` leaves the state as it was before the call (the caller
/// may keep waiting for a genuine message, as WireGuard's initiator does), and a state can be
/// copied to try a message without committing to it. No clock, no I/O, no randomness except the
/// ephemeral key generated at an `e` token (which tests may fix).
///
/// Two additions to §5.3, both optional:
///
/// - `precomputedStaticStatic`: `DH(s, rs)` supplied by a caller that caches it per peer, as
///   WireGuard does, so an `ss` token costs no scalar multiplication.
/// - the `remoteStatic` callback of `readMessage`: called as soon as an `s` token has been
///   decrypted, before any later token, so that a responder can look the key up (and reject an
///   unknown one, or supply its pre-shared key) before spending more work on the message.
public struct NoiseHandshakeState: Sendable {
    public enum Role: Sendable, Hashable {
        case initiator
        case responder
    }

    /// What a responder decides about a static key that has just been revealed.
    public enum RemoteStaticDecision: Sendable {
        /// Abandon the message (it throws `.invalidKey`).
        case reject
        /// Continue; a non-nil value replaces `precomputedStaticStatic` or `presharedKey`.
        case accept(staticStatic: SecureBytes?, presharedKey: SecureBytes?)

        /// Continue with nothing to add.
        public static let accept = RemoteStaticDecision.accept(staticStatic: nil, presharedKey: nil)
    }

    /// The longest handshake message (§3).
    public static let maxMessageByteCount = 65535

    public let pattern: NoisePattern
    public let role: Role
    public private(set) var symmetric: NoiseSymmetricState
    private let localStatic: X25519.PrivateKey?
    private var localEphemeral: X25519.PrivateKey?
    /// `rs`: known in advance (pre-message) or learnt from an `s` token.
    public private(set) var remoteStatic: X25519.PublicKey?
    /// `re`.
    public private(set) var remoteEphemeral: X25519.PublicKey?
    /// The key a `psk` token mixes in; may be set until that token is processed (a responder
    /// learns which one applies only from the initiator's static key).
    public var presharedKey: SecureBytes?
    /// `DH(s, rs)` when the caller caches it.
    public var precomputedStaticStatic: SecureBytes?
    /// The index of the next message pattern.
    public private(set) var messageIndex = 0

    /// `Initialize(handshake_pattern, initiator, prologue, s, e, rs, re)` (§5.3): names the
    /// protocol, mixes in the prologue, then the pre-message public keys. `ephemeral` fixes the
    /// key an `e` token would generate (test vectors only).
    public init(
        pattern: NoisePattern, role: Role, prologue: some ContiguousBytes,
        localStatic: X25519.PrivateKey?, remoteStatic: X25519.PublicKey? = nil,
        presharedKey: SecureBytes? = nil, precomputedStaticStatic: SecureBytes? = nil,
        ephemeral: X25519.PrivateKey? = nil
    ) throws(CryptoError) {
        self.pattern = pattern
        self.role = role
        self.localStatic = localStatic
        self.remoteStatic = remoteStatic
        self.presharedKey = presharedKey
        self.precomputedStaticStatic = precomputedStaticStatic
        self.localEphemeral = ephemeral
        symmetric = NoiseSymmetricState(protocolName: pattern.protocolName)
        symmetric.mixHash(prologue)
        for token in pattern.initiatorPreMessage { try mixPreMessage(token, isOurs: role == .initiator) }
        for token in pattern.responderPreMessage { try mixPreMessage(token, isOurs: role == .responder) }
    }

    /// A pre-message token: the public key both sides already know goes into `h`.
    private mutating func mixPreMessage(_ token: NoisePattern.Token, isOurs: Bool) throws(CryptoError) {
        guard token == .s else { throw Self.misuse("only static keys are supported in pre-messages") }
        guard let key = isOurs ? localStatic?.publicKey : remoteStatic else {
            throw Self.misuse("pattern \(pattern.name) needs a pre-message static key")
        }
        symmetric.mixHash(key.rawRepresentation)
    }

    /// True once every message pattern has been written or read.
    public var isComplete: Bool { messageIndex == pattern.messages.count }

    /// True when the next message is ours to write.
    public var isOurTurn: Bool { (messageIndex % 2 == 0) == (role == .initiator) }

    /// `h`, the transcript hash: after the handshake it identifies the session (§11.2).
    public var handshakeHash: [UInt8] { symmetric.handshakeHash }

    // MARK: Writing

    /// `WriteMessage(payload, message_buffer)`: processes our next message pattern and returns
    /// the message. On error the state is unchanged.
    public mutating func writeMessage(payload: some ContiguousBytes = [UInt8]()) throws(CryptoError) -> [UInt8] {
        guard !isComplete, isOurTurn else { throw Self.misuse("not our turn to write a handshake message") }
        var next = self
        var message: [UInt8] = []
        for token in pattern.messages[messageIndex] {
            switch token {
            case .e:
                let ephemeral = next.localEphemeral ?? X25519.PrivateKey()
                next.localEphemeral = ephemeral
                let publicKey = ephemeral.publicKey.rawRepresentation
                message += publicKey
                next.symmetric.mixHash(publicKey)
                if pattern.usesPresharedKey { next.symmetric.mixKey(publicKey) }
            case .s:
                guard let localStatic else { throw Self.misuse("pattern \(pattern.name) needs our static key") }
                message += try next.symmetric.encryptAndHash(localStatic.publicKey.rawRepresentation)
            case .psk:
                guard let psk = next.presharedKey else { throw Self.misuse("pattern \(pattern.name) needs a pre-shared key") }
                next.symmetric.mixKeyAndHash(psk)
            case .ee, .es, .se, .ss:
                next.symmetric.mixKey(try next.dh(token))
            }
        }
        message += try next.symmetric.encryptAndHash(payload)
        guard message.count <= Self.maxMessageByteCount else {
            throw CryptoError(.invalidMessage, "Noise handshake message of \(message.count) bytes exceeds 65535")
        }
        next.messageIndex += 1
        self = next
        return message
    }

    // MARK: Reading

    /// `ReadMessage(message, payload_buffer)`: processes the peer's next message pattern and
    /// returns the payload. `remoteStatic` is consulted right after an `s` token (see the type's
    /// documentation). On error (short or long message, a tag that does not verify, a low-order
    /// key, a rejected static key) the state is unchanged.
    public mutating func readMessage(
        _ message: some ContiguousBytes,
        remoteStatic decide: (X25519.PublicKey) -> RemoteStaticDecision = { _ in .accept }
    ) throws(CryptoError) -> [UInt8] {
        guard !isComplete, !isOurTurn else { throw Self.misuse("not our turn to read a handshake message") }
        let bytes = message.withUnsafeBytes { [UInt8]($0) }
        guard bytes.count <= Self.maxMessageByteCount else {
            throw CryptoError(.invalidMessage, "Noise handshake message of \(bytes.count) bytes exceeds 65535")
        }
        var next = self
        var offset = 0
        func take(_ count: Int) throws(CryptoError) -> ArraySlice<UInt8> {
            guard bytes.count - offset >= count else {
                throw CryptoError(.invalidMessage, "Noise handshake message too short (\(bytes.count) bytes)")
            }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }
        for token in pattern.messages[messageIndex] {
            switch token {
            case .e:
                let raw = Array(try take(X25519.keyByteCount))
                next.remoteEphemeral = try X25519.PublicKey(rawRepresentation: raw)
                next.symmetric.mixHash(raw)
                if pattern.usesPresharedKey { next.symmetric.mixKey(raw) }
            case .s:
                let count = X25519.keyByteCount + (next.symmetric.cipher.hasKey ? ChaChaPoly.tagByteCount : 0)
                let raw = try next.symmetric.decryptAndHash(Array(try take(count)))
                let key = try X25519.PublicKey(rawRepresentation: raw)
                next.remoteStatic = key
                switch decide(key) {
                case .reject:
                    throw CryptoError(.invalidKey, "Noise remote static key not accepted")
                case .accept(let staticStatic, let presharedKey):
                    if let staticStatic { next.precomputedStaticStatic = staticStatic }
                    if let presharedKey { next.presharedKey = presharedKey }
                }
            case .psk:
                guard let psk = next.presharedKey else { throw Self.misuse("pattern \(pattern.name) needs a pre-shared key") }
                next.symmetric.mixKeyAndHash(psk)
            case .ee, .es, .se, .ss:
                next.symmetric.mixKey(try next.dh(token))
            }
        }
        let payload = try next.symmetric.decryptAndHash(Array(bytes[offset...]))
        next.messageIndex += 1
        self = next
        return payload
    }

    // MARK: Finishing

    /// `Split()` after the last message: the cipher we send with and the one we receive with.
    public func split() throws(CryptoError) -> (send: NoiseCipherState, receive: NoiseCipherState) {
        guard isComplete else { throw Self.misuse("the Noise handshake is not complete") }
        let (first, second) = symmetric.split()
        return role == .initiator ? (first, second) : (second, first)
    }

    /// The DH of a token (§7.1): which key pair is ours depends on the role.
    private func dh(_ token: NoisePattern.Token) throws(CryptoError) -> SecureBytes {
        let initiator = role == .initiator
        switch token {
        case .ee:
            return try ephemeralKey().sharedSecret(with: try remote(remoteEphemeral, "ephemeral"))
        case .es:
            return initiator
                ? try ephemeralKey().sharedSecret(with: try remote(remoteStatic, "static"))
                : try staticKey().sharedSecret(with: try remote(remoteEphemeral, "ephemeral"))
        case .se:
            return initiator
                ? try staticKey().sharedSecret(with: try remote(remoteEphemeral, "ephemeral"))
                : try ephemeralKey().sharedSecret(with: try remote(remoteStatic, "static"))
        case .ss:
            if let precomputedStaticStatic { return precomputedStaticStatic }
            return try staticKey().sharedSecret(with: try remote(remoteStatic, "static"))
        case .e, .s, .psk:
            preconditionFailure("\(token) is not a DH token")
        }
    }

    private func ephemeralKey() throws(CryptoError) -> X25519.PrivateKey {
        guard let localEphemeral else { throw Self.misuse("a DH token before our ephemeral key") }
        return localEphemeral
    }

    private func staticKey() throws(CryptoError) -> X25519.PrivateKey {
        guard let localStatic else { throw Self.misuse("pattern \(pattern.name) needs our static key") }
        return localStatic
    }

    private func remote(_ key: X25519.PublicKey?, _ what: String) throws(CryptoError) -> X25519.PublicKey {
        guard let key else { throw Self.misuse("a DH token before the remote \(what) key") }
        return key
    }

    @inline(never)
    private static func misuse(_ reason: String) -> CryptoError {
        CryptoError(.invalidState, reason)
    }
}
