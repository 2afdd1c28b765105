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

    /// The ledger's payload for these two votes (`TransactionPayload.evidence`), which a node
    /// submits once it has detected the equivocation.
    public var ledgerPayload: EquivocationEvidence { EquivocationEvidence(voteA: first, voteB: second) }

    /// Checks that this is a real equivocation by a member of `validators` (the set in force at
    /// `height`). The conflict itself (one signer, same height, round and kind, different block
    /// hashes, both signatures valid for `chainID`) is the ledger's rule,
    /// `EquivocationEvidence.problem(chainID:)`, so that what consensus reports and what the
    /// executor accepts can never differ; membership is checked first, signatures last.
    public func verify(chainID: String, validators: ValidatorSet) throws(ConsensusError) {
        guard validators.contains(first.validator) else {
            let key = Hex.encode(first.validator.rawRepresentation)
            throw ConsensusError(.invalidEvidence, "\(key) is not a validator of the set in force at height \(height)")
        }
        if let problem = ledgerPayload.problem(chainID: chainID) {
            throw ConsensusError(.invalidEvidence, "evidence: \(problem)")
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
