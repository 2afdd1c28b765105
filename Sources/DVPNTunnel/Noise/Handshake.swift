import DVPNCrypto

/// Transport keys from a completed handshake, with the indices both sides put in the
/// `receiver` field of what they send (whitepaper §5.4.5).
struct SessionKeys {
    let send: SecureBytes
    let receive: SecureBytes
    let isInitiator: Bool
    let localIndex: UInt32
    let remoteIndex: UInt32
}

/// One peer's Noise_IKpsk2 handshake (whitepaper §5.4.2–§5.4.5), after wireguard-go's
/// `device/noise-protocol.go`.
///
/// The only state that lasts between calls is an initiation of ours waiting for its response,
/// plus the two replay guards for initiations we receive. The responder side needs no waiting
/// state: consuming an initiation, creating the response and deriving the keys happen in one go
/// (`openInitiation`, `acceptInitiation`, `createResponse`).
struct Handshake {
    /// An initiation we sent: what `consumeResponse` needs to finish the handshake.
    struct InitiationSent {
        var symmetric: SymmetricState
        let ephemeral: X25519.PrivateKey
        let localIndex: UInt32
    }

    private enum State {
        case idle
        case awaitingResponse(InitiationSent)
    }

    private var state = State.idle
    /// The newest initiation timestamp accepted from this peer (replay protection, §5.1).
    private(set) var lastTimestamp = TAI64N.zero
    /// When we last accepted an initiation from this peer (flood protection: at most one per
    /// 1/50 s, wireguard-go `HandshakeInitationRate`).
    private(set) var lastInitiationConsumption: TunnelInstant?

    /// The local index of our initiation in flight, if any.
    var pendingLocalIndex: UInt32? {
        if case .awaitingResponse(let sent) = state { return sent.localIndex }
        return nil
    }

    /// Forgets an initiation in flight (its index must be released by the caller).
    mutating func clear() {
        state = .idle
    }

    // MARK: Initiator

    /// Builds an initiation (MACs still zero) and waits for its response under `localIndex`.
    /// Returns nil when no handshake with this peer is possible (no static-static secret, or a
    /// low-order point).
    mutating func createInitiation(
        identity: StaticIdentity, remoteStatic: X25519.PublicKey, staticStatic: SecureBytes?,
        localIndex: UInt32, now: TunnelInstant
    ) -> HandshakeInitiation? {
        guard let staticStatic else { return nil }
        var symmetric = SymmetricState(responderStatic: remoteStatic)
        let ephemeral = X25519.PrivateKey()
        let ephemeralPublic = ephemeral.publicKey.rawRepresentation
        symmetric.mixHash(ephemeralPublic)
        symmetric.mixKey(ephemeralPublic)
        guard let es = try? ephemeral.sharedSecret(with: remoteStatic) else { return nil }
        let staticKey = symmetric.mixKeyReturningKey(es)
        let encryptedStatic = symmetric.encryptAndHash(identity.publicKey.rawRepresentation, key: staticKey)
        let timestampKey = symmetric.mixKeyReturningKey(staticStatic)
        let timestamp = TAI64N(unixNanoseconds: now.unixNanoseconds)
        let encryptedTimestamp = symmetric.encryptAndHash(timestamp.bytes, key: timestampKey)
        state = .awaitingResponse(InitiationSent(symmetric: symmetric, ephemeral: ephemeral, localIndex: localIndex))
        return HandshakeInitiation(
            sender: localIndex, ephemeral: ephemeralPublic, encryptedStatic: encryptedStatic,
            encryptedTimestamp: encryptedTimestamp)
    }

    /// Finishes our handshake with the peer's response; nil when we are not waiting for one
    /// under `response.receiver` or it does not authenticate. On success the handshake is idle.
    mutating func consumeResponse(
        _ response: HandshakeResponse, identity: StaticIdentity, presharedKey: SecureBytes?
    ) -> SessionKeys? {
        guard case .awaitingResponse(let sent) = state, sent.localIndex == response.receiver,
              let remoteEphemeral = try? X25519.PublicKey(rawRepresentation: response.ephemeral)
        else { return nil }
        var symmetric = sent.symmetric
        symmetric.mixHash(response.ephemeral)
        symmetric.mixKey(response.ephemeral)
        guard let ee = try? sent.ephemeral.sharedSecret(with: remoteEphemeral),
              let se = try? identity.privateKey.sharedSecret(with: remoteEphemeral)
        else { return nil }
        symmetric.mixKey(ee)
        symmetric.mixKey(se)
        let key = symmetric.mixPresharedKey(presharedKey)
        guard symmetric.decryptAndHash(response.encryptedNothing, key: key) != nil else { return nil }
        state = .idle
        let keys = symmetric.transportKeys(isInitiator: true)
        return SessionKeys(
            send: keys.send, receive: keys.receive, isInitiator: true,
            localIndex: sent.localIndex, remoteIndex: response.sender)
    }

    // MARK: Responder

    /// An initiation whose static key decrypted: we know who claims to have sent it, but have
    /// not yet checked the part only that peer can produce.
    struct OpenedInitiation {
        var symmetric: SymmetricState
        let initiatorStatic: X25519.PublicKey
        let initiatorEphemeral: X25519.PublicKey
    }

    /// An initiation that authenticated and passed the replay and flood checks.
    struct ConsumedInitiation {
        var symmetric: SymmetricState
        let initiatorEphemeral: X25519.PublicKey
        let remoteIndex: UInt32
    }

    enum InitiationVerdict {
        case accepted(ConsumedInitiation)
        case invalid
        case replayed
        case flooded
    }

    /// Decrypts the initiator's static key with our static key; nil when it does not
    /// authenticate (not for us, corrupted, or a low-order ephemeral).
    static func openInitiation(_ initiation: HandshakeInitiation, identity: StaticIdentity) -> OpenedInitiation? {
        guard let ephemeral = try? X25519.PublicKey(rawRepresentation: initiation.ephemeral),
              let es = try? identity.privateKey.sharedSecret(with: ephemeral)
        else { return nil }
        var symmetric = SymmetricState(responderStatic: identity.publicKey)
        symmetric.mixHash(initiation.ephemeral)
        symmetric.mixKey(initiation.ephemeral)
        let key = symmetric.mixKeyReturningKey(es)
        guard let staticBytes = symmetric.decryptAndHash(initiation.encryptedStatic, key: key),
              let initiatorStatic = try? X25519.PublicKey(rawRepresentation: staticBytes)
        else { return nil }
        return OpenedInitiation(symmetric: symmetric, initiatorStatic: initiatorStatic, initiatorEphemeral: ephemeral)
    }

    /// Checks the timestamp, which proves the initiator holds its static key, and applies the
    /// replay and flood rules. On acceptance, any initiation of ours in flight is abandoned, as
    /// in wireguard-go (the caller releases its index).
    mutating func acceptInitiation(
        _ opened: OpenedInitiation, _ initiation: HandshakeInitiation, staticStatic: SecureBytes?, now: TunnelInstant
    ) -> InitiationVerdict {
        guard let staticStatic else { return .invalid }
        var symmetric = opened.symmetric
        let key = symmetric.mixKeyReturningKey(staticStatic)
        guard let timestampBytes = symmetric.decryptAndHash(initiation.encryptedTimestamp, key: key) else {
            return .invalid
        }
        let timestamp = TAI64N(bytes: timestampBytes)
        guard timestamp > lastTimestamp else { return .replayed }
        if let last = lastInitiationConsumption, now.nanoseconds(since: last) <= ProtocolConstants.handshakeInitiationRate {
            return .flooded
        }
        lastTimestamp = timestamp
        if lastInitiationConsumption.map({ now > $0 }) ?? true { lastInitiationConsumption = now }
        state = .idle
        return .accepted(ConsumedInitiation(
            symmetric: symmetric, initiatorEphemeral: opened.initiatorEphemeral, remoteIndex: initiation.sender))
    }

    /// Builds the response (MACs still zero) and the responder's transport keys.
    static func createResponse(
        _ consumed: ConsumedInitiation, remoteStatic: X25519.PublicKey, presharedKey: SecureBytes?, localIndex: UInt32
    ) -> (HandshakeResponse, SessionKeys)? {
        var symmetric = consumed.symmetric
        let ephemeral = X25519.PrivateKey()
        let ephemeralPublic = ephemeral.publicKey.rawRepresentation
        symmetric.mixHash(ephemeralPublic)
        symmetric.mixKey(ephemeralPublic)
        guard let ee = try? ephemeral.sharedSecret(with: consumed.initiatorEphemeral),
              let se = try? ephemeral.sharedSecret(with: remoteStatic)
        else { return nil }
        symmetric.mixKey(ee)
        symmetric.mixKey(se)
        let key = symmetric.mixPresharedKey(presharedKey)
        let encryptedNothing = symmetric.encryptAndHash([], key: key)
        let keys = symmetric.transportKeys(isInitiator: false)
        let response = HandshakeResponse(
            sender: localIndex, receiver: consumed.remoteIndex, ephemeral: ephemeralPublic,
            encryptedNothing: encryptedNothing)
        return (response, SessionKeys(
            send: keys.send, receive: keys.receive, isInitiator: false,
            localIndex: localIndex, remoteIndex: consumed.remoteIndex))
    }
}
