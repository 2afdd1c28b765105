import DVPNCrypto
import DVPNLedger
import DVPNTestSupport
import Testing

@Suite("Supply conservation")
struct SupplyConservationTests {
    @Test("balances + escrow + burned fees equal the genesis supply after random transaction sequences", arguments: 0..<20)
    func randomSequences(_ seed: Int) throws {
        var fuzzer = Fuzzer(seed: UInt64(seed))
        let accounts = 6
        var params = ChainParameters.devnet
        params.fuelPerUdvpn = 10  // keeps the endless loops short
        let genesis = TestGenesis.make(balances: (0..<accounts).map { ($0, UInt64(1 + fuzzer.next(below: 3_000_000))) }, params: params)
        let executor = Executor(genesis: genesis)
        var state = try LedgerState.genesis(genesis, contractCode: TestGenesis.contractCode).state
        var nonces = [UInt64](repeating: 0, count: accounts)
        var burned: UInt64 = 0
        for height in 1...8 {
            var txs: [Transaction] = []
            for _ in 0..<fuzzer.next(below: 25) {
                let from = fuzzer.next(below: accounts)
                let fee = UInt64(1_000 + fuzzer.next(below: 5_000))
                let amount = UInt64(fuzzer.next(below: 1_500_000))
                let payload: TransactionPayload
                switch fuzzer.next(below: 6) {
                case 0: payload = .contractCall(ContractCall(contract: "channels", method: "open", arguments: TestContract.putArguments(key: 1, value: []), attachedFunds: Amount(udvpn: amount)))
                case 1: payload = .contractCall(ContractCall(contract: "channels", method: "redeem", arguments: TestContract.payArguments(to: TestKeys.address(fuzzer.next(below: accounts)), amount: amount / 2)))
                case 2: payload = .contractCall(ContractCall(contract: "channels", method: ["reclaim", "spin", "refuse"][fuzzer.next(below: 3)], arguments: [], attachedFunds: Amount(udvpn: amount / 3)))
                default: payload = .transfer(to: TestKeys.address(fuzzer.next(below: accounts)), amount: Amount(udvpn: max(1, amount)))
                }
                // Sometimes a replayed or skipped nonce, which must be rejected without effect.
                let nonce = fuzzer.oneIn(10) ? nonces[from] &+ UInt64(fuzzer.next(below: 3)) &- 1 : nonces[from]
                let tx = try TransactionBody(chainID: genesis.chainID, sender: TestKeys.key(from).publicKey, nonce: nonce, fee: Amount(udvpn: fee), payload: payload)
                    .signed(with: TestKeys.key(from))
                txs.append(tx)
                if nonce == nonces[from] { nonces[from] += 1 }
            }
            let result = executor.execute(txs, on: state, context: BlockContext(height: UInt64(height), time: Timestamp(millisecondsSince1970: UInt64(height) * 1000), proposer: TestKeys.key(100).publicKey))
            #expect(SupplyTotals.conservationProblem(base: state, changes: result.changes) == nil)
            state.commit(result)
            // Nonces the executor refused are not used; resynchronise with the state.
            for i in 0..<accounts { nonces[i] = state.account(TestKeys.key(i).publicKey).nonce }
            let supply = try state.supply()
            #expect(try supply.total() == genesis.totalSupply)
            burned += result.receipts.map(\.feeCharged.udvpn).reduce(0, +)
            #expect(supply.burned == Amount(udvpn: burned))
        }
        let supply = try state.supply()
        #expect(try supply.total() == genesis.totalSupply)
    }
}
