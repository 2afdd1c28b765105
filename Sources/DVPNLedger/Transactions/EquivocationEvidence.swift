import DVPNCrypto

/// Proof that a validator signed two conflicting votes: the same (height, round, kind), two
/// different block hashes (a vote for nil counts as one), both signatures valid. The payload of
/// `TransactionPayload.evidence`; any account may submit it. Once committed, the offender's power
/// is zero from the next height (docs/evidence.md).
///
/// The consensus engine detects equivocation with its own type; a node turns what it detected
/// into this payload from the two `Vote`s.
public struct EquivocationEvidence: Hashable, Sendable {
    public var voteA: Vote
    public var voteB: Vote

    public init(voteA: Vote, voteB: Vote) {
        self.voteA = voteA
        self.voteB = voteB
    }

    public var offender: Schnorr.PublicKey { voteA.validator }
    public var height: UInt64 { voteA.height }

    /// The stateless checks: one signer, one (height, round, kind), two different block hashes,
    /// both signatures valid for `chainID`. Nil when the votes conflict; else why not. Signatures
    /// are checked last (they are the expensive part).
    public func problem(chainID: String) -> String? {
        guard voteA.validator == voteB.validator else { return "the votes are signed by two different validators" }
        guard voteA.height == voteB.height else { return "the votes are for different heights \(voteA.height) and \(voteB.height)" }
        guard voteA.round == voteB.round else { return "the votes are for different rounds \(voteA.round) and \(voteB.round)" }
        guard voteA.kind == voteB.kind else { return "one vote is a prevote, the other a precommit" }
        guard voteA.blockHash != voteB.blockHash else { return "both votes are for the same block" }
        guard voteA.height >= 1 else { return "votes at height 0 do not exist" }
        guard voteA.hasValidSignature(chainID: chainID) else { return "the first vote's signature does not verify" }
        guard voteB.hasValidSignature(chainID: chainID) else { return "the second vote's signature does not verify" }
        return nil
    }
}

extension EquivocationEvidence: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(voteA)
        encoder.encode(voteB)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        voteA = try decoder.decode(Vote.self)
        voteB = try decoder.decode(Vote.self)
    }
}
