import DVPNCrypto
import DVPNLedger
import DVPNTestSupport
import Testing

typealias Change = (key: [UInt8], value: [UInt8]?)

@Suite("State tree")
struct StateTreeTests {
    /// Random key/value changes from a seeded generator.
    static func randomChanges(_ fuzzer: inout Fuzzer, count: Int, keySpace: Int) -> [Change] {
        (0..<count).map { _ in
            let key = Array("k\(fuzzer.next(below: keySpace))".utf8)
            return (key, fuzzer.oneIn(5) ? nil : fuzzer.bytes(count: fuzzer.next(below: 40))) as Change
        }
    }

    @Test("incremental batches give the same root as building from scratch, in any order")
    func incrementalEqualsScratch() {
        var fuzzer = Fuzzer(seed: 11)
        var incremental = StateTree()
        var model: [[UInt8]: [UInt8]] = [:]
        for _ in 0..<60 {
            let batch = Self.randomChanges(&fuzzer, count: 1 + fuzzer.next(below: 40), keySpace: 300)
            incremental.apply(batch)
            for (k, v) in batch { model[k] = v }
            var scratch = StateTree()
            scratch.apply(model.map { (key: $0.key, value: Optional($0.value)) }.shuffled())
            #expect(incremental.rootHash == scratch.rootHash)
        }
        var empty = StateTree()
        empty.apply(model.keys.map { (key: $0, value: nil) })
        #expect(empty.rootHash == .zero)
    }

    @Test("the last change of a key in one batch wins")
    func lastWriteWins() {
        var a = StateTree(), b = StateTree()
        a.apply([(key: [1], value: [1]), (key: [1], value: [2])] as [Change])
        b.apply([(key: [1], value: [2])] as [Change])
        #expect(a.rootHash == b.rootHash)
    }

    @Test("proofs verify for present and absent keys, and fail for anything else")
    func proofs() {
        var fuzzer = Fuzzer(seed: 12)
        var tree = StateTree()
        var model: [[UInt8]: [UInt8]] = [:]
        for (k, v) in Self.randomChanges(&fuzzer, count: 500, keySpace: 400) {
            tree.apply([(key: k, value: v)] as [Change])
            model[k] = v
        }
        let root = tree.rootHash
        for i in 0..<500 {
            let key = Array("k\(i)".utf8)
            let proof = tree.proof(for: key)
            let value = model[key] ?? nil
            #expect(proof.verify(root: root, key: key, value: value))
            // A wrong value, a claim of absence for a present key, or another root fails.
            #expect(!proof.verify(root: root, key: key, value: (value ?? []) + [0]))
            if value != nil { #expect(!proof.verify(root: root, key: key, value: nil)) }
            #expect(!proof.verify(root: Hash256.sha256(root.bytes), key: key, value: value))
            // A tampered sibling fails.
            if !proof.siblings.isEmpty {
                var bad = proof
                bad.siblings[bad.siblings.count / 2] = Hash256.sha256([UInt8(i & 0xFF)])
                #expect(!bad.verify(root: root, key: key, value: value))
            }
        }
    }

    @Test("a proof for one key does not prove another")
    func proofIsBoundToKey() {
        var tree = StateTree()
        tree.apply((0..<50).map { (key: [UInt8($0)], value: [UInt8($0), 1]) as Change })
        let proof = tree.proof(for: [7])
        #expect(proof.verify(root: tree.rootHash, key: [7], value: [7, 1]))
        #expect(!proof.verify(root: tree.rootHash, key: [8], value: [7, 1]))
        #expect(!proof.verify(root: tree.rootHash, key: [8], value: nil))
    }

    @Test("an earlier tree stays valid after later changes (snapshots are shared, not copied)")
    func snapshots() {
        var tree = StateTree()
        tree.apply((0..<100).map { (key: [UInt8($0)], value: [1]) as Change })
        let before = tree
        let rootBefore = tree.rootHash
        tree.apply([(key: [5], value: [2])] as [Change])
        #expect(before.rootHash == rootBefore)
        #expect(tree.rootHash != rootBefore)
        #expect(before.proof(for: [5]).verify(root: rootBefore, key: [5], value: [1]))
    }

    @Test("ledger state proofs cover typed keys")
    func ledgerStateProof() throws {
        let (state, _) = try LedgerState.genesis(TestGenesis.make(), contractCode: TestGenesis.contractCode)
        let key = StateKey.account(TestKeys.key(0).publicKey)
        #expect(state.proof(for: key).verify(root: state.rootHash, key: key.bytes, value: state.value(forKey: key)))
        let code = StateKey.contractCode("channels")
        // The code leaf's value hash is the pinned SHA-256.
        guard case .leaf(_, let valueHash) = state.proof(for: code).terminal else {
            Issue.record("code key has no leaf")
            return
        }
        #expect(valueHash == Hash256.sha256(TestContract.code))
        #expect(try StateKey(bytes: code.bytes) == code)
        #expect(throws: LedgerError.self) { try StateKey(bytes: [0x07]) }
        #expect(throws: LedgerError.self) { try StateKey(bytes: [0x05, 9, 0x61]) }
    }
}
