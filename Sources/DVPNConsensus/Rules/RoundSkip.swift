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
        var target: UInt32?
        for (r, messages) in rounds where r > round && r > (target ?? 0) && validators.isMoreThanOneThird(messages.senderPower) {
            target = r
        }
        guard let target else { return false }
        startRound(target)
        return true
    }
}
