import DVPNCrypto
import DVPNLedger
import Testing

/// A signature verified at admission is not verified again (issue 7 item 0), and the cache can
/// never make a bad signature pass.
@Suite("Signature cache")
struct SignatureCacheTests {
    func transfer(nonce: UInt64 = 0) throws -> Transaction {
        try TransactionBody(chainID: TestGenesis.chainID, sender: TestKeys.key(0).publicKey, nonce: nonce, fee: Amount(udvpn: 1_000),
                            payload: .transfer(to: TestKeys.address(1), amount: Amount(udvpn: 5))).signed(with: TestKeys.key(0))
    }

    @Test("admission caches a verified transaction by id; a forged signature is never cached")
    func cachesOnlySuccesses() throws {
        let executor = Executor(genesis: TestGenesis.make())
        let tx = try transfer()
        #expect(!executor.signatures.contains(tx.id))
        #expect(executor.validateBasic(tx) == nil)
        #expect(executor.signatures.contains(tx.id))

        // The same body with another (valid-looking) signature has another id: the id covers
        // the signature, so a cached body cannot lend its verdict to a forgery.
        let forged = Transaction(body: tx.body, signature: try transfer(nonce: 1).signature)
        #expect(forged.id != tx.id)
        #expect(executor.validateBasic(forged)?.rule == .badSignature)
        #expect(executor.validateBasic(forged)?.rule == .badSignature)
        #expect(!executor.signatures.contains(forged.id))
    }

    @Test("a block built from the mempool executes without verifying its transactions again")
    func blockExecutionReusesAdmission() throws {
        let chain = try TestLedger()
        let txs = try (0..<3).map { _ in try chain.transfer(from: 0, to: 1, 5) }
        for tx in txs { _ = chain.ledger.submit(tx) }
        #expect(txs.allSatisfy { chain.ledger.executor.signatures.contains($0.id) })
        let block = try chain.block([])
        #expect(block.block.transactions.map(\.id) == txs.map(\.id))
        // The auditor has its own executor and cache: it verifies every signature itself.
        let outcome = try ChainAuditor(store: chain.store).run()
        #expect(outcome.passed, "\(String(describing: outcome.violation))")
    }

    @Test("the cache is bounded and forgets the oldest first")
    func bounded() {
        let cache = SignatureCache(capacity: 3)
        let ids = (0..<5).map { Hash256.sha256([UInt8($0)]) }
        for id in ids { cache.insert(id) }
        #expect(cache.count == 3)
        #expect(!cache.contains(ids[0]) && !cache.contains(ids[1]))
        #expect(ids[2...].allSatisfy(cache.contains))
        cache.insert(ids[4])  // already present: no eviction
        #expect(cache.contains(ids[2]))
    }
}
