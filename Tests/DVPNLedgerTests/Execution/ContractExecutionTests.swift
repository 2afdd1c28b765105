import DVPNCrypto
import DVPNLedger
import Testing

@Suite("Contract calls")
struct ContractExecutionTests {
    static func setup(params: ChainParameters = .devnet) throws -> (Executor, LedgerState) {
        let genesis = TestGenesis.make(params: params)
        return (Executor(genesis: genesis), try LedgerState.genesis(genesis, contractCode: TestGenesis.contractCode).state)
    }

    static let context = BlockContext(height: 1, time: Timestamp(millisecondsSince1970: 1_750_000_001_000), proposer: TestKeys.key(100).publicKey)

    static func call(_ method: String, _ arguments: [UInt8] = [], attach: UInt64 = 0, fee: UInt64 = 1_000, nonce: UInt64 = 0, from: Int = 0) throws -> Transaction {
        try TransactionBody(chainID: TestGenesis.chainID, sender: TestKeys.key(from).publicKey, nonce: nonce, fee: Amount(udvpn: fee),
                            payload: .contractCall(ContractCall(contract: "channels", method: method, arguments: arguments, attachedFunds: Amount(udvpn: attach))))
            .signed(with: TestKeys.key(from))
    }

    static func run(_ txs: [Transaction], executor: Executor, state: LedgerState) -> (LedgerState, BlockExecution) {
        let result = executor.execute(txs, on: state, context: context)
        var after = state
        after.commit(result)
        return (after, result)
    }

    @Test("a successful call writes namespaced storage, keeps attached funds in escrow and reports events")
    func success() throws {
        let (executor, state) = try Self.setup()
        let tx = try Self.call("open", TestContract.putArguments(key: 1, value: [9, 9]), attach: 5_000)
        let (after, result) = Self.run([tx], executor: executor, state: state)
        let receipt = try #require(result.receipts.first)
        #expect(receipt.status == .success)
        #expect(receipt.fuelUsed > 0)
        #expect(receipt.events == [ReceiptEvent(contract: "channels", topic: Array("channel.open".utf8), data: TestContract.putArguments(key: 1, value: []))])
        #expect(after.value(forKey: .contractStorage(contract: "channels", key: TestContract.putArguments(key: 1, value: []))) == [9, 9])
        #expect(after.value(forKey: .contractStorage(contract: "registry", key: TestContract.putArguments(key: 1, value: []))) == nil)
        #expect(after.contractBalance("channels") == Amount(udvpn: 5_000))
        #expect(after.account(TestKeys.key(0).publicKey).balance == Amount(udvpn: 1_000_000_000 - 6_000))
        #expect(try after.supply().total() == executor.genesis.totalSupply)
    }

    @Test("payouts leave escrow; paying more than the escrow fails and reverts")
    func payouts() throws {
        let (executor, state) = try Self.setup()
        let open = try Self.call("open", TestContract.putArguments(key: 1, value: []), attach: 10_000)
        let redeem = try Self.call("redeem", TestContract.payArguments(to: TestKeys.address(2), amount: 4_000), nonce: 1)
        let greedy = try Self.call("redeem", TestContract.payArguments(to: TestKeys.address(2), amount: 7_000), nonce: 2)
        let (after, result) = Self.run([open, redeem, greedy], executor: executor, state: state)
        #expect(result.receipts.map(\.succeeded) == [true, true, false])
        #expect(result.receipts[1].payouts == [Payout(contract: "channels", to: TestKeys.address(2), amount: Amount(udvpn: 4_000))])
        #expect(after.contractBalance("channels") == Amount(udvpn: 6_000))
        #expect(after.account(TestKeys.key(2).publicKey).balance == Amount(udvpn: 1_000_004_000))
        #expect(after.burnedFees == Amount(udvpn: 3_000))
        #expect(try after.supply().total() == executor.genesis.totalSupply)
    }

    @Test("running out of fuel reverts everything but the fee and the nonce", arguments: ["spin", "trap", "refuse"])
    func failureReverts(_ method: String) throws {
        let (executor, state) = try Self.setup()
        let tx = try Self.call(method, [], attach: 50_000, fee: 2_000)
        let (after, result) = Self.run([tx], executor: executor, state: state)
        let receipt = try #require(result.receipts.first)
        guard case .failure(let code) = receipt.status else {
            Issue.record("\(method) succeeded")
            return
        }
        switch method {
        case "spin": #expect(code == .outOfFuel)
        case "trap": #expect(code == .trap)
        default:
            guard case .contractRefused(let message) = code else {
                Issue.record("refuse failed with \(code)")
                return
            }
            #expect(String(decoding: message, as: UTF8.self).contains("refused"))
        }
        // The human reason stays beside the receipt, outside its encoding.
        #expect(receipt.detail?.isEmpty == false)
        #expect(try Receipt(canonicalBytes: receipt.canonicalBytes).detail == nil)
        if method == "spin" { #expect(receipt.fuelUsed == executor.genesis.params.fuelBudget(fee: Amount(udvpn: 2_000))) }
        #expect(receipt.feeCharged == Amount(udvpn: 2_000))
        #expect(after.account(TestKeys.key(0).publicKey) == Account(balance: Amount(udvpn: 1_000_000_000 - 2_000), nonce: 1))
        #expect(after.contractBalance("channels") == .zero)
        #expect(after.burnedFees == Amount(udvpn: 2_000))
        #expect(result.changes.count == 2)  // the sender's account and the burned fees
    }

    @Test("the fuel budget is min(fee × fuel per udvpn, max fuel per call)")
    func fuelBudget() throws {
        var params = ChainParameters.devnet
        params.fuelPerUdvpn = 3
        params.maxFuelPerCall = 5_000
        let (executor, state) = try Self.setup(params: params)
        let cheap = try Self.call("spin", fee: 1_000)
        let rich = try Self.call("spin", fee: 100_000, nonce: 1)
        let (_, result) = Self.run([cheap, rich], executor: executor, state: state)
        #expect(result.receipts.map(\.fuelUsed) == [3_000, 5_000])
    }
}
