import DVPNCrypto
import DVPNLedger

/// The link handshake as a pure state machine (docs/p2p.md): Noise_XX_25519_ChaChaPoly_BLAKE2s
/// with the chain id in the prologue and a `LinkProof` in messages 2 and 3.
///
///     -> e                                         (empty payload)
///     <- e, ee, s, es, {responder's LinkProof}
///     -> s, se, {initiator's LinkProof}
///
/// A peer of another chain has another prologue, so message 2 does not decrypt; a peer that
/// cannot sign for its Noise key with a ledger key (no key, a wrong signature, a proof made for
/// another Noise key, chain or handshake) is refused before the link exists.
public struct LinkHandshake {
    public enum Role: Sendable {
        case initiator
        case responder
    }

    /// What to do after a handshake message.
    public enum Step {
        /// Send this message and wait for the next.
        case reply([UInt8])
        /// The link is up; send `reply` first if there is one.
        case established(LinkSession, reply: [UInt8]?)
    }

    private var noise: NoiseHandshakeState
    private let identity: LinkIdentity
    private let chainID: String

    public init(role: Role, identity: LinkIdentity, chainID: String) throws(GossipError) {
        guard SigningDomain.isValidChainID(chainID) else {
            throw GossipError(.invalidConfiguration, "chain id \(String(reflecting: chainID)) is not valid")
        }
        self.identity = identity
        self.chainID = chainID
        do {
            noise = try NoiseHandshakeState(
                pattern: .XX, role: role == .initiator ? .initiator : .responder,
                prologue: Self.prologue(chainID: chainID), localStatic: identity.noiseKey)
        } catch {
            throw GossipError(.handshakeFailed, error.reason)
        }
    }

    /// `UInt32 len ‖ "dvpn/p2p/v1" ‖ UInt32 len ‖ chain id`: both sides mix it in before the
    /// first message, so the handshake only completes between nodes of one chain.
    public static func prologue(chainID: String) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.encode(string: "dvpn/p2p/v1", maxLength: 64, field: "protocol")
        encoder.encode(string: chainID, maxLength: SigningDomain.maxChainIDLength, field: "chain id")
        return encoder.bytes
    }

    /// The longest handshake message: message 2 is 32 + 48 + 96 + 16 = 192 bytes.
    public static let maxMessageByteCount = 256

    /// The initiator's first message.
    public mutating func start() throws(GossipError) -> [UInt8] {
        do {
            return try noise.writeMessage()
        } catch {
            throw GossipError(.handshakeFailed, error.reason)
        }
    }

    /// Consumes the peer's next handshake message.
    public mutating func receive(_ message: [UInt8]) throws(GossipError) -> Step {
        let hashBefore = noise.handshakeHash
        let payload: [UInt8]
        do {
            payload = try noise.readMessage(message)
        } catch {
            throw GossipError(.handshakeFailed, "handshake message \(noise.messageIndex + 1): \(error.reason)")
        }
        if noise.messageIndex == 1 {
            // Responder, message 1 read: prove who we are in message 2.
            guard payload.isEmpty else { throw GossipError(.handshakeFailed, "handshake message 1 carries a payload") }
            return .reply(try writeProof())
        }
        // Message 2 (initiator) or 3 (responder): the peer's proof, checked against `h` as it was
        // before this message.
        guard let remoteStatic = noise.remoteStatic,
              let proof = try? LinkProof(canonicalBytes: payload),
              proof.verifies(chainID: chainID, noiseStatic: remoteStatic, handshakeHash: hashBefore)
        else {
            throw GossipError(.handshakeFailed, "the peer did not prove a ledger identity for its link key")
        }
        let reply = noise.isComplete ? nil : try writeProof()
        do {
            let (send, receive) = try noise.split()
            return .established(
                LinkSession(remote: PeerID(proof.ledgerKey), send: send, receive: receive, handshakeHash: noise.handshakeHash),
                reply: reply)
        } catch {
            throw GossipError(.handshakeFailed, error.reason)
        }
    }

    private mutating func writeProof() throws(GossipError) -> [UInt8] {
        let proof = try LinkProof(identity: identity, chainID: chainID, handshakeHash: noise.handshakeHash)
        do {
            return try noise.writeMessage(payload: proof.canonicalBytes)
        } catch {
            throw GossipError(.handshakeFailed, error.reason)
        }
    }
}

/// An established link's transport ciphers (Noise §5.1: nonces count from zero in each
/// direction; no rekey, a link is redone by reconnecting long before 2^64 messages).
public struct LinkSession: Sendable {
    /// The ledger identity the peer proved.
    public let remote: PeerID
    private var send: NoiseCipherState
    private var receive: NoiseCipherState
    /// `h` at the end of the handshake.
    public let handshakeHash: [UInt8]

    init(remote: PeerID, send: NoiseCipherState, receive: NoiseCipherState, handshakeHash: [UInt8]) {
        self.remote = remote
        self.send = send
        self.receive = receive
        self.handshakeHash = handshakeHash
    }

    /// Encrypts one frame body.
    public mutating func seal(_ plaintext: [UInt8]) throws(GossipError) -> [UInt8] {
        do {
            return try send.encrypt(plaintext)
        } catch {
            throw GossipError(.decryptionFailed, error.reason)
        }
    }

    /// Decrypts one frame body; a frame that does not authenticate (or is replayed, reordered or
    /// dropped, since the nonce counts) throws `.decryptionFailed`.
    public mutating func open(_ ciphertext: [UInt8]) throws(GossipError) -> [UInt8] {
        do {
            return try receive.decrypt(ciphertext)
        } catch {
            throw GossipError(.decryptionFailed, "frame does not authenticate: \(error.reason)")
        }
    }
}
