import DVPNCrypto
import DVPNLedger

/// Valid values of every ledger type, signed for real, for round-trip, strictness and fuzz tests.
enum LedgerSamples {
    static let chainID = TestGenesis.chainID
    static let hash = Hash256.sha256([1, 2, 3])

    static let transactions: [Transaction] = {
        let k = TestKeys.key(0)
        func sign(_ nonce: UInt64, _ payload: TransactionPayload) -> Transaction {
            try! TransactionBody(chainID: chainID, sender: k.publicKey, nonce: nonce, fee: Amount(udvpn: 1_000), payload: payload).signed(with: k)
        }
        var update = ValidatorUpdate(setVersion: 0, changes: [Validator(publicKey: TestKeys.key(5).publicKey, power: 7)], approvals: [])
        try! update.approve(chainID: chainID, with: TestKeys.key(100))
        return [
            sign(0, .transfer(to: TestKeys.address(1), amount: Amount(udvpn: 5))),
            sign(1, .contractCall(ContractCall(contract: "channels", method: "open", arguments: [1, 2, 3], attachedFunds: Amount(udvpn: 9)))),
            sign(2, .contractCall(ContractCall(contract: "registry", method: "register", arguments: []))),
            sign(3, .validatorUpdate(update)),
        ]
    }()

    static let validatorSets: [ValidatorSet] = [
        try! ValidatorSet(validators: [Validator(publicKey: TestKeys.key(100).publicKey, power: 10)]),
        try! ValidatorSet(version: 3, validators: (100..<104).map { Validator(publicKey: TestKeys.key($0).publicKey, power: UInt64($0)) }),
    ]

    static let votes: [Vote] = [
        try! Vote.sign(chainID: chainID, kind: .precommit, height: 7, round: 0, blockHash: hash, with: TestKeys.key(100)),
        try! Vote.sign(chainID: chainID, kind: .prevote, height: 7, round: 2, blockHash: nil, with: TestKeys.key(101)),
    ]

    static let commits: [Commit] = [
        try! Commit(precommits: (100..<103).map {
            try! Vote.sign(chainID: chainID, kind: .precommit, height: 7, round: 1, blockHash: hash, with: TestKeys.key($0))
        }),
    ]

    static let headers: [BlockHeader] = [
        BlockHeader(chainID: chainID, height: 7, time: Timestamp(millisecondsSince1970: 1_750_000_000_123), previousBlockHash: hash,
                    lastCommitHash: commits[0].hash, transactionsRoot: Block.transactionsRoot(transactions), receiptsRoot: .zero,
                    stateRoot: Hash256.sha256([9]), validatorSetHash: validatorSets[0].hash, proposer: TestKeys.key(100).publicKey),
    ]

    static let blocks: [Block] = [
        Block(header: headers[0], transactions: transactions, lastCommit: commits[0]),
        Block(header: headers[0], transactions: [], lastCommit: nil),
    ]

    static let receipts: [Receipt] = [
        Receipt(transactionID: transactions[0].id, status: .success, feeCharged: Amount(udvpn: 1_000)),
        Receipt(transactionID: transactions[1].id, status: .success, feeCharged: Amount(udvpn: 1_000), fuelUsed: 4_321, returnData: [7, 7],
                events: [ReceiptEvent(contract: "channels", topic: Array("channel.open".utf8), data: [1])],
                payouts: [Payout(contract: "channels", to: TestKeys.address(2), amount: Amount(udvpn: 3))]),
        Receipt(transactionID: transactions[2].id, status: .failure(.outOfFuel), feeCharged: Amount(udvpn: 1_000), fuelUsed: 10),
        Receipt(transactionID: transactions[2].id, status: .failure(.contractRefused(message: Array("no such channel".utf8))),
                feeCharged: Amount(udvpn: 1_000), fuelUsed: 11),
        Receipt(transactionID: transactions[2].id, status: .failure(.staleValidatorSetVersion(current: 3)), feeCharged: Amount(udvpn: 1_000)),
        Receipt(transactionID: transactions[2].id, status: .failure(.evidenceAlreadyApplied), feeCharged: Amount(udvpn: 1_000)),
    ]

    static let genesis: [Genesis] = [TestGenesis.make(), TestGenesis.make(validators: [(100, 1), (101, 2)], balances: [(0, 1), (1, 2), (2, 3)])]

    static let proofs: [StateProof] = {
        var state = LedgerState()
        var changes = StateChanges()
        for i in 0..<20 { changes.set(.account(TestKeys.key(i).publicKey), Account(balance: Amount(udvpn: UInt64(i))).canonicalBytes) }
        state.apply(changes)
        return [state.proof(for: .account(TestKeys.key(3).publicKey)), state.proof(for: .burnedFees), LedgerState().proof(for: .burnedFees)]
    }()
}
