import DVPNCrypto

/// A validator's signature: a precommit inside a commit, or an approval of a validator update.
public struct ValidatorSignature: Hashable, Sendable {
    public var validator: Schnorr.PublicKey
    public var signature: Schnorr.Signature

    public init(validator: Schnorr.PublicKey, signature: Schnorr.Signature) {
        self.validator = validator
        self.signature = signature
    }
}

/// The proof that a block is final: precommits for (height, round, block hash) from validators
/// holding more than 2/3 of the voting power of the set in force at that height (Tendermint's
/// commit rule). A single validator is the smallest such set.
public struct Commit: Hashable, Sendable {
    public var height: UInt64
    public var round: UInt32
    public var blockHash: Hash256
    /// Sorted by validator key, one per validator.
    public var signatures: [ValidatorSignature]

    public init(height: UInt64, round: UInt32, blockHash: Hash256, signatures: [ValidatorSignature]) {
        self.height = height
        self.round = round
        self.blockHash = blockHash
        self.signatures = signatures.sorted { Schnorr.PublicKey.byBytes($0.validator, $1.validator) }
    }

    /// Collects precommits for one block into a commit; votes for anything else are refused.
    public init(precommits: [Vote]) throws(LedgerError) {
        guard let first = precommits.first, let hash = first.blockHash else {
            throw LedgerError(.ruleViolation, "a commit needs at least one precommit for a block")
        }
        for vote in precommits where vote.kind != .precommit || vote.height != first.height || vote.round != first.round || vote.blockHash != hash {
            throw LedgerError(.ruleViolation, "precommit of \(Hex.encode(vote.validator.rawRepresentation)) is for another block, height or round")
        }
        self.init(height: first.height, round: first.round, blockHash: hash,
                  signatures: precommits.map { ValidatorSignature(validator: $0.validator, signature: $0.signature) })
    }

    public var hash: Hash256 { Hash256.tagged("dvpn/commit", canonicalBytes) }

    /// Checks every signature and the power threshold against the set in force at `height`.
    public func verify(chainID: String, validators: ValidatorSet) throws(LedgerError) {
        let message = Vote.signingMessage(chainID: chainID, kind: .precommit, height: height, round: round, blockHash: blockHash)
        try validators.requireSupermajority(signatures, over: message, what: "commit for height \(height)")
    }
}

extension ValidatorSet {
    /// Checks that `signatures` are sorted and unique, each by a member of this set and valid
    /// over `message`, and together hold more than 2/3 of the power. `what` names the signed
    /// object in errors.
    func requireSupermajority(_ signatures: [ValidatorSignature], over message: [UInt8], what: String) throws(LedgerError) {
        guard isStrictlySorted(signatures.map(\.validator)) else {
            throw LedgerError(.ruleViolation, "\(what) lists a validator twice or out of order")
        }
        var power: UInt64 = 0
        for entry in signatures {
            let key = Hex.encode(entry.validator.rawRepresentation)
            guard let p = self.power(of: entry.validator) else {
                throw LedgerError(.ruleViolation, "\(what) is signed by \(key), not a validator of the set in force")
            }
            guard entry.validator.isValidSignature(entry.signature, for: message) else {
                throw LedgerError(.invalidSignature, "\(what): the signature of validator \(key) does not verify")
            }
            power += p
        }
        guard isSupermajority(power) else {
            throw LedgerError(.ruleViolation, "\(what) holds \(power) of \(totalPower) voting power, needs more than 2/3")
        }
    }
}

extension ValidatorSignature: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(validator)
        encoder.encode(signature)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        validator = try decoder.decode(Schnorr.PublicKey.self)
        signature = try decoder.decode(Schnorr.Signature.self)
    }
}

extension Commit: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(height)
        encoder.encode(round)
        encoder.encode(blockHash)
        encoder.encode(array: signatures, maxCount: LedgerLimits.maxValidators)
    }

    /// Decoding is strict: signatures must be in canonical order, one per validator.
    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        height = try decoder.decodeUInt64()
        round = try decoder.decodeUInt32()
        blockHash = try decoder.decode(Hash256.self)
        signatures = try decoder.decodeArray(of: ValidatorSignature.self, maxCount: LedgerLimits.maxValidators)
        guard isStrictlySorted(signatures.map(\.validator)) else {
            throw LedgerError(.malformedEncoding, "commit signatures are not sorted by validator key")
        }
    }
}
