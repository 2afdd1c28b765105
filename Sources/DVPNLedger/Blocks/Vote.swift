import DVPNCrypto

/// A consensus vote. The ledger stores only precommits (inside commits); prevotes share the
/// format so the consensus layer signs both the same way.
public struct Vote: Hashable, Sendable {
    public enum Kind: UInt8, Hashable, Sendable {
        case prevote = 1
        case precommit = 2
    }

    public var kind: Kind
    public var height: UInt64
    public var round: UInt32
    /// The block voted for; nil is a vote for no block in this round.
    public var blockHash: Hash256?
    public var validator: Schnorr.PublicKey
    public var signature: Schnorr.Signature

    public init(kind: Kind, height: UInt64, round: UInt32, blockHash: Hash256?, validator: Schnorr.PublicKey, signature: Schnorr.Signature) {
        self.kind = kind
        self.height = height
        self.round = round
        self.blockHash = blockHash
        self.validator = validator
        self.signature = signature
    }

    /// The signed bytes: the kind's domain (`SigningDomain.prevote` or `.precommit`) ‖ chain id ‖
    /// (height, round, block hash?). The kind is in the domain, so a prevote can never count as a
    /// precommit.
    public static func signingMessage(chainID: String, kind: Kind, height: UInt64, round: UInt32, blockHash: Hash256?) -> [UInt8] {
        var e = CanonicalEncoder()
        e.encode(height)
        e.encode(round)
        e.encode(optional: blockHash)
        return (kind == .prevote ? SigningDomain.prevote : SigningDomain.precommit).message(chainID: chainID, body: e.bytes)
    }

    /// Signs a vote with a validator key.
    public static func sign(chainID: String, kind: Kind, height: UInt64, round: UInt32, blockHash: Hash256?, with key: Schnorr.PrivateKey) throws(LedgerError) -> Vote {
        let message = signingMessage(chainID: chainID, kind: kind, height: height, round: round, blockHash: blockHash)
        do {
            let signature = try key.signature(for: message)
            return Vote(kind: kind, height: height, round: round, blockHash: blockHash, validator: key.publicKey, signature: signature)
        } catch {
            throw LedgerError(.invalidSignature, "could not sign vote: \(error.reason)")
        }
    }

    public func hasValidSignature(chainID: String) -> Bool {
        validator.isValidSignature(signature, for: Vote.signingMessage(chainID: chainID, kind: kind, height: height, round: round, blockHash: blockHash))
    }
}

extension Vote.Kind: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(rawValue) }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let raw = try decoder.decodeUInt8()
        guard let kind = Vote.Kind(rawValue: raw) else { throw LedgerError(.malformedEncoding, "unknown vote kind \(raw)") }
        self = kind
    }
}

extension Vote: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(kind)
        encoder.encode(height)
        encoder.encode(round)
        encoder.encode(optional: blockHash)
        encoder.encode(validator)
        encoder.encode(signature)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        kind = try decoder.decode(Vote.Kind.self)
        height = try decoder.decodeUInt64()
        round = try decoder.decodeUInt32()
        blockHash = try decoder.decodeOptional(of: Hash256.self)
        validator = try decoder.decode(Schnorr.PublicKey.self)
        signature = try decoder.decode(Schnorr.Signature.self)
    }
}
