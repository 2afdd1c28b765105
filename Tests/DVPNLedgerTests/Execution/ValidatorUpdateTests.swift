import DVPNCrypto
import DVPNLedger
import Testing

@Suite("Validator updates")
struct ValidatorUpdateTests {
    /// Four validators of power 1 (keys 100…103).
    let genesis = TestGenesis.make(validators: (100..<104).map { ($0, 1) })
    let context = BlockContext(height: 1, time: Timestamp(millisecondsSince1970: 1_750_000_001_000), proposer: TestKeys.key(100).publicKey)

    func updateTransaction(approvers: [Int], version: UInt64 = 0, nonce: UInt64 = 0, changes: [Validator]) throws -> Transaction {
        var update = ValidatorUpdate(setVersion: version, changes: changes, approvals: [])
        for a in approvers { try update.approve(chainID: genesis.chainID, with: TestKeys.key(a)) }
        return try TransactionBody(chainID: genesis.chainID, sender: TestKeys.key(0).publicKey, nonce: nonce, fee: Amount(udvpn: 1_000),
                                   payload: .validatorUpdate(update)).signed(with: TestKeys.key(0))
    }

    @Test("more than 2/3 of the power changes the set; exactly 2/3 or a replay does not")
    func approvals() throws {
        let executor = Executor(genesis: genesis)
        var state = try LedgerState.genesis(genesis, contractCode: TestGenesis.contractCode).state
        let add = [Validator(publicKey: TestKeys.key(104).publicKey, power: 2), Validator(publicKey: TestKeys.key(100).publicKey, power: 0)]
        let sortedAdd = add.sorted { $0.publicKey.rawRepresentation.lexicographicallyPrecedes($1.publicKey.rawRepresentation) }
        let weak = try updateTransaction(approvers: [100, 101], changes: sortedAdd)
        let strong = try updateTransaction(approvers: [100, 101, 102], nonce: 1, changes: sortedAdd)
        let replay = try updateTransaction(approvers: [100, 101, 102], nonce: 2, changes: sortedAdd)
        let result = executor.execute([weak, strong, replay], on: state, context: context)
        #expect(result.receipts.map(\.succeeded) == [false, true, false])
        state.commit(result)
        let set = state.validatorSet
        #expect(set.version == 1)
        #expect(set.totalPower == 5)
        #expect(set.power(of: TestKeys.key(104).publicKey) == 2)
        #expect(!set.contains(TestKeys.key(100).publicKey))
    }

    @Test("the new set signs from the next block on")
    func takesEffectNextBlock() throws {
        let genesis = TestGenesis.make(validators: [(100, 10), (101, 1)])
        let chain = try TestLedger(genesis: genesis)
        var update = ValidatorUpdate(setVersion: 0, changes: [Validator(publicKey: TestKeys.key(102).publicKey, power: 100)], approvals: [])
        try update.approve(chainID: genesis.chainID, with: TestKeys.key(100))  // 10 of 11
        let first = try chain.block([try chain.transaction(from: 0, .validatorUpdate(update))])
        #expect(first.receipts.map(\.succeeded) == [true])
        #expect(first.block.header.validatorSetHash == genesis.validators.hash)

        // Block 2 must be signed by the new set: key 100 alone (10 of 111) no longer suffices.
        #expect(throws: LedgerError.self) { try chain.ledger.produceBlock(signer: chain.signer, time: Timestamp(millisecondsSince1970: 1_750_000_100_000)) }
        let built = chain.ledger.buildBlock(proposer: TestKeys.key(100).publicKey, time: Timestamp(millisecondsSince1970: 1_750_000_100_000))
        let newSet = try chain.ledger.withState { $0.validatorSet }
        #expect(built.block.header.validatorSetHash == newSet.hash)
        let commit = try Commit(precommits: [100, 102].map { try CommitSigner(key: TestKeys.key($0), chainID: genesis.chainID).precommit(for: built.block) })
        try chain.ledger.commit(built, commit: commit)
        #expect(chain.ledger.height == 2)

        // The auditor checks each commit against the set in force at its height.
        let outcome = try ChainAuditor(store: chain.store).run()
        #expect(outcome.passed, "\(String(describing: outcome.violation))")
    }

    @Test("unsorted or empty updates are malformed")
    func shape() throws {
        let executor = Executor(genesis: genesis)
        let empty = try updateTransaction(approvers: [100, 101, 102], changes: [])
        #expect(executor.validateBasic(empty)?.rule == .invalidValidatorUpdate)
    }
}
