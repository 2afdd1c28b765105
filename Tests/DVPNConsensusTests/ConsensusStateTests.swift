@testable import DVPNConsensus
import DVPNCrypto
import DVPNLedger
import Testing

/// Algorithm 1 rule by rule, for one validator among four of equal power (f = 1, 2f+1 = 3 votes).
@Suite struct ConsensusStateTests {
    let set: ValidatorSet
    /// This validator and the proposers of rounds 0-2.
    let me: Int
    let proposer0: Int
    let proposer1: Int
    let proposer2: Int

    init() throws {
        set = try Fixtures.validators()
        let probe = ConsensusState(chainID: Fixtures.chainID, height: 1, validators: set, me: nil)
        let proposers = (0..<3).map { Fixtures.proposerIndex(probe, round: UInt32($0)) }
        proposer0 = proposers[0]
        proposer1 = proposers[1]
        proposer2 = proposers[2]
        me = (0..<4).first { !proposers.contains($0) }!
    }

    func started(as index: Int? = nil) -> (ConsensusState, [ConsensusOutput]) {
        var state = ConsensusState(chainID: Fixtures.chainID, height: 1, validators: set, me: Fixtures.keys[index ?? me].publicKey, config: Fixtures.config)
        let outputs = state.handle(.start)
        return (state, outputs)
    }

    func votes(_ kind: Vote.Kind, from signers: [Int], round: UInt32 = 0, _ hash: Hash256?) throws -> [ConsensusInput] {
        try signers.map { .vote(try Fixtures.vote(kind, $0, round: round, hash)) }
    }

    /// Lines 22-27, 36-43, 49-54: the good case, ending at height 2 with a fresh state.
    @Test func decidesAndMovesToTheNextHeight() throws {
        var (state, outputs) = started()
        #expect(outputs.timeouts == [Timeout(height: 1, round: 0, step: .propose)], "line 21")
        let v = Fixtures.hash(1)
        outputs = state.handle(.proposal(try Fixtures.proposal(by: proposer0, v), blockIsValid: true))
        #expect(outputs.broadcasts == [.vote(kind: .prevote, height: 1, round: 0, blockHash: v)], "line 24")
        #expect(state.step == .prevote)
        var all: [ConsensusOutput] = []
        for input in try votes(.prevote, from: [0, 1, 2], v) { all += state.handle(input) }
        #expect(all.broadcasts == [.vote(kind: .precommit, height: 1, round: 0, blockHash: v)], "line 40")
        #expect(all.timeouts == [Timeout(height: 1, round: 0, step: .prevote)], "line 35")
        #expect(state.lockedValue == v && state.lockedRound == 0 && state.validValue == v && state.validRound == 0)
        all = []
        for input in try votes(.precommit, from: [0, 1, 3], v) { all += state.handle(input) }
        let decision = try #require(all.decisions.first)
        #expect(decision.height == 1 && decision.round == 0 && decision.blockHash == v)
        #expect(decision.commit.signatures.count == 3)
        try decision.commit.verify(chainID: Fixtures.chainID, validators: set)
        #expect(state.handle(.vote(try Fixtures.vote(.precommit, 2, v))).isEmpty, "waits for the block to be applied")
        outputs = state.handle(.blockApplied(height: 1, nextValidators: set))
        #expect(state.height == 2 && state.round == 0 && state.step == .propose)
        #expect(state.lockedValue == nil && state.lockedRound == nil && state.validValue == nil && state.decision == nil)
        #expect(state.lastCommit == decision.commit)
        #expect(!outputs.isEmpty, "line 54 starts round 0 of height 2")
    }

    /// Lines 14-19: the proposer asks for a value and proposes it with vr = −1.
    @Test func proposerProposes() {
        var (state, outputs) = started(as: proposer0)
        #expect(outputs == [.requestProposalValue(height: 1, round: 0)])
        #expect(state.handle(.proposalValue(height: 1, round: 1, blockHash: Fixtures.hash(2))).isEmpty, "another round's value is stale")
        outputs = state.handle(.proposalValue(height: 1, round: 0, blockHash: Fixtures.hash(2)))
        #expect(outputs.broadcasts == [.proposal(height: 1, round: 0, blockHash: Fixtures.hash(2), validRound: nil)])
    }

    /// Locks at round 0 on v, then moves to round 1 (lines 47-48 and 65-67).
    func lockedOnV() throws -> (ConsensusState, Hash256) {
        var (state, _) = started()
        let v = Fixtures.hash(1)
        _ = state.handle(.proposal(try Fixtures.proposal(by: proposer0, v), blockIsValid: true))
        for input in try votes(.prevote, from: [0, 1, 2, 3].filter { $0 != me }, v) { _ = state.handle(input) }
        var outputs: [ConsensusOutput] = []
        let others = [0, 1, 2, 3].filter { $0 != me }
        for input in try votes(.precommit, from: Array(others.prefix(2)), nil) + votes(.precommit, from: [me], v) {
            outputs += state.handle(input)
        }
        #expect(outputs.timeouts == [Timeout(height: 1, round: 0, step: .precommit)], "line 48")
        _ = state.handle(.timeout(Timeout(height: 1, round: 0, step: .precommit)))
        #expect(state.round == 1 && state.lockedValue == v)
        return (state, v)
    }

    /// Line 23: a validator locked on v prevotes nil for another value proposed without a POL;
    /// the planted bug (skipLockCheck) prevotes for it.
    @Test func lockedValidatorRejectsNewValue() throws {
        var (state, _) = try lockedOnV()
        let w = Fixtures.hash(2)
        let proposal = ConsensusInput.proposal(try Fixtures.proposal(by: proposer1, round: 1, w), blockIsValid: true)
        var buggy = state
        #expect(state.handle(proposal).broadcasts == [.vote(kind: .prevote, height: 1, round: 1, blockHash: nil)])
        buggy.skipLockCheck = true
        #expect(buggy.handle(proposal).broadcasts == [.vote(kind: .prevote, height: 1, round: 1, blockHash: w)])
    }

    /// Lines 28-30: a proposal with a POL from a round at or after the lock unlocks.
    @Test func newerProofOfLockUnlocks() throws {
        var (state, _) = try lockedOnV()
        let w = Fixtures.hash(2)
        for input in try votes(.prevote, from: [0, 1, 2, 3].filter { $0 != me }, round: 1, w) { _ = state.handle(input) }
        _ = state.handle(.timeout(Timeout(height: 1, round: 1, step: .propose)))
        for input in try votes(.precommit, from: [0, 1, 2], round: 1, nil) { _ = state.handle(input) }
        _ = state.handle(.timeout(Timeout(height: 1, round: 1, step: .precommit)))
        #expect(state.round == 2)
        let outputs = state.handle(.proposal(try Fixtures.proposal(by: proposer2, round: 2, w, validRound: 1), blockIsValid: true))
        #expect(outputs.broadcasts == [.vote(kind: .prevote, height: 1, round: 2, blockHash: w)], "lockedRound 0 ≤ vr 1")
    }

    /// Line 28 needs the 2f+1 prevotes the proposal's vr names: without them the validator waits.
    @Test func proofOfLockNeedsItsPrevotes() throws {
        var (state, _) = try lockedOnV()
        let w = Fixtures.hash(2)
        let outputs = state.handle(.proposal(try Fixtures.proposal(by: proposer1, round: 1, w, validRound: 0), blockIsValid: true))
        #expect(outputs.broadcasts.isEmpty, "line 28 needs 2f+1 prevotes for w at vr")
        #expect(state.step == .propose)
    }

    /// Line 23: an invalid block gets a nil prevote.
    @Test func invalidBlockGetsNil() throws {
        var (state, _) = started()
        let outputs = state.handle(.proposal(try Fixtures.proposal(by: proposer0, Fixtures.hash(3)), blockIsValid: false))
        #expect(outputs.broadcasts == [.vote(kind: .prevote, height: 1, round: 0, blockHash: nil)])
    }

    /// Lines 44-46 and 57-64.
    @Test func nilPolkaAndTimeouts() throws {
        var (state, _) = started()
        var outputs = state.handle(.timeout(Timeout(height: 1, round: 0, step: .propose)))
        #expect(outputs.broadcasts == [.vote(kind: .prevote, height: 1, round: 0, blockHash: nil)], "line 59")
        outputs = []
        for input in try votes(.prevote, from: [0, 1, 2, 3].filter { $0 != me }, nil) { outputs += state.handle(input) }
        #expect(outputs.broadcasts == [.vote(kind: .precommit, height: 1, round: 0, blockHash: nil)], "line 45")
        #expect(state.handle(.timeout(Timeout(height: 1, round: 0, step: .prevote))).isEmpty, "line 62: step is precommit")
    }

    @Test func staleInputsAreIgnored() throws {
        var (state, _) = started()
        let v = Fixtures.hash(1)
        #expect(state.handle(.timeout(Timeout(height: 1, round: 0, step: .prevote))).isEmpty, "wrong step")
        #expect(state.handle(.timeout(Timeout(height: 0, round: 0, step: .propose))).isEmpty, "wrong height")
        #expect(state.handle(.proposal(try Fixtures.proposal(by: proposer1, v), blockIsValid: true)).isEmpty, "not the proposer")
        #expect(state.handle(.proposal(try Fixtures.proposal(by: proposer0, height: 2, v), blockIsValid: true)).isEmpty, "another height")
        let stranger = try Schnorr.PrivateKey(rawRepresentation: [UInt8](repeating: 0x22, count: 32))
        let vote = try Vote.sign(chainID: Fixtures.chainID, kind: .prevote, height: 1, round: 0, blockHash: v, with: stranger)
        _ = state.handle(.vote(vote))
        #expect(state.rounds[0]?.prevotes.totalPower ?? 0 == 0, "a non-validator's vote is not counted")
        #expect(state.step == .propose)
    }

    /// Line 55: f+1 (more than a third of the power) in a later round starts that round; one
    /// validator (a quarter) does not, and rounds past the window are not even kept.
    @Test func roundSkip() throws {
        var (state, _) = started()
        _ = state.handle(.vote(try Fixtures.vote(.prevote, 0, round: 3, nil)))
        #expect(state.round == 0)
        _ = state.handle(.vote(try Fixtures.vote(.prevote, 1, round: 10, nil)))
        _ = state.handle(.vote(try Fixtures.vote(.prevote, 2, round: 10, nil)))
        #expect(state.round == 0 && state.rounds[10] == nil, "round 10 is beyond maxFutureRounds = 4")
        let outputs = state.handle(.vote(try Fixtures.vote(.precommit, 1, round: 3, nil)))
        #expect(state.round == 3 && state.step == .propose)
        #expect(!outputs.isEmpty)
    }

    /// Timeouts grow linearly with the round.
    @Test func timeoutsGrow() {
        #expect(Fixtures.config.timeout(.propose, round: 0) == .milliseconds(300))
        #expect(Fixtures.config.timeout(.propose, round: 3) == .milliseconds(600))
        #expect(Fixtures.config.timeout(.precommit, round: 2) == .milliseconds(400))
    }

    @Test func equivocationProducesEvidenceOnce() throws {
        var (state, _) = started()
        let a = try Fixtures.vote(.prevote, 2, Fixtures.hash(1))
        let b = try Fixtures.vote(.prevote, 2, Fixtures.hash(2))
        #expect(state.handle(.vote(a)).evidence.isEmpty)
        let outputs = state.handle(.vote(b))
        #expect(outputs.evidence == [Evidence(a, b)])
        try outputs.evidence[0].verify(chainID: Fixtures.chainID, validators: set)
        #expect(state.handle(.vote(try Fixtures.vote(.prevote, 2, nil))).evidence.isEmpty, "reported once")
        let prevotes = try #require(state.rounds[0]?.prevotes)
        #expect(prevotes.power(for: Fixtures.hash(1)) == 10 && prevotes.power(for: Fixtures.hash(2)) == 10 && prevotes.power(for: nil) == 10,
                "an equivocator counts toward every value it voted for")
        #expect(prevotes.totalPower == 10, "and once toward ∗")
    }

    @Test func fullNodeNeverVotes() throws {
        var state = ConsensusState(chainID: Fixtures.chainID, height: 1, validators: set, me: nil, config: Fixtures.config)
        _ = state.handle(.start)
        let outputs = state.handle(.proposal(try Fixtures.proposal(by: proposer0, Fixtures.hash(1)), blockIsValid: true))
        #expect(outputs.broadcasts.isEmpty)
        #expect(state.step == .prevote)
    }

    /// Replaying the WAL into a fresh state machine reproduces the state and every output.
    @Test func walReplayIsDeterministic() throws {
        let begun = started()
        var state = begun.0
        var inputs: [ConsensusInput] = [.start]
        let v = Fixtures.hash(1)
        inputs += [.proposal(try Fixtures.proposal(by: proposer0, v), blockIsValid: true)]
        inputs += try votes(.prevote, from: [0, 1, 2, 3], v)
        inputs += try votes(.precommit, from: Array([0, 1, 2, 3].filter { $0 != me }.prefix(2)), nil)
        inputs += [.timeout(Timeout(height: 1, round: 0, step: .precommit))]
        var outputs = begun.1
        for input in inputs.dropFirst() { outputs += state.handle(input) }
        let wal = inputs.flatMap(WALFrame.encode)
        var replayed = ConsensusState(chainID: Fixtures.chainID, height: 1, validators: set, me: Fixtures.keys[me].publicKey, config: Fixtures.config)
        var replayOutputs: [ConsensusOutput] = []
        for input in WALFrame.decode(wal).inputs { replayOutputs += replayed.handle(input) }
        #expect(replayOutputs == outputs)
        #expect(replayed.round == state.round && replayed.step == state.step && replayed.lockedValue == state.lockedValue)
        // Every vote the replay wants is one the guard already allowed: nothing conflicts.
        var guardState = SignGuard()
        for message in outputs.broadcasts { #expect(guardState.authorize(message, chainID: Fixtures.chainID) == .sign) }
        for message in replayOutputs.broadcasts.suffix(1) {
            #expect(guardState.authorize(message, chainID: Fixtures.chainID) == .resign)
        }
    }

    @Test func inputEncodingRoundTrips() throws {
        let input = ConsensusInput.blockApplied(height: 7, nextValidators: set)
        #expect(try ConsensusInput(canonicalBytes: input.canonicalBytes) == input)
        #expect(throws: LedgerError.self) { try ConsensusInput(canonicalBytes: [9]) }
    }
}
