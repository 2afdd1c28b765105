import DVPNCrypto
import DVPNLedger
import Testing

@Suite("Mempool")
struct MempoolTests {
    let genesis = TestGenesis.make(balances: (0..<6).map { ($0, 100_000) })
    let executor: Executor
    let state: LedgerState

    init() throws {
        executor = Executor(genesis: genesis)
        state = try LedgerState.genesis(genesis, contractCode: TestGenesis.contractCode).state
    }

    func tx(_ from: Int, nonce: UInt64, fee: UInt64 = 1_000, amount: UInt64 = 10) throws -> Transaction {
        try TransactionBody(chainID: genesis.chainID, sender: TestKeys.key(from).publicKey, nonce: nonce, fee: Amount(udvpn: fee),
                            payload: .transfer(to: TestKeys.address(9), amount: Amount(udvpn: amount))).signed(with: TestKeys.key(from))
    }

    func rule(_ admission: MempoolAdmission) -> TransactionRejection.Rule? {
        if case .rejected(let r) = admission { return r.rule }
        return nil
    }

    @Test("entry checks: duplicates, replays, gaps, funds and the executor's rules")
    func entry() throws {
        var pool = Mempool(executor: executor)
        let t0 = try tx(0, nonce: 0)
        #expect(rule(pool.add(t0, state: state)) == nil)
        #expect(rule(pool.add(t0, state: state)) == .duplicate)
        #expect(rule(pool.add(try tx(0, nonce: 2), state: state)) == .nonceGap)
        #expect(rule(pool.add(try tx(0, nonce: 1, amount: 98_000), state: state)) == .insufficientFunds)  // 11 + 1000 pending
        #expect(rule(pool.add(try tx(0, nonce: 1, fee: 10), state: state)) == .feeTooLow)
        #expect(rule(pool.add(try tx(0, nonce: 1), state: state)) == nil)
        #expect(pool.pending(from: TestKeys.key(0).publicKey).map(\.nonce) == [0, 1])
        var committed = state
        committed.commit(executor.execute([t0], on: state, context: BlockContext(height: 1, time: Timestamp(millisecondsSince1970: 1), proposer: TestKeys.key(100).publicKey)))
        pool.update(afterCommitting: [t0], state: committed)
        #expect(pool.count == 1)
        #expect(rule(pool.add(t0, state: committed)) == .nonceUsed)
    }

    @Test("a pending nonce is replaced only by a higher fee")
    func replaceByFee() throws {
        var pool = Mempool(executor: executor)
        let low = try tx(0, nonce: 0, fee: 1_000)
        _ = pool.add(low, state: state)
        #expect(rule(pool.add(try tx(0, nonce: 0, fee: 1_000, amount: 11), state: state)) == .nonceAlreadyPending)
        let high = try tx(0, nonce: 0, fee: 2_000)
        #expect(pool.add(high, state: state) == .accepted(id: high.id, evicted: [low.id]))
        #expect(pool.count == 1)
    }

    @Test("the funds check counts each pending transaction once, through replacements, blocks and overflow")
    func pendingCostTotal() throws {
        var pool = Mempool(executor: executor)
        let context = BlockContext(height: 1, time: Timestamp(millisecondsSince1970: 1), proposer: TestKeys.key(100).publicKey)
        let t0 = try tx(0, nonce: 0, amount: 40_000), t1 = try tx(0, nonce: 1, amount: 40_000)  // 41,000 each
        for t in [t0, t1] { #expect(rule(pool.add(t, state: state)) == nil) }
        #expect(rule(pool.add(try tx(0, nonce: 2, amount: 20_000), state: state)) == .insufficientFunds)  // 103,000
        // A replacement is counted instead of the one it replaces, not beside it.
        let cheaper = try tx(0, nonce: 1, fee: 2_000, amount: 10_000)
        #expect(pool.add(cheaper, state: state) == .accepted(id: cheaper.id, evicted: [t1.id]))  // 53,000
        #expect(rule(pool.add(try tx(0, nonce: 0, fee: 3_000, amount: 90_000), state: state)) == .insufficientFunds)  // 105,000
        let t2 = try tx(0, nonce: 2, amount: 20_000)
        #expect(rule(pool.add(t2, state: state)) == nil)  // 74,000
        // After t0's block the balance is 59,000 and the pending total 33,000: exactly 26,000 more fits.
        var committed = state
        committed.commit(executor.execute([t0], on: state, context: context))
        #expect(pool.update(afterCommitting: [t0], state: committed).isEmpty)
        #expect(rule(pool.add(try tx(0, nonce: 3, amount: 25_001), state: committed)) == .insufficientFunds)
        #expect(rule(pool.add(try tx(0, nonce: 3, amount: 25_000), state: committed)) == nil)
        #expect(rule(pool.add(try tx(0, nonce: 4, amount: 1), state: committed)) == .insufficientFunds)
        // A cost that overflows UInt64 is never affordable, alone or on top of the queue.
        #expect(rule(pool.add(try tx(1, nonce: 0, amount: .max - 10), state: committed)) == .insufficientFunds)
        #expect(pool.pending(from: TestKeys.key(0).publicKey).map(\.nonce) == [1, 2, 3])
    }

    @Test("when full, the cheapest last-in-queue transaction is evicted, oldest first; a cheaper newcomer is refused")
    func eviction() throws {
        var pool = Mempool(executor: executor, limits: MempoolLimits(maxTransactions: 3, maxBytes: 1 << 20, maxPerSender: 2))
        let a0 = try tx(0, nonce: 0, fee: 1_500), a1 = try tx(0, nonce: 1, fee: 1_000)
        let b0 = try tx(1, nonce: 0, fee: 1_000)
        for t in [a0, a1, b0] { #expect(rule(pool.add(t, state: state)) == nil) }
        #expect(rule(pool.add(try tx(0, nonce: 2), state: state)) == .senderLimit)
        #expect(rule(pool.add(try tx(2, nonce: 0, fee: 1_000), state: state)) == .mempoolFull)
        // a1 and b0 tie on fee; a1 is older, and it is last in its queue.
        let c0 = try tx(2, nonce: 0, fee: 1_200)
        #expect(pool.add(c0, state: state) == .accepted(id: c0.id, evicted: [a1.id]))
        #expect(pool.contains(a0.id) && pool.contains(b0.id) && !pool.contains(a1.id))
    }

    @Test("candidates keep each sender's nonce order and prefer higher fees across senders")
    func candidates() throws {
        var pool = Mempool(executor: executor)
        let a0 = try tx(0, nonce: 0, fee: 1_000), a1 = try tx(0, nonce: 1, fee: 9_000)
        let b0 = try tx(1, nonce: 0, fee: 5_000), c0 = try tx(2, nonce: 0, fee: 3_000)
        for t in [a0, a1, b0, c0] { _ = pool.add(t, state: state) }
        #expect(pool.candidates(maxTransactions: 10, maxBytes: 1 << 20).map(\.id) == [b0.id, c0.id, a0.id, a1.id])
        #expect(pool.candidates(maxTransactions: 2, maxBytes: 1 << 20).map(\.id) == [b0.id, c0.id])
        let size = b0.canonicalBytes.count
        #expect(pool.candidates(maxTransactions: 10, maxBytes: size * 2 + 1).count == 2)
    }

    @Test("after a block, unaffordable and stale transactions leave")
    func revalidation() throws {
        var pool = Mempool(executor: executor)
        let spendAll = try tx(0, nonce: 0, fee: 1_000, amount: 98_000)
        _ = pool.add(spendAll, state: state)
        // Another path drains the account (as a replacement would on another node).
        let drain = try tx(0, nonce: 0, fee: 2_000, amount: 97_000)
        var committed = state
        committed.commit(executor.execute([drain], on: state, context: BlockContext(height: 1, time: Timestamp(millisecondsSince1970: 1), proposer: TestKeys.key(100).publicKey)))
        let dropped = pool.update(afterCommitting: [drain], state: committed)
        #expect(dropped == [spendAll.id])
        #expect(pool.count == 0)
    }
}
