import DVPNLedger

/// The propose step: what a validator prevotes for when the round's proposal arrives.
extension ConsensusState {
    /// Algorithm 1 lines 22-27:
    ///
    ///     22: upon ⟨PROPOSAL, h_p, round_p, v, −1⟩ from proposer(h_p, round_p) while step_p = propose do
    ///     23:   if valid(v) ∧ (lockedRound_p = −1 ∨ lockedValue_p = v) then
    ///     24:     broadcast ⟨PREVOTE, h_p, round_p, id(v)⟩
    ///     26:   else broadcast ⟨PREVOTE, h_p, round_p, nil⟩
    ///     27:   step_p ← prevote
    mutating func ruleProposalWithoutPOL() -> Bool {
        guard step == .propose, let proposal = proposal(round: round), proposal.validRound == nil else { return false }
        let v = proposal.blockHash
        let lockAllows = skipLockCheck || lockedRound == nil || lockedValue == v
        broadcastVote(.prevote, isValid(v) && lockAllows ? v : nil)
        step = .prevote
        return true
    }

    /// Algorithm 1 lines 28-33:
    ///
    ///     28: upon ⟨PROPOSAL, h_p, round_p, v, vr⟩ from proposer(h_p, round_p) AND
    ///             2f+1 ⟨PREVOTE, h_p, vr, id(v)⟩ while step_p = propose ∧ (vr ≥ 0 ∧ vr < round_p) do
    ///     29:   if valid(v) ∧ (lockedRound_p ≤ vr ∨ lockedValue_p = v) then
    ///     30:     broadcast ⟨PREVOTE, h_p, round_p, id(v)⟩
    ///     32:   else broadcast ⟨PREVOTE, h_p, round_p, nil⟩
    ///     33:   step_p ← prevote
    ///
    /// A proposal whose vr ≥ round_p matches neither rule; the validator waits for its timeout.
    mutating func ruleProposalWithPOL() -> Bool {
        guard step == .propose, let proposal = proposal(round: round), let vr = proposal.validRound, vr < round else { return false }
        let v = proposal.blockHash
        guard validators.isSupermajority(tally(.prevote, round: vr).power(for: v)) else { return false }
        let lockAllows = skipLockCheck || lockedRound.map { $0 <= vr } ?? true || lockedValue == v
        broadcastVote(.prevote, isValid(v) && lockAllows ? v : nil)
        step = .prevote
        return true
    }
}
