import DVPNCrypto
import DVPNLedger

/// One validator's (or full node's) Tendermint state machine: Algorithm 1 of Buchman, Kwon and
/// Milosevic, "The latest gossip on BFT consensus" (2018), as a synchronous value with no I/O, no
/// clock and no tasks. The driver feeds it `ConsensusInput`s (writing each to the WAL first) and
/// carries out the `ConsensusOutput`s it returns.
///
/// The rules live one per file under `Rules/`, each named and commented with the lines of
/// Algorithm 1 it implements. After every input `handle(_:)` applies rules until none fires, which
/// realises the paper's "upon … do" semantics: a rule runs as soon as its condition holds.
///
/// Deviations from the paper, all outside its scope: the decision (line 51) waits for the block to
/// be applied (`.blockApplied`) before lines 52-54 move to the next height, because the next
/// validator set comes from executing the block; rounds start at 0 per height; −1 is nil.
public struct ConsensusState: Sendable {
    public let chainID: String
    /// This validator's key, or nil for a full node that follows but never votes or proposes.
    public let me: Schnorr.PublicKey?
    public let config: ConsensusConfig

    /// h_p (line 2).
    public internal(set) var height: UInt64
    /// round_p (line 3).
    public internal(set) var round: UInt32 = 0
    /// step_p (line 4).
    public internal(set) var step: Step = .propose
    /// The validator set in force at `height`.
    public internal(set) var validators: ValidatorSet
    /// The proposer-priority state at the start of `height`: store it with the height to restart.
    public internal(set) var proposerPriority: ProposerPriority
    /// The commit of `height − 1`, for the driver to put in the block it proposes.
    public internal(set) var lastCommit: Commit?

    /// lockedValue_p, lockedRound_p (lines 6-7); nil stands for nil and −1.
    public internal(set) var lockedValue: Hash256?
    public internal(set) var lockedRound: UInt32?
    /// validValue_p, validRound_p (lines 8-9).
    public internal(set) var validValue: Hash256?
    public internal(set) var validRound: UInt32?
    /// decision_p[h_p] (line 5); while set, the state machine waits for `.blockApplied`.
    public internal(set) var decision: Decision?

    var started = false
    /// The message log of this height, by round.
    var rounds: [UInt32: RoundMessages] = [:]
    /// valid(v) as the driver reported it, by block hash.
    var validity: [Hash256: Bool] = [:]
    /// The "for the first time" guards of lines 34, 36 and 47 for round_p.
    var firedThisRound: Set<UInt16> = []
    /// The round whose getValue() (line 18) is outstanding.
    var awaitingValue: UInt32?
    var proposerCache: [UInt32: Schnorr.PublicKey] = [:]
    /// Equivocations already reported, so each produces one `.evidence`.
    var reportedEquivocations: Set<EquivocationKey> = []
    /// Outputs of the input being handled.
    var outputs: [ConsensusOutput] = []

    /// A planted bug for the simulator's self-test: ignore lockedValue/lockedRound at lines 23 and
    /// 29. Only a `@testable import` can set it; never set it anywhere else.
    var skipLockCheck = false

    /// A state machine at `height` with `validators` in force there. `proposerPriority` is the
    /// stored priority state of `height` (nil: all zero, which is right at the first height).
    /// Call `handle(.start)` to begin, then replay the WAL of `height`, if any.
    public init(chainID: String, height: UInt64, validators: ValidatorSet, me: Schnorr.PublicKey?, config: ConsensusConfig = .standard, lastCommit: Commit? = nil, proposerPriority: ProposerPriority? = nil) {
        self.chainID = chainID
        self.height = height
        self.validators = validators
        self.me = me
        self.config = config
        self.lastCommit = lastCommit
        self.proposerPriority = proposerPriority ?? ProposerPriority(validators: validators)
    }

    /// Handles one input and returns what the driver must do, in order.
    public mutating func handle(_ input: ConsensusInput) -> [ConsensusOutput] {
        outputs = []
        switch input {
        case .start:
            if !started {
                started = true
                startRound(0)
            }
        case let .proposal(proposal, valid):
            receive(proposal, blockIsValid: valid)
        case let .vote(vote):
            receive(vote)
        case let .timeout(timeout):
            onTimeout(timeout)
        case let .proposalValue(h, r, hash):
            receiveProposalValue(height: h, round: r, blockHash: hash)
        case let .blockApplied(h, next):
            applyBlock(height: h, nextValidators: next)
        }
        if started, decision == nil {
            applyRulesUntilQuiet()
        }
        let result = outputs
        outputs = []
        return result
    }

    /// True while getValue() (line 18) for the current round is unanswered. A restarting driver
    /// ignores `.requestProposalValue` while it replays the WAL (the WAL holds the original
    /// answer, and a different block would be a conflicting proposal) and, once the replay is
    /// done, answers `.requestProposalValue(height, round)` itself if this is still true.
    public var isAwaitingProposalValue: Bool {
        awaitingValue == round && step == .propose && decision == nil
    }

    /// proposer(h_p, r).
    mutating func proposer(round r: UInt32) -> Schnorr.PublicKey {
        if let cached = proposerCache[r] { return cached }
        let chosen = proposerPriority.proposer(round: r)
        proposerCache[r] = chosen
        return chosen
    }

    /// Whether this validator votes: it has a key in the set.
    var isValidator: Bool { me.map(validators.contains) ?? false }

    /// valid(v) as reported with the proposal.
    func isValid(_ hash: Hash256) -> Bool { validity[hash] ?? false }

    mutating func broadcastVote(_ kind: Vote.Kind, _ hash: Hash256?) {
        guard isValidator else { return }
        outputs.append(.broadcast(.vote(kind: kind, height: height, round: round, blockHash: hash)))
    }

    mutating func schedule(_ step: Step) {
        outputs.append(.scheduleTimeout(Timeout(height: height, round: round, step: step), after: config.timeout(step, round: round)))
    }

    /// Runs the upon-rules until none fires. Line 49 (decide) and line 55 (round skip) apply at
    /// any round; the others only to round_p.
    mutating func applyRulesUntilQuiet() {
        while decision == nil {
            if ruleDecide() { return }
            if ruleSkipRound() { continue }
            if step == .propose, ruleProposalWithoutPOL() || ruleProposalWithPOL() { continue }
            if rulePrevoteAnyTimeout() { continue }
            if rulePolkaForValue() { continue }
            if rulePolkaForNil() { continue }
            if rulePrecommitAnyTimeout() { continue }
            return
        }
    }
}

/// One validator's equivocation in one (round, kind) of the current height.
struct EquivocationKey: Hashable, Sendable {
    var validator: Schnorr.PublicKey
    var round: UInt32
    var kind: Vote.Kind
}
