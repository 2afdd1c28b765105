import DVPNCrypto
import DVPNLedger
import Testing

@Suite("Ledger: following and proofs")
struct LedgerFollowerTests {
    @Test("a follower applying the producer's blocks and commits reaches the same state; a forged block is refused")
    func follow() throws {
        let producer = try TestLedger()
        for i in 0..<4 {
            try producer.block([try producer.transfer(from: i, to: (i + 1) % 4, 500), try producer.call(from: i, "registry", "put", TestContract.putArguments(key: UInt64(i), value: [UInt8(i)]))])
        }
        let follower = try TestLedger()
        for height in 1...producer.ledger.height {
            let block = try #require(try producer.store.block(at: height))
            let commit = try #require(try producer.store.commit(at: height))
            if height == 3 {
                var forged = block
                forged.header.stateRoot = Hash256.sha256([1])
                let error = #expect(throws: LedgerError.self) { try follower.ledger.apply(forged, commit: commit) }
                #expect(error?.reason.contains("block 3") == true)
                #expect(error?.reason.contains("state root") == true)
                let other = try CommitSigner(key: TestKeys.key(101), chainID: producer.genesis.chainID).soloCommit(for: block)
                #expect(throws: LedgerError.self) { try follower.ledger.apply(block, commit: other) }
            }
            try follower.ledger.apply(block, commit: commit)
        }
        #expect(follower.ledger.position == producer.ledger.position)
        #expect(try follower.ledger.withState { $0.rootHash } == (try producer.ledger.withState { $0.rootHash }))
        #expect(try ChainAuditor(store: follower.store).run().passed)
    }

    @Test("the ledger proves an account's balance under the state root of its last block")
    func proof() throws {
        let chain = try TestLedger()
        try chain.block([try chain.transfer(from: 0, to: 1, 12_345)])
        let key = StateKey.account(TestKeys.key(1).publicKey)
        let (root, height, value, proof) = chain.ledger.proof(for: key)
        #expect(height == 1)
        #expect(try root == chain.store.header(at: 1)?.stateRoot)
        #expect(try Account(canonicalBytes: try #require(value)).balance == Amount(udvpn: 1_000_012_345))
        #expect(proof.verify(root: root, key: key.bytes, value: value))
        let stranger = StateKey.account(TestKeys.key(77).publicKey)
        let absent = chain.ledger.proof(for: stranger)
        #expect(absent.value == nil)
        #expect(absent.proof.verify(root: root, key: stranger.bytes, value: nil))
    }
}
