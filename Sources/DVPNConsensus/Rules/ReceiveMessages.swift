import DVPNCrypto
import DVPNLedger

/// The message log (the "upon ⟨…⟩ from …" inputs of Algorithm 1). What the paper ignores is
/// dropped here: messages of other heights, from non-validators, proposals from anyone but
/// proposer(h_p, r), and rounds further ahead than `config.maxFutureRounds` (kept bounded; gossip
/// delivers them again later).
extension ConsensusState {
    /// Whether `r` is a round the log keeps: any round up to round_p + maxFutureRounds.
    func isWithinWindow(_ r: UInt32) -> Bool {
        let (limit, overflow) = round.addingReportingOverflow(config.maxFutureRounds)
        return overflow || r <= limit
    }

    mutating func receive(_ proposal: Proposal, blockIsValid: Bool) {
        guard started, decision == nil, proposal.height == height, isWithinWindow(proposal.round) else { return }
        guard let power = validators.power(of: proposal.proposer), proposer(round: proposal.round) == proposal.proposer else { return }
        rounds[proposal.round, default: RoundMessages()].add(proposal)
        rounds[proposal.round, default: RoundMessages()].noteSender(proposal.proposer, power: power)
        if validity[proposal.blockHash] == nil {
            validity[proposal.blockHash] = blockIsValid
        }
    }

    mutating func receive(_ vote: Vote) {
        guard started, decision == nil, vote.height == height, isWithinWindow(vote.round) else { return }
        guard let power = validators.power(of: vote.validator) else { return }
        var messages = rounds[vote.round, default: RoundMessages()]
        let outcome = vote.kind == .prevote ? messages.prevotes.add(vote, power: power) : messages.precommits.add(vote, power: power)
        messages.noteSender(vote.validator, power: power)
        rounds[vote.round] = messages
        if case let .conflict(existing) = outcome {
            let key = EquivocationKey(validator: vote.validator, round: vote.round, kind: vote.kind)
            if reportedEquivocations.insert(key).inserted {
                outputs.append(.evidence(Evidence(existing, vote)))
            }
        }
    }

    /// The first proposal of round `r`, if the log has one.
    func proposal(round r: UInt32) -> Proposal? { rounds[r]?.proposal }

    /// The proposal of round `r` for the block that more than 2/3 voted for with `kind`: the
    /// ⟨PROPOSAL, h_p, r, v, ∗⟩ AND 2f+1 ⟨kind, h_p, r, id(v)⟩ of lines 36 and 49.
    func proposalWithSupermajority(_ kind: Vote.Kind, round r: UInt32) -> Proposal? {
        guard let messages = rounds[r], let v = messages.tally(kind).supermajorityValue(in: validators) else { return nil }
        return messages.proposals[v]
    }

    /// The tally of `kind` votes in round `r`.
    func tally(_ kind: Vote.Kind, round r: UInt32) -> VoteTally { rounds[r]?.tally(kind) ?? VoteTally() }
}
