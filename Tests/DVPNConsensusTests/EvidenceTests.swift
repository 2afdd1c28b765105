import DVPNConsensus
import DVPNLedger
import Testing

@Suite struct EvidenceTests {
    @Test func conflictingVotesVerify() throws {
        let set = try Fixtures.validators()
        let a = try Fixtures.vote(.prevote, 1, height: 3, round: 2, Fixtures.hash(1))
        let b = try Fixtures.vote(.prevote, 1, height: 3, round: 2, nil)
        let evidence = Evidence(a, b)
        try evidence.verify(chainID: Fixtures.chainID, validators: set)
        #expect(Evidence(b, a) == evidence, "the order of the votes is canonical")
        #expect(try Evidence(canonicalBytes: evidence.canonicalBytes) == evidence)
        #expect(evidence.validator == Fixtures.keys[1].publicKey)
        #expect(throws: ConsensusError.self) { try evidence.verify(chainID: "other-chain", validators: set) }
    }

    @Test func nonEquivocationsAreRejected() throws {
        let set = try Fixtures.validators()
        let a = try Fixtures.vote(.prevote, 1, Fixtures.hash(1))
        let cases: [Evidence] = [
            Evidence(a, try Fixtures.vote(.prevote, 1, Fixtures.hash(1))),
            Evidence(a, try Fixtures.vote(.prevote, 2, Fixtures.hash(2))),
            Evidence(a, try Fixtures.vote(.precommit, 1, Fixtures.hash(2))),
            Evidence(a, try Fixtures.vote(.prevote, 1, round: 1, Fixtures.hash(2))),
            Evidence(a, try Fixtures.vote(.prevote, 1, height: 2, Fixtures.hash(2))),
        ]
        for evidence in cases {
            #expect(throws: ConsensusError.self) { try evidence.verify(chainID: Fixtures.chainID, validators: set) }
        }
        var forged = try Fixtures.vote(.prevote, 1, Fixtures.hash(2))
        forged.signature = a.signature
        #expect(throws: ConsensusError.self) { try Evidence(a, forged).verify(chainID: Fixtures.chainID, validators: set) }
        let outsider = try Fixtures.validators([10, 10, 10])
        let d = try Fixtures.vote(.prevote, 3, Fixtures.hash(1))
        #expect(throws: ConsensusError.self) {
            try Evidence(d, try Fixtures.vote(.prevote, 3, nil)).verify(chainID: Fixtures.chainID, validators: outsider)
        }
    }

    @Test func proposalSignatureAndEncoding() throws {
        let p = try Fixtures.proposal(by: 2, height: 4, round: 1, Fixtures.hash(5), validRound: 0)
        #expect(p.hasValidSignature(chainID: Fixtures.chainID))
        #expect(!p.hasValidSignature(chainID: "other-chain"))
        var moved = p
        moved.validRound = nil
        #expect(!moved.hasValidSignature(chainID: Fixtures.chainID))
        #expect(try Proposal(canonicalBytes: p.canonicalBytes) == p)
    }
}
