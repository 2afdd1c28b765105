import DVPNCrypto
import DVPNLedger
import Testing

@Suite("Execution rules")
struct ExecutionRuleTests {
    let genesis = TestGenesis.make()
    let executor: Executor
    let state: LedgerState
    let context = BlockContext(height: 1, time: Timestamp(millisecondsSince1970: 1_750_000_001_000), proposer: TestKeys.key(100).publicKey)

    init() throws {
        executor = Executor(genesis: genesis)
        state = try LedgerState.genesis(genesis, contractCode: TestGenesis.contractCode).state
    }

    func sign(_ payload: TransactionPayload, from: Int = 0, chainID: String? = nil, nonce: UInt64 = 0, fee: UInt64 = 1_000) throws -> Transaction {
        try TransactionBody(chainID: chainID ?? genesis.chainID, sender: TestKeys.key(from).publicKey, nonce: nonce,
                            fee: Amount(udvpn: fee), payload: payload).signed(with: TestKeys.key(from))
    }

    func transfer(_ amount: UInt64, to: Int = 1) -> TransactionPayload { .transfer(to: TestKeys.address(to), amount: Amount(udvpn: amount)) }

    /// The rule `tx` breaks when executed alone on the genesis state.
    func rule(_ tx: Transaction) -> TransactionRejection.Rule? {
        executor.execute([tx], on: state, context: context).rejected.first?.rejection.rule
    }

    @Test("a valid transfer moves money, burns the fee and uses the nonce")
    func validTransfer() throws {
        let tx = try sign(transfer(250_000))
        let result = executor.execute([tx], on: state, context: context)
        #expect(result.rejected.isEmpty)
        #expect(result.receipts == [Receipt(transactionID: tx.id, status: .success, feeCharged: Amount(udvpn: 1_000))])
        var after = state
        after.commit(result)
        #expect(after.account(TestKeys.key(0).publicKey) == Account(balance: Amount(udvpn: 1_000_000_000 - 251_000), nonce: 1))
        #expect(after.account(TestKeys.key(1).publicKey).balance == Amount(udvpn: 1_000_250_000))
        #expect(after.burnedFees == Amount(udvpn: 1_000))
        #expect(after.rootHash == result.stateRoot)
        #expect(try after.supply().total() == genesis.totalSupply)
    }

    @Test("a bad signature is rejected")
    func badSignature() throws {
        let good = try sign(transfer(5))
        var raw = good.signature.rawRepresentation
        raw[10] ^= 1
        let forged = Transaction(body: good.body, signature: try Schnorr.Signature(rawRepresentation: raw))
        #expect(rule(forged) == .badSignature)
        // Signed by someone else.
        let other = Transaction(body: good.body, signature: try TestKeys.key(1).signature(for: good.body.signingMessage))
        #expect(rule(other) == .badSignature)
    }

    @Test("a wrong chain id is rejected")
    func wrongChain() throws {
        #expect(rule(try sign(transfer(5), chainID: "dvpn-other-1")) == .wrongChainID)
    }

    @Test("a replayed nonce is rejected, and so is a gap")
    func nonces() throws {
        let first = try sign(transfer(5), nonce: 0)
        let result = executor.execute([first, first], on: state, context: context)
        #expect(result.receipts.count == 1)
        #expect(result.rejected.map(\.rejection.rule) == [.nonceUsed])
        #expect(result.rejected.first?.index == 1)
        #expect(rule(try sign(transfer(5), nonce: 1)) == .nonceGap)
    }

    @Test("an overspend is rejected, counting the fee")
    func overspend() throws {
        #expect(rule(try sign(transfer(1_000_000_000))) == .insufficientFunds)
        #expect(rule(try sign(transfer(1_000_000_000 - 1_000))) == nil)
        #expect(rule(try sign(transfer(1), from: 9)) == .insufficientFunds)  // an account with nothing
        let attach = TransactionPayload.contractCall(ContractCall(contract: "channels", method: "open", arguments: [], attachedFunds: Amount(udvpn: 2_000_000_000)))
        #expect(rule(try sign(attach)) == .insufficientFunds)
    }

    @Test("a fee below the minimum is rejected")
    func feeTooLow() throws {
        #expect(rule(try sign(transfer(5), fee: 999)) == .feeTooLow)
        #expect(rule(try sign(transfer(5), fee: 0)) == .feeTooLow)
    }

    @Test("an oversized payload is rejected")
    func oversized() throws {
        let big = TransactionPayload.contractCall(ContractCall(contract: "channels", method: "put", arguments: [UInt8](repeating: 7, count: 70_000)))
        let tx = try sign(big)
        #expect(rule(tx) == .tooLarge)
        #expect(executor.validateBasic(tx)?.description.contains("65536") == true)
    }

    @Test("unknown contracts and empty transfers are rejected")
    func shapes() throws {
        #expect(rule(try sign(.contractCall(ContractCall(contract: "nosuch", method: "x", arguments: [])))) == .unknownContract)
        #expect(rule(try sign(transfer(0))) == .malformed)
    }

    @Test("a block carrying a rejected transaction fails verification, naming the transaction and the rule")
    func invalidBlock() throws {
        let txs = [try sign(transfer(5), nonce: 0), try sign(transfer(6), nonce: 0)]
        let built = BlockBuilder(executor: executor).build(on: state, after: .genesis(genesis), lastCommit: nil,
                                                          proposer: TestKeys.key(100).publicKey, time: context.time, candidates: txs)
        #expect(built.block.transactions.count == 1)  // the builder drops the replay
        var block = built.block
        block.transactions = txs
        block.header.transactionsRoot = Block.transactionsRoot(txs)
        guard case .invalid(let violation) = executor.verify(block, after: .genesis(genesis), state: state) else {
            Issue.record("block with a replayed nonce verified")
            return
        }
        #expect(violation.height == 1)
        #expect(violation.transactionIndex == 1)
        #expect(violation.rule == .transactionRejected)
        #expect(violation.detail.contains("nonce"))
        guard case .valid = executor.verify(built.block, after: .genesis(genesis), state: state) else {
            Issue.record("the built block does not verify")
            return
        }
    }
}
