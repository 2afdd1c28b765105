import DVPNCrypto
import DVPNLedger

/// ⟨PROPOSAL, h, r, v, vr⟩ (Algorithm 1, line 19), signed by the round's proposer.
///
/// The proposal names the block by its hash; the block itself travels separately and the driver
/// executes it to learn valid(v) (see `ConsensusInput.proposal`). `validRound` is the paper's `vr`,
/// nil standing for −1: the round of the proof-of-lock (2f+1 prevotes) the proposer re-proposes
/// `validValue_p` under.
public struct Proposal: Hashable, Sendable {
    public var height: UInt64
    public var round: UInt32
    public var blockHash: Hash256
    public var validRound: UInt32?
    public var proposer: Schnorr.PublicKey
    public var signature: Schnorr.Signature

    public init(height: UInt64, round: UInt32, blockHash: Hash256, validRound: UInt32?, proposer: Schnorr.PublicKey, signature: Schnorr.Signature) {
        self.height = height
        self.round = round
        self.blockHash = blockHash
        self.validRound = validRound
        self.proposer = proposer
        self.signature = signature
    }

    /// The signed bytes: `SigningDomain.proposal` ‖ chain id ‖ (height, round, block hash,
    /// valid round?) in canonical encoding.
    public static func signingMessage(chainID: String, height: UInt64, round: UInt32, blockHash: Hash256, validRound: UInt32?) -> [UInt8] {
        var e = CanonicalEncoder()
        e.encode(height)
        e.encode(round)
        e.encode(blockHash)
        e.encode(optional: validRound)
        return SigningDomain.proposal.message(chainID: chainID, body: e.bytes)
    }

    /// Signs a proposal with the proposer's key. Callers go through `SignGuard` first.
    public static func sign(chainID: String, height: UInt64, round: UInt32, blockHash: Hash256, validRound: UInt32?, with key: Schnorr.PrivateKey) throws(ConsensusError) -> Proposal {
        let message = signingMessage(chainID: chainID, height: height, round: round, blockHash: blockHash, validRound: validRound)
        do {
            let signature = try key.signature(for: message)
            return Proposal(height: height, round: round, blockHash: blockHash, validRound: validRound, proposer: key.publicKey, signature: signature)
        } catch {
            throw ConsensusError(.invalidSignature, "could not sign proposal: \(error.reason)")
        }
    }

    public func hasValidSignature(chainID: String) -> Bool {
        proposer.isValidSignature(signature, for: Proposal.signingMessage(chainID: chainID, height: height, round: round, blockHash: blockHash, validRound: validRound))
    }
}

extension Proposal: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(height)
        encoder.encode(round)
        encoder.encode(blockHash)
        encoder.encode(optional: validRound)
        encoder.encode(proposer)
        encoder.encode(signature)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        height = try decoder.decodeUInt64(field: "height")
        round = try decoder.decodeUInt32(field: "round")
        blockHash = try decoder.decode(Hash256.self, field: "blockHash")
        validRound = try decoder.decodeOptional(of: UInt32.self, field: "validRound")
        proposer = try decoder.decode(Schnorr.PublicKey.self, field: "proposer")
        signature = try decoder.decode(Schnorr.Signature.self, field: "signature")
    }
}
