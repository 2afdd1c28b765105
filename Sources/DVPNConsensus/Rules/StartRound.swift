import DVPNLedger

extension ConsensusState {
    /// `Function StartRound(round)`, Algorithm 1 lines 11-21:
    ///
    ///     11: round_p ← round; step_p ← propose
    ///     14: if proposer(h_p, round_p) = p then
    ///     15:   if validValue_p ≠ nil then proposal ← validValue_p
    ///     18:   else proposal ← getValue()
    ///     19:   broadcast ⟨PROPOSAL, h_p, round_p, proposal, validRound_p⟩
    ///     21: else schedule OnTimeoutPropose(h_p, round_p) after timeoutPropose(round_p)
    ///
    /// getValue() needs the driver (it builds a block), so line 18 becomes the output
    /// `.requestProposalValue` and line 19 runs when `.proposalValue` answers.
    mutating func startRound(_ r: UInt32) {
        round = r
        step = .propose
        firedThisRound = []
        awaitingValue = nil
        if isValidator, let me, proposer(round: r) == me {
            if let value = validValue {
                outputs.append(.broadcast(.proposal(height: height, round: r, blockHash: value, validRound: validRound)))
            } else {
                awaitingValue = r
                outputs.append(.requestProposalValue(height: height, round: r))
            }
        } else {
            schedule(.propose)
        }
    }

    /// The answer to getValue() (line 18), then line 19. Dropped unless it answers the request of
    /// the current round and this validator is still in its propose step.
    mutating func receiveProposalValue(height h: UInt64, round r: UInt32, blockHash: Hash256) {
        guard h == height, r == round, step == .propose, awaitingValue == r, decision == nil else { return }
        awaitingValue = nil
        outputs.append(.broadcast(.proposal(height: height, round: r, blockHash: blockHash, validRound: validRound)))
    }
}
