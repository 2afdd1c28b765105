import DVPNCrypto
import DVPNLedger
import Testing

@Suite("Commit threshold")
struct CommitTests {
    static let hash = Hash256.sha256([42])
    static let chainID = TestGenesis.chainID

    static func commit(_ signers: [Int], height: UInt64 = 3, chainID: String = chainID) -> Commit {
        try! Commit(precommits: signers.map {
            try! Vote.sign(chainID: chainID, kind: .precommit, height: height, round: 0, blockHash: hash, with: TestKeys.key($0))
        })
    }

    /// Three validators of power 1 and one of power 3: total 6.
    static let set = try! ValidatorSet(validators: [
        Validator(publicKey: TestKeys.key(100).publicKey, power: 1), Validator(publicKey: TestKeys.key(101).publicKey, power: 1),
        Validator(publicKey: TestKeys.key(102).publicKey, power: 1), Validator(publicKey: TestKeys.key(103).publicKey, power: 3),
    ])

    @Test("exactly 2/3 of the power is not enough; more than 2/3 is")
    func threshold() throws {
        // 4 of 6 is exactly 2/3.
        #expect(throws: LedgerError.self) { try Self.commit([103, 100]).verify(chainID: Self.chainID, validators: Self.set) }
        try Self.commit([103, 100, 101]).verify(chainID: Self.chainID, validators: Self.set)
        // 3 equal validators: 2 of 3 is exactly 2/3 and fails; 3 of 3 passes.
        let equal = try ValidatorSet(validators: (100..<103).map { Validator(publicKey: TestKeys.key($0).publicKey, power: 5) })
        #expect(throws: LedgerError.self) { try Self.commit([100, 101]).verify(chainID: Self.chainID, validators: equal) }
        try Self.commit([100, 101, 102]).verify(chainID: Self.chainID, validators: equal)
    }

    @Test("a single validator is the smallest set")
    func single() throws {
        let solo = try ValidatorSet(validators: [Validator(publicKey: TestKeys.key(100).publicKey, power: 1)])
        try Self.commit([100]).verify(chainID: Self.chainID, validators: solo)
    }

    @Test("outsiders, wrong chain, forged and duplicated signatures are refused")
    func refusals() {
        #expect(throws: LedgerError.self) { try Self.commit([103, 100, 7]).verify(chainID: Self.chainID, validators: Self.set) }
        #expect(throws: LedgerError.self) { try Self.commit([103, 100, 101], chainID: "dvpn-other-1").verify(chainID: Self.chainID, validators: Self.set) }
        var forged = Self.commit([103, 100, 101])
        forged.signatures[0].signature = forged.signatures[1].signature
        #expect(throws: LedgerError.self) { try forged.verify(chainID: Self.chainID, validators: Self.set) }
        var duplicated = Self.commit([103, 100])
        duplicated.signatures.append(duplicated.signatures[0])
        #expect(throws: LedgerError.self) { try duplicated.verify(chainID: Self.chainID, validators: Self.set) }
        // A commit for another height does not verify as this one.
        var moved = Self.commit([103, 100, 101])
        moved.height = 4
        #expect(throws: LedgerError.self) { try moved.verify(chainID: Self.chainID, validators: Self.set) }
    }
}
