import DVPNConsensus
import DVPNLedger
import Testing

@Suite struct SignGuardTests {
    let chain = Fixtures.chainID

    @Test func refusesConflictsAndRegressions() {
        var guardState = SignGuard()
        let prevoteA = UnsignedMessage.vote(kind: .prevote, height: 5, round: 1, blockHash: Fixtures.hash(1))
        let prevoteB = UnsignedMessage.vote(kind: .prevote, height: 5, round: 1, blockHash: Fixtures.hash(2))
        let prevoteNil = UnsignedMessage.vote(kind: .prevote, height: 5, round: 1, blockHash: nil)
        #expect(guardState.authorize(prevoteA, chainID: chain) == .sign)
        #expect(guardState.authorize(prevoteA, chainID: chain) == .resign)
        #expect(guardState.authorize(prevoteB, chainID: chain) == .refuseConflict)
        #expect(guardState.authorize(prevoteNil, chainID: chain) == .refuseConflict)
        #expect(guardState.authorize(.proposal(height: 5, round: 1, blockHash: Fixtures.hash(1), validRound: nil), chainID: chain) == .refuseStale)
        #expect(guardState.authorize(.vote(kind: .precommit, height: 5, round: 0, blockHash: nil), chainID: chain) == .refuseStale)
        #expect(guardState.authorize(.vote(kind: .precommit, height: 5, round: 1, blockHash: nil), chainID: chain) == .sign)
        #expect(guardState.authorize(.proposal(height: 6, round: 0, blockHash: Fixtures.hash(3), validRound: nil), chainID: chain) == .sign)
        #expect(guardState.lastSigned?.height == 6)
        #expect(guardState.lastSigned?.step == .propose)
    }

    /// A proposal with the same block but another valid round is a different message.
    @Test func proposalWithOtherValidRoundConflicts() {
        var guardState = SignGuard()
        #expect(guardState.authorize(.proposal(height: 1, round: 3, blockHash: Fixtures.hash(1), validRound: 1), chainID: chain) == .sign)
        #expect(guardState.authorize(.proposal(height: 1, round: 3, blockHash: Fixtures.hash(1), validRound: 2), chainID: chain) == .refuseConflict)
    }

    @Test func survivesARestart() throws {
        var guardState = SignGuard()
        _ = guardState.authorize(.vote(kind: .precommit, height: 9, round: 2, blockHash: Fixtures.hash(7)), chainID: chain)
        var restored = try SignGuard(canonicalBytes: guardState.canonicalBytes)
        #expect(restored == guardState)
        #expect(restored.authorize(.vote(kind: .precommit, height: 9, round: 2, blockHash: nil), chainID: chain) == .refuseConflict)
        #expect(try SignGuard(canonicalBytes: SignGuard().canonicalBytes) == SignGuard())
        #expect(throws: LedgerError.self) { try SignGuard(canonicalBytes: [2, 0]) }
    }
}
