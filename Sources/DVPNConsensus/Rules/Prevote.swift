import DVPNLedger

/// The prevote step: what 2f+1 prevotes of round_p make a validator do.
extension ConsensusState {
    static let line34 = UInt16(34)
    static let line36 = UInt16(36)
    static let line47 = UInt16(47)

    /// Algorithm 1 lines 34-35:
    ///
    ///     34: upon 2f+1 ⟨PREVOTE, h_p, round_p, ∗⟩ while step_p = prevote for the first time do
    ///     35:   schedule OnTimeoutPrevote(h_p, round_p) after timeoutPrevote(round_p)
    mutating func rulePrevoteAnyTimeout() -> Bool {
        guard step == .prevote, !firedThisRound.contains(Self.line34),
              validators.isSupermajority(tally(.prevote, round: round).totalPower) else { return false }
        firedThisRound.insert(Self.line34)
        schedule(.prevote)
        return true
    }

    /// Algorithm 1 lines 36-43, the lock:
    ///
    ///     36: upon ⟨PROPOSAL, h_p, round_p, v, ∗⟩ from proposer(h_p, round_p) AND
    ///             2f+1 ⟨PREVOTE, h_p, round_p, id(v)⟩ while valid(v) ∧ step_p ≥ prevote for the first time do
    ///     37:   if step_p = prevote then
    ///     38:     lockedValue_p ← v; lockedRound_p ← round_p
    ///     40:     broadcast ⟨PRECOMMIT, h_p, round_p, id(v)⟩
    ///     41:     step_p ← precommit
    ///     42:   validValue_p ← v; validRound_p ← round_p
    mutating func rulePolkaForValue() -> Bool {
        guard step >= .prevote, !firedThisRound.contains(Self.line36),
              let proposal = proposalWithSupermajority(.prevote, round: round), isValid(proposal.blockHash) else { return false }
        let v = proposal.blockHash
        firedThisRound.insert(Self.line36)
        if step == .prevote {
            lockedValue = v
            lockedRound = round
            broadcastVote(.precommit, v)
            step = .precommit
        }
        validValue = v
        validRound = round
        return true
    }

    /// Algorithm 1 lines 44-46:
    ///
    ///     44: upon 2f+1 ⟨PREVOTE, h_p, round_p, nil⟩ while step_p = prevote do
    ///     45:   broadcast ⟨PRECOMMIT, h_p, round_p, nil⟩
    ///     46:   step_p ← precommit
    mutating func rulePolkaForNil() -> Bool {
        guard step == .prevote, validators.isSupermajority(tally(.prevote, round: round).power(for: nil)) else { return false }
        broadcastVote(.precommit, nil)
        step = .precommit
        return true
    }
}
