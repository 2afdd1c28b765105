import DVPNCrypto
import DVPNLedger

/// A node's two keys on the P2P network: its ledger identity (the BIP340 key that names it and
/// signs its votes) and the X25519 static key of its Noise links. The link handshake binds the
/// second to the first with a signature (docs/p2p.md).
public struct LinkIdentity: Sendable {
    public let ledgerKey: Schnorr.PrivateKey
    public let noiseKey: X25519.PrivateKey

    /// A fresh Noise key is fine: peers know a node by its ledger key, not its link key.
    public init(ledgerKey: Schnorr.PrivateKey, noiseKey: X25519.PrivateKey = X25519.PrivateKey()) {
        self.ledgerKey = ledgerKey
        self.noiseKey = noiseKey
    }

    public var peerID: PeerID { PeerID(ledgerKey.publicKey) }
}

/// The payload of XX messages 2 and 3: the sender's ledger key and its BIP340 signature over
///
///     SigningDomain.linkAuth.message(chainID, body: noise static key (32) ‖ handshake hash (32))
///
/// where the hash is `h` as both sides hold it after the previous handshake message, so a proof
/// is good for one chain, one Noise key and one handshake only. Canonical encoding: the two fixed
/// fields, 96 bytes.
struct LinkProof: Sendable, CanonicalCodable {
    static let byteCount = Schnorr.publicKeyByteCount + Schnorr.signatureByteCount

    let ledgerKey: Schnorr.PublicKey
    let signature: Schnorr.Signature

    static func signedMessage(chainID: String, noiseStatic: X25519.PublicKey, handshakeHash: [UInt8]) -> [UInt8] {
        SigningDomain.linkAuth.message(chainID: chainID, body: noiseStatic.rawRepresentation + handshakeHash)
    }

    init(ledgerKey: Schnorr.PublicKey, signature: Schnorr.Signature) {
        self.ledgerKey = ledgerKey
        self.signature = signature
    }

    /// Signs for our own Noise key at this point of the handshake.
    init(identity: LinkIdentity, chainID: String, handshakeHash: [UInt8]) throws(GossipError) {
        let message = Self.signedMessage(chainID: chainID, noiseStatic: identity.noiseKey.publicKey, handshakeHash: handshakeHash)
        do {
            signature = try identity.ledgerKey.signature(for: message)
        } catch {
            throw GossipError(.handshakeFailed, "cannot sign the link proof: \(error.reason)")
        }
        ledgerKey = identity.ledgerKey.publicKey
    }

    /// True when the signature binds `noiseStatic` to `ledgerKey` for this chain and handshake.
    func verifies(chainID: String, noiseStatic: X25519.PublicKey, handshakeHash: [UInt8]) -> Bool {
        ledgerKey.isValidSignature(
            signature, for: Self.signedMessage(chainID: chainID, noiseStatic: noiseStatic, handshakeHash: handshakeHash))
    }

    func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(fixed: ledgerKey.rawRepresentation, count: Schnorr.publicKeyByteCount, field: "ledger key")
        encoder.encode(fixed: signature.rawRepresentation, count: Schnorr.signatureByteCount, field: "signature")
    }

    init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let key = try decoder.decodeFixed(count: Schnorr.publicKeyByteCount, field: "ledger key")
        let signature = try decoder.decodeFixed(count: Schnorr.signatureByteCount, field: "signature")
        do {
            ledgerKey = try Schnorr.PublicKey(rawRepresentation: key)
            self.signature = try Schnorr.Signature(rawRepresentation: signature)
        } catch {
            throw LedgerError(.malformedEncoding, "link proof: \(error.reason)")
        }
    }
}
