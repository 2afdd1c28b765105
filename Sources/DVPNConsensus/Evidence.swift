import DVPNCrypto
import DVPNLedger

/// Proof that a validator equivocated: two votes it signed for the same (height, round, kind)
/// naming different blocks (or one a block and one nil). Either alone is a valid vote; together
/// they break the rule every honest validator keeps (`SignGuard`), so any node may submit them.
///
/// Self-contained on purpose: a ledger transaction can carry `canonicalBytes` and the executor can
/// call `verify(chainID:validators:)` with the set in force at `height`; what the ledger then does
/// (zero the offender's power from the next height) is the ledger's rule, recorded in
/// docs/consensus.md.
///
/// The two votes are kept in canonical order (by their encoding), so every observer of the same
/// pair builds byte-identical evidence and gossip can deduplicate it by hash.
public struct Evidence: Hashable, Sendable {
    public let first: Vote
    public let second: Vote

    /// Orders the two votes canonically; does not check them (see `verify`).
    public init(_ a: Vote, _ b: Vote) {
        if a.canonicalBytes.lexicographicallyPrecedes(b.canonicalBytes) {
            first = a
            second = b
        } else {
            first = b
            second = a
        }
    }

    public var validator: Schnorr.PublicKey { first.validator }
    public var height: UInt64 { first.height }
    public var round: UInt32 { first.round }
    public var kind: Vote.Kind { first.kind }

    public var hash: Hash256 { Hash256.tagged("dvpn/evidence", canonicalBytes) }

    /// Checks that this is a real equivocation by a member of `validators` (the set in force at
    /// `height`): one signer, same height, round and kind, different block hashes, both signatures
    /// valid for `chainID`.
    public func verify(chainID: String, validators: ValidatorSet) throws(ConsensusError) {
        let key = Hex.encode(first.validator.rawRepresentation)
        guard first.validator == second.validator else {
            throw ConsensusError(.invalidEvidence, "evidence votes are signed by two different validators")
        }
        guard first.height == second.height, first.round == second.round, first.kind == second.kind else {
            throw ConsensusError(.invalidEvidence, "evidence votes of \(key) are for different heights, rounds or kinds")
        }
        guard first.blockHash != second.blockHash else {
            throw ConsensusError(.invalidEvidence, "evidence votes of \(key) name the same block")
        }
        guard validators.contains(first.validator) else {
            throw ConsensusError(.invalidEvidence, "\(key) is not a validator of the set in force at height \(height)")
        }
        guard first.hasValidSignature(chainID: chainID), second.hasValidSignature(chainID: chainID) else {
            throw ConsensusError(.invalidSignature, "an evidence vote of \(key) has an invalid signature")
        }
    }
}

extension Evidence: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(first)
        encoder.encode(second)
    }

    /// Decoding is strict: the votes must already be in canonical order.
    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let a = try decoder.decode(Vote.self, field: "first")
        let b = try decoder.decode(Vote.self, field: "second")
        guard a.canonicalBytes.lexicographicallyPrecedes(b.canonicalBytes) else {
            throw LedgerError(.malformedEncoding, "evidence votes are not in canonical order")
        }
        first = a
        second = b
    }
}
