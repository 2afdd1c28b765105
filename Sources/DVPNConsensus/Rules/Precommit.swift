import DVPNLedger

/// Precommits: the precommit timeout, the decision, and the move to the next height.
extension ConsensusState {
    /// Algorithm 1 lines 47-48:
    ///
    ///     47: upon 2f+1 ⟨PRECOMMIT, h_p, round_p, ∗⟩ for the first time do
    ///     48:   schedule OnTimeoutPrecommit(h_p, round_p) after timeoutPrecommit(round_p)
    mutating func rulePrecommitAnyTimeout() -> Bool {
        guard !firedThisRound.contains(Self.line47),
              validators.isSupermajority(tally(.precommit, round: round).totalPower) else { return false }
        firedThisRound.insert(Self.line47)
        schedule(.precommit)
        return true
    }

    /// Algorithm 1 lines 49-51, at any round r of this height:
    ///
    ///     49: upon ⟨PROPOSAL, h_p, r, v, ∗⟩ from proposer(h_p, r) AND 2f+1 ⟨PRECOMMIT, h_p, r, id(v)⟩
    ///             while decision_p[h_p] = nil do
    ///     50:   if valid(v) then
    ///     51:     decision_p[h_p] = v
    ///
    /// The decision carries the commit (the 2f+1 precommits). Lines 52-54 wait for `.blockApplied`.
    mutating func ruleDecide() -> Bool {
        guard decision == nil else { return false }
        // The lowest qualifying round, so that replays and peers pick the same one.
        var found: (round: UInt32, proposal: Proposal)?
        for (r, messages) in rounds where r < (found?.round ?? .max) && validators.isSupermajority(messages.precommits.totalPower) {
            if let proposal = proposalWithSupermajority(.precommit, round: r), isValid(proposal.blockHash) {
                found = (r, proposal)
            }
        }
        if let found {
            let (r, v) = (found.round, found.proposal.blockHash)
            let precommits = tally(.precommit, round: r)
            let commit = Commit(height: height, round: r, blockHash: v, signatures: precommits.votes(for: v).map {
                ValidatorSignature(validator: $0.validator, signature: $0.signature)
            })
            let decided = Decision(height: height, round: r, blockHash: v, commit: commit)
            decision = decided
            outputs.append(.decide(decided))
            return true
        }
        return false
    }

    /// Algorithm 1 lines 52-54, once the driver has applied the decided block:
    ///
    ///     52: h_p ← h_p + 1
    ///     53: reset lockedRound_p, lockedValue_p, validRound_p and validValue_p to initial values
    ///         and empty message log
    ///     54: StartRound(0)
    mutating func applyBlock(height h: UInt64, nextValidators: ValidatorSet) {
        guard started, let decided = decision, h == height, h < UInt64.max else { return }
        proposerPriority = proposerPriority.nextHeight(validators: nextValidators)
        validators = nextValidators
        lastCommit = decided.commit
        height = h + 1
        decision = nil
        lockedValue = nil
        lockedRound = nil
        validValue = nil
        validRound = nil
        rounds = [:]
        validity = [:]
        proposerCache = [:]
        reportedEquivocations = []
        startRound(0)
    }
}
