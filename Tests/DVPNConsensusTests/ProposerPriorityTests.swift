import DVPNConsensus
import DVPNCrypto
import DVPNLedger
import Testing

@Suite struct ProposerPriorityTests {
    @Test func equalPowersRotate() throws {
        let set = try Fixtures.validators()
        let priority = ProposerPriority(validators: set)
        let chosen = (0..<8).map { priority.proposer(round: UInt32($0)) }
        #expect(Set(chosen.prefix(4)).count == 4, "four rounds name four different proposers")
        #expect(Array(chosen.prefix(4)) == Array(chosen.suffix(4)))
    }

    /// Over `total` consecutive turns each validator proposes exactly `power` times.
    @Test func turnsFollowPower() throws {
        let powers: [UInt64] = [1, 2, 3, 6]
        let set = try Fixtures.validators(powers)
        var state = ProposerPriority(validators: set)
        var counts: [Schnorr.PublicKey: Int] = [:]
        for _ in 0..<12 {
            counts[state.proposer(round: 0), default: 0] += 1
            state = state.nextHeight(validators: set)
        }
        for v in set.validators {
            #expect(counts[v.publicKey] == Int(v.power))
        }
    }

    @Test func newValidatorWaits() throws {
        let three = try Fixtures.validators([10, 10, 10])
        let four = try Fixtures.validators([10, 10, 10, 10])
        let next = ProposerPriority(validators: three).nextHeight(validators: four)
        let newcomer = Fixtures.keys[3].publicKey
        #expect(next.proposer(round: 0) != newcomer)
        #expect(next.entries.first { $0.publicKey == newcomer }!.priority < 0)
    }

    @Test func canonicalRoundTrip() throws {
        let set = try Fixtures.validators([1, 2, 3, 6])
        let state = ProposerPriority(validators: set).nextHeight(validators: set).nextHeight(validators: set)
        #expect(try ProposerPriority(canonicalBytes: state.canonicalBytes) == state)
    }
}
