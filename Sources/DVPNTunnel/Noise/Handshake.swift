import DVPNCrypto

/// Transport keys from a completed handshake, with the indices both sides put in the
/// `receiver` field of what they send (whitepaper §5.4.5).
struct SessionKeys {
    let send: SecureBytes
    let receive: SecureBytes
    let isInitiator: Bool
    let localIndex: UInt32
    let remoteIndex: UInt32

    /// The keys of `Split()` (whitepaper §5.4.5: `T_send`, `T_recv`); nil only if the handshake
    /// was not complete, which the callers rule out.
    init?(_ noise: NoiseHandshakeState, localIndex: UInt32, remoteIndex: UInt32) {
        guard let (send, receive) = try? noise.split(), let sendKey = send.key, let receiveKey = receive.key
        else { return nil }
        self.send = sendKey
        self.receive = receiveKey
        isInitiator = noise.role == .initiator
        self.localIndex = localIndex
        self.remoteIndex = remoteIndex
    }
}

/// One peer's Noise_IKpsk2 handshake (whitepaper §5.4.2–§5.4.5), after wireguard-go's
/// `device/noise-protocol.go`, on the generic Noise layer of DVPNCrypto
/// (`NoiseHandshakeState` with `NoisePattern.IKpsk2`; the prologue is WireGuard's
/// `IDENTIFIER`). What is WireGuard's own lives here: the message layout (sender and receiver
/// indices around the Noise message), the TAI64N payload with its replay and flood rules, the
/// all-zero pre-shared key when none is set, and the per-peer cached `DH(s, rs)`.
///
/// The only state that lasts between calls is an initiation of ours waiting for its response,
/// plus the two replay guards for initiations we receive. The responder side needs no waiting
/// state: consuming an initiation, creating the response and deriving the keys happen in one go
/// (`openInitiation`, `acceptInitiation`, `createResponse`).
struct Handshake {
    /// An initiation we sent: what `consumeResponse` needs to finish the handshake.
    struct InitiationSent {
        var noise: NoiseHandshakeState
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

    /// WireGuard mixes in 32 zero bytes when no pre-shared key is configured (§5.4.3).
    static let zeroPresharedKey = SecureBytes([UInt8](repeating: 0, count: 32))

    /// A fresh Noise state for WireGuard's protocol.
    static func noise(
        _ role: NoiseHandshakeState.Role, identity: StaticIdentity, remoteStatic: X25519.PublicKey?,
        staticStatic: SecureBytes? = nil
    ) -> NoiseHandshakeState? {
        try? NoiseHandshakeState(
            pattern: .IKpsk2, role: role, prologue: NoiseConstants.identifier, localStatic: identity.privateKey,
            remoteStatic: remoteStatic, precomputedStaticStatic: staticStatic)
    }

    // MARK: Initiator

    /// Builds an initiation (MACs still zero) and waits for its response under `localIndex`.
    /// Returns nil when no handshake with this peer is possible (no static-static secret, or a
    /// low-order point).
    mutating func createInitiation(
        identity: StaticIdentity, remoteStatic: X25519.PublicKey, staticStatic: SecureBytes?,
        localIndex: UInt32, now: TunnelInstant
    ) -> HandshakeInitiation? {
        // -> e, es, s, ss, {timestamp}
        guard let staticStatic,
              var noise = Self.noise(.initiator, identity: identity, remoteStatic: remoteStatic, staticStatic: staticStatic),
              let message = try? noise.writeMessage(payload: TAI64N(unixNanoseconds: now.unixNanoseconds).bytes)
        else { return nil }
        state = .awaitingResponse(InitiationSent(noise: noise, localIndex: localIndex))
        return HandshakeInitiation(
            sender: localIndex, ephemeral: Array(message[0..<32]), encryptedStatic: Array(message[32..<80]),
            encryptedTimestamp: Array(message[80..<108]))
    }

    /// Finishes our handshake with the peer's response; nil when we are not waiting for one
    /// under `response.receiver` or it does not authenticate. On success the handshake is idle.
    mutating func consumeResponse(_ response: HandshakeResponse, presharedKey: SecureBytes?) -> SessionKeys? {
        // <- e, ee, se, psk, {}
        guard case .awaitingResponse(let sent) = state, sent.localIndex == response.receiver else { return nil }
        var noise = sent.noise
        noise.presharedKey = presharedKey ?? Self.zeroPresharedKey
        guard let payload = try? noise.readMessage(response.ephemeral + response.encryptedNothing), payload.isEmpty,
              let keys = SessionKeys(noise, localIndex: sent.localIndex, remoteIndex: response.sender)
        else { return nil }
        state = .idle
        return keys
    }

    // MARK: Responder

    /// An initiation that authenticated: the initiator's static key, the timestamp only the
    /// holder of that key could seal, and the Noise state to answer from.
    struct OpenedInitiation {
        var noise: NoiseHandshakeState
        let initiatorStatic: X25519.PublicKey
        let timestamp: TAI64N
    }

    /// An initiation that authenticated and passed the replay and flood checks.
    struct ConsumedInitiation {
        var noise: NoiseHandshakeState
        let remoteIndex: UInt32
    }

    enum InitiationVerdict {
        case accepted(ConsumedInitiation)
        case replayed
        case flooded
    }

    /// Reads an initiation with our static key. As soon as the initiator's static key is
    /// decrypted, `staticStatic` looks it up and returns that peer's cached `DH(s, rs)`, or nil
    /// for an unknown peer (or one with no possible handshake), which stops the work there.
    /// Returns nil when the initiation is not for us, is corrupted, or does not authenticate.
    static func openInitiation(
        _ initiation: HandshakeInitiation, identity: StaticIdentity,
        staticStatic: (X25519.PublicKey) -> SecureBytes?
    ) -> OpenedInitiation? {
        guard var noise = Self.noise(.responder, identity: identity, remoteStatic: nil) else { return nil }
        let message = initiation.ephemeral + initiation.encryptedStatic + initiation.encryptedTimestamp
        let payload = try? noise.readMessage(message) { initiatorStatic in
            guard let ss = staticStatic(initiatorStatic) else { return .reject }
            return .accept(staticStatic: ss, presharedKey: nil)
        }
        guard let payload, payload.count == TAI64N.byteCount, let initiatorStatic = noise.remoteStatic else { return nil }
        return OpenedInitiation(noise: noise, initiatorStatic: initiatorStatic, timestamp: TAI64N(bytes: payload))
    }

    /// Applies the replay and flood rules to an authenticated initiation. On acceptance, any
    /// initiation of ours in flight is abandoned, as in wireguard-go (the caller releases its
    /// index).
    mutating func acceptInitiation(
        _ opened: OpenedInitiation, _ initiation: HandshakeInitiation, now: TunnelInstant
    ) -> InitiationVerdict {
        guard opened.timestamp > lastTimestamp else { return .replayed }
        if let last = lastInitiationConsumption, now.nanoseconds(since: last) <= ProtocolConstants.handshakeInitiationRate {
            return .flooded
        }
        lastTimestamp = opened.timestamp
        if lastInitiationConsumption.map({ now > $0 }) ?? true { lastInitiationConsumption = now }
        state = .idle
        return .accepted(ConsumedInitiation(noise: opened.noise, remoteIndex: initiation.sender))
    }

    /// Builds the response (MACs still zero) and the responder's transport keys.
    static func createResponse(
        _ consumed: ConsumedInitiation, presharedKey: SecureBytes?, localIndex: UInt32
    ) -> (HandshakeResponse, SessionKeys)? {
        // <- e, ee, se, psk, {}
        var noise = consumed.noise
        noise.presharedKey = presharedKey ?? zeroPresharedKey
        guard let message = try? noise.writeMessage(),
              let keys = SessionKeys(noise, localIndex: localIndex, remoteIndex: consumed.remoteIndex)
        else { return nil }
        let response = HandshakeResponse(
            sender: localIndex, receiver: consumed.remoteIndex, ephemeral: Array(message[0..<32]),
            encryptedNothing: Array(message[32..<48]))
        return (response, keys)
    }
}
