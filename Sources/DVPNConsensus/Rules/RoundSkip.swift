import DVPNLedger

extension ConsensusState {
    /// Algorithm 1 lines 55-56, the round skip:
    ///
    ///     55: upon f+1 ⟨∗, h_p, round, ∗, ∗⟩ with round > round_p do
    ///     56:   StartRound(round)
    ///
    /// f+1 is counted by power (more than a third of the total) over distinct senders of any
    /// message of that round; at least one of them is honest, so the round is real. When several
    /// rounds qualify, the highest is started.
    mutating func ruleSkipRound() -> Bool {
        let ahead = rounds.filter { $0.key > round && validators.isMoreThanOneThird($0.value.senderPower) }
        guard let target = ahead.keys.max() else { return false }
        startRound(target)
        return true
    }
}
