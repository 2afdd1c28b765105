import DVPNCrypto
import DVPNLedger

/// The votes of one kind in one round, with the power behind each value.
///
/// Algorithm 1 counts messages per value from distinct senders: "2f+1 ⟨PRECOMMIT, h, r, id(v)⟩".
/// An equivocating validator sent two such messages, so it counts toward both values (the safety
/// argument allows for that), and toward "∗" once. Counting it only for the value heard first
/// would leave honest validators that heard the other one unable to reach a quorum the rest of
/// the network reached. Each validator's votes are kept for at most `maxValuesPerValidator`
/// values (the proposals a round keeps, and nil), so equivocation cannot fill memory. Powers are
/// sums of at most `totalPower ≤ 2^60`, so they cannot overflow.
struct VoteTally: Sendable {
    static let maxValuesPerValidator = RoundMessages.maxProposals + 1

    /// Each validator's votes, first received first.
    private(set) var votes: [Schnorr.PublicKey: [Vote]] = [:]
    /// Power per voted value; the nil key is the power of votes for nil.
    private(set) var powerFor: [Hash256?: UInt64] = [:]
    /// Power of the validators that voted at all ("2f+1 ⟨PREVOTE, h, r, ∗⟩").
    private(set) var totalPower: UInt64 = 0

    enum Outcome {
        case added
        case duplicate
        /// The validator had already voted for another value (`first`): an equivocation.
        case conflict(first: Vote)
    }

    mutating func add(_ vote: Vote, power: UInt64) -> Outcome {
        guard let existing = votes[vote.validator], let first = existing.first else {
            votes[vote.validator] = [vote]
            powerFor[vote.blockHash, default: 0] += power
            totalPower += power
            return .added
        }
        if existing.contains(where: { $0.blockHash == vote.blockHash }) { return .duplicate }
        if existing.count < Self.maxValuesPerValidator {
            votes[vote.validator, default: []].append(vote)
            powerFor[vote.blockHash, default: 0] += power
        }
        return .conflict(first: first)
    }

    func power(for value: Hash256?) -> UInt64 { powerFor[value] ?? 0 }

    /// The votes for `value`, one per validator.
    func votes(for value: Hash256?) -> [Vote] {
        votes.values.compactMap { list in list.first { $0.blockHash == value } }
    }

    /// The block that more than two thirds of `validators`' power voted for, if any (at most one
    /// can be, unless more than a third equivocates; the smallest hash is taken then).
    func supermajorityValue(in validators: ValidatorSet) -> Hash256? {
        powerFor.compactMap { entry in entry.key.flatMap { validators.isSupermajority(entry.value) ? $0 : nil } }.min()
    }
}

/// Everything received for one round of the current height: the proposal from the round's
/// proposer, prevotes, precommits, and who sent anything at all (for line 55's f+1 round skip).
struct RoundMessages: Sendable {
    /// At most this many different proposals are kept per round. An honest proposer sends one;
    /// an equivocating one may send several, and the network may decide any of them, so the log
    /// keeps a few (line 49 needs the decided one) without letting a proposer fill memory.
    static let maxProposals = 4

    /// The first proposal received: the one lines 22 and 28 prevote on.
    private(set) var proposal: Proposal?
    /// Every kept proposal, by block hash: lines 36 and 49 look up the value that has the votes.
    private(set) var proposals: [Hash256: Proposal] = [:]
    var prevotes = VoteTally()
    var precommits = VoteTally()
    private(set) var senders: Set<Schnorr.PublicKey> = []
    private(set) var senderPower: UInt64 = 0

    /// Keeps `proposal` unless the round already holds it or is full.
    mutating func add(_ proposal: Proposal) {
        guard proposals[proposal.blockHash] == nil, proposals.count < Self.maxProposals else { return }
        proposals[proposal.blockHash] = proposal
        if self.proposal == nil { self.proposal = proposal }
    }

    mutating func noteSender(_ key: Schnorr.PublicKey, power: UInt64) {
        if senders.insert(key).inserted { senderPower += power }
    }

    func tally(_ kind: Vote.Kind) -> VoteTally { kind == .prevote ? prevotes : precommits }
}

extension ValidatorSet {
    /// More than a third of the power: f+1 in the paper's count, 3·power > total.
    func isMoreThanOneThird(_ power: UInt64) -> Bool {
        power.multipliedFullWidth(by: 3) > totalPower.multipliedFullWidth(by: 1)
    }
}
