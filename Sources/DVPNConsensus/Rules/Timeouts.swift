import DVPNLedger

extension ConsensusState {
    /// `Function OnTimeoutPropose`, `OnTimeoutPrevote` and `OnTimeoutPrecommit`, Algorithm 1 lines
    /// 57-67. Each is dropped unless it is for the current height and round (and step):
    ///
    ///     57: OnTimeoutPropose(height, round):
    ///     58:   if height = h_p ∧ round = round_p ∧ step_p = propose then
    ///     59:     broadcast ⟨PREVOTE, h_p, round_p, nil⟩; step_p ← prevote
    ///     61: OnTimeoutPrevote(height, round):
    ///     62:   if height = h_p ∧ round = round_p ∧ step_p = prevote then
    ///     63:     broadcast ⟨PRECOMMIT, h_p, round_p, nil⟩; step_p ← precommit
    ///     65: OnTimeoutPrecommit(height, round):
    ///     66:   if height = h_p ∧ round = round_p then
    ///     67:     StartRound(round_p + 1)
    mutating func onTimeout(_ timeout: Timeout) {
        guard started, decision == nil, timeout.height == height, timeout.round == round else { return }
        switch timeout.step {
        case .propose:
            guard step == .propose else { return }
            broadcastVote(.prevote, nil)
            step = .prevote
        case .prevote:
            guard step == .prevote else { return }
            broadcastVote(.precommit, nil)
            step = .precommit
        case .precommit:
            guard round < UInt32.max else { return }
            startRound(round + 1)
        }
    }
}
