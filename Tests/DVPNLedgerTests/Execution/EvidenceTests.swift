import DVPNCrypto
import DVPNLedger
import Testing

/// Equivocation evidence (docs/evidence.md): two conflicting signed votes of one validator zero
/// its power from the next height; everything else is refused with a reason.
@Suite("Equivocation evidence")
struct EvidenceTests {
    /// Validators 100 (power 10), 101, 102 (power 1 each).
    let genesis = TestGenesis.make(validators: [(100, 10), (101, 1), (102, 1)])

    func context(_ height: UInt64) -> BlockContext {
        BlockContext(height: height, time: Timestamp(millisecondsSince1970: 1_750_000_001_000 + height), proposer: TestKeys.key(100).publicKey)
    }

    func vote(_ signer: Int, height: UInt64 = 3, round: UInt32 = 0, kind: Vote.Kind = .precommit, block: UInt8?) throws -> Vote {
        try Vote.sign(chainID: genesis.chainID, kind: kind, height: height, round: round,
                      blockHash: block.map { Hash256.sha256([$0]) }, with: TestKeys.key(signer))
    }

    func evidence(_ a: Vote, _ b: Vote, nonce: UInt64 = 0, chainID: String? = nil) throws -> Transaction {
        try TransactionBody(chainID: chainID ?? genesis.chainID, sender: TestKeys.key(0).publicKey, nonce: nonce, fee: Amount(udvpn: 1_000),
                            payload: .evidence(EquivocationEvidence(voteA: a, voteB: b))).signed(with: TestKeys.key(0))
    }

    func genesisState() throws -> LedgerState { try LedgerState.genesis(genesis, contractCode: TestGenesis.contractCode).state }

    @Test("valid evidence zeroes the offender's power from the next height, once")
    func validEvidence() throws {
        let executor = Executor(genesis: genesis)
        var state = try genesisState()
        let tx = try evidence(try vote(101, block: 1), try vote(101, block: 2))
        #expect(executor.validateBasic(tx) == nil)
        // A second report of the same double vote (votes swapped, nil for one) by another tx.
        let again = try evidence(try vote(101, block: nil), try vote(101, block: 1), nonce: 1)
        let result = executor.execute([tx, again], on: state, context: context(5))
        #expect(result.rejected.isEmpty)
        #expect(result.receipts[0].status == .success)
        #expect(result.receipts[1].failureCode == .evidenceAlreadyApplied)
        #expect(result.receipts[1].feeCharged == Amount(udvpn: 1_000))
        state.commit(result)
        let set = state.validatorSet
        #expect(!set.contains(TestKeys.key(101).publicKey))
        #expect(set.version == 1)
        #expect(set.totalPower == 11)
        // The history keeps the set in force at each height: 101 was a validator until height 5.
        #expect(try state.validatorSet(inForceAt: 5, genesis: genesis).contains(TestKeys.key(101).publicKey))
        #expect(try !state.validatorSet(inForceAt: 6, genesis: genesis).contains(TestKeys.key(101).publicKey))
    }

    @Test("votes that do not conflict or do not verify are refused at admission")
    func statelessRejections() throws {
        let executor = Executor(genesis: genesis)
        let good = try vote(101, block: 1)
        var forged = try vote(101, block: 2)
        forged.signature = try vote(102, block: 2).signature
        let cases: [(String, Transaction, String)] = [
            ("forged signature", try evidence(good, forged), "signature does not verify"),
            ("same block hash", try evidence(good, try vote(101, round: 0, block: 1)), "same block"),
            ("different heights", try evidence(good, try vote(101, height: 4, block: 2)), "different heights"),
            ("different rounds", try evidence(good, try vote(101, round: 1, block: 2)), "different rounds"),
            ("different kinds", try evidence(good, try vote(101, kind: .prevote, block: 2)), "prevote"),
            ("different signers", try evidence(good, try vote(102, block: 2)), "two different validators"),
        ]
        for (name, tx, reason) in cases {
            let rejection = executor.validateBasic(tx)
            #expect(rejection?.rule == .invalidEvidence, "\(name)")
            #expect(rejection?.detail.contains(reason) == true, "\(name): \(rejection?.description ?? "accepted")")
        }
        // Votes signed for another chain do not verify on this one.
        let otherChain = try Vote.sign(chainID: "other-chain", kind: .precommit, height: 3, round: 0, blockHash: Hash256.sha256([2]), with: TestKeys.key(101))
        #expect(executor.validateBasic(try evidence(good, otherChain))?.rule == .invalidEvidence)
    }

    @Test("evidence against a non-validator, from the future, too old, or emptying the set fails with its code")
    func statefulRejections() throws {
        let executor = Executor(genesis: genesis)
        let state = try genesisState()
        let outsider = try evidence(try vote(105, block: 1), try vote(105, block: 2))
        #expect(executor.validateBasic(outsider) == nil)
        func code(_ tx: Transaction, at height: UInt64, on state: LedgerState) -> Receipt.FailureCode? {
            executor.execute([tx], on: state, context: context(height)).receipts.first?.failureCode
        }
        #expect(code(outsider, at: 5, on: state) == .evidenceNotValidator)
        let double = try evidence(try vote(101, block: 1), try vote(101, block: 2))
        #expect(code(double, at: 3, on: state) == .evidenceFromTheFuture)
        #expect(code(double, at: 3 + Executor.evidenceWindow, on: state) == nil)
        #expect(code(double, at: 4 + Executor.evidenceWindow, on: state) == .evidenceExpired)

        // The last validator cannot be removed.
        let solo = TestGenesis.make(validators: [(100, 1)])
        let soloExecutor = Executor(genesis: solo)
        let soloState = try LedgerState.genesis(solo, contractCode: TestGenesis.contractCode).state
        let a = try Vote.sign(chainID: solo.chainID, kind: .prevote, height: 1, round: 2, blockHash: nil, with: TestKeys.key(100))
        let b = try Vote.sign(chainID: solo.chainID, kind: .prevote, height: 1, round: 2, blockHash: .zero, with: TestKeys.key(100))
        let last = try evidence(a, b, chainID: solo.chainID)
        let receipt = try #require(soloExecutor.execute([last], on: soloState, context: context(2)).receipts.first)
        #expect(receipt.failureCode == .evidenceWouldEmptySet)
        #expect(receipt.detail?.contains("only validator") == true)
    }

    @Test("a committed evidence changes the set that signs the block after it, and the auditor replays it")
    func endToEnd() throws {
        let genesis = TestGenesis.make(validators: [(100, 10), (101, 1)])
        let chain = try TestLedger(genesis: genesis)
        try chain.block([try chain.transfer(from: 0, to: 1, 5)])
        let a = try Vote.sign(chainID: genesis.chainID, kind: .precommit, height: 1, round: 0, blockHash: Hash256.sha256([1]), with: TestKeys.key(101))
        let b = try Vote.sign(chainID: genesis.chainID, kind: .precommit, height: 1, round: 0, blockHash: Hash256.sha256([2]), with: TestKeys.key(101))
        let second = try chain.block([try chain.transaction(from: 2, .evidence(EquivocationEvidence(voteA: a, voteB: b)))])
        #expect(second.receipts.map(\.succeeded) == [true])
        // Block 2 was still under the old set; block 3 is under the set without 101.
        #expect(second.block.header.validatorSetHash == genesis.validators.hash)
        let third = try chain.block([])
        let without = try ValidatorSet(version: 1, validators: [Validator(publicKey: TestKeys.key(100).publicKey, power: 10)])
        #expect(third.block.header.validatorSetHash == without.hash)
        let outcome = try ChainAuditor(store: chain.store).run()
        #expect(outcome.passed, "\(String(describing: outcome.violation))")
    }
}
