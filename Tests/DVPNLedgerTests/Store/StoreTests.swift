import DVPNCrypto
@testable import DVPNLedger
import Foundation
import GRDB
import Testing

@Suite("Ledger store")
struct StoreTests {
    /// Copies the database files as they are on disk right now.
    static func snapshotFiles(of directory: TemporaryDirectory) throws -> TemporaryDirectory {
        let target = TemporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix(LedgerStore.fileName) {
            try FileManager.default.copyItem(atPath: directory.file(name), toPath: target.file(name))
        }
        return target
    }

    static func chain(blocks: Int) throws -> TestLedger {
        let chain = try TestLedger()
        for i in 0..<blocks {
            try chain.block([try chain.transfer(from: i % 4, to: (i + 1) % 4, UInt64(1_000 + i))])
        }
        return chain
    }

    @Test("a write interrupted before its commit leaves the last committed block intact, on disk and after reopening")
    func interruptedWrite() throws {
        let chain = try Self.chain(blocks: 3)
        _ = chain.ledger.submit(try chain.transfer(from: 0, to: 2, 77))
        let built = chain.ledger.buildBlock(proposer: chain.signer.validator, time: Timestamp(millisecondsSince1970: 1_760_000_000_000))
        let commit = try chain.signer.soloCommit(for: built.block)
        struct Crash: Error {}
        var crashCopy: TemporaryDirectory?
        #expect(throws: LedgerError.self) {
            try chain.store.append(built.block, commit: commit, receipts: built.receipts, changes: built.execution.changes) { _ in
                // Every row of block 4 is written but not committed: what a kill -9 here leaves.
                crashCopy = try Self.snapshotFiles(of: chain.directory)
                throw Crash()
            }
        }
        // The crashed copy reopens at block 3 and audits clean.
        let copy = try #require(crashCopy)
        let reopened = try LedgerStore(directory: copy.path)
        #expect(try reopened.tipHeight() == 3)
        #expect(try reopened.block(at: 3) != nil)
        #expect(try reopened.block(at: 4) == nil)
        let audit = try ChainAuditor(store: reopened).run()
        #expect(audit.passed, "\(String(describing: audit.violation))")
        // A ledger on it resumes and can commit block 4 again.
        let resumed = try Ledger(store: reopened, genesis: chain.genesis, contractCode: TestGenesis.contractCode)
        #expect(resumed.height == 3)
        #expect(resumed.submit(built.block.transactions[0]) == .accepted(id: built.block.transactions[0].id, evicted: []))
        _ = try #require(try resumed.produceBlock(signer: chain.signer, time: Timestamp(millisecondsSince1970: 1_760_000_000_000)))
        #expect(try ChainAuditor(store: reopened).run().passed)

        // The original store rolled back too, and takes the block now.
        #expect(try chain.store.tipHeight() == 3)
        try chain.ledger.commit(built, commit: commit)
        #expect(try chain.store.tipHeight() == 4)
        let snapshot = try Self.snapshotFiles(of: chain.directory)
        #expect(try LedgerStore(directory: snapshot.path).tipHeight() == 4)
    }

    @Test("a copy of a live database (WAL not checkpointed) opens read-only and audits")
    func readOnlyCopy() throws {
        let chain = try Self.chain(blocks: 5)
        let copy = try Self.snapshotFiles(of: chain.directory)
        let store = try LedgerStore(directory: copy.path, readOnly: true)
        #expect(store.isReadOnly)
        #expect(try store.tipHeight() == 5)
        #expect(try ChainAuditor(store: store, expectedGenesis: chain.genesis).run().passed)
        #expect(throws: LedgerError.self) { try store.initialize(genesis: chain.genesis, genesisChanges: StateChanges()) }
        #expect(throws: LedgerError.self) { try LedgerStore(directory: copy.path + "-missing", readOnly: true) }
    }

    @Test("blocks, commits, receipts and the transaction index read back as written")
    func readBack() throws {
        let chain = try Self.chain(blocks: 2)
        let block = try #require(try chain.store.block(at: 2))
        #expect(block.header.height == 2)
        #expect(block.lastCommit == (try chain.store.commit(at: 1)))
        #expect(try chain.store.commit(at: 2)?.blockHash == block.hash)
        #expect(try chain.store.receipts(at: 2).count == 1)
        let tx = block.transactions[0]
        #expect(try chain.store.transactionLocation(tx.id) == TransactionLocation(height: 2, index: 0))
        #expect(try chain.store.transactionLocation(Hash256.sha256([0])) == nil)
        #expect(try chain.store.genesis() == chain.genesis)
    }

    @Test("the store refuses out-of-order blocks, mismatched commits and another genesis")
    func refusals() throws {
        let chain = try Self.chain(blocks: 1)
        let stored = try #require(try chain.store.block(at: 1))
        let commit = try #require(try chain.store.commit(at: 1))
        #expect(throws: LedgerError.self) { try chain.store.append(stored, commit: commit, receipts: try chain.store.receipts(at: 1), changes: StateChanges()) }
        let built = chain.ledger.buildBlock(proposer: chain.signer.validator, time: Timestamp(millisecondsSince1970: 1_760_000_000_000))
        #expect(throws: LedgerError.self) { try chain.store.append(built.block, commit: commit, receipts: built.receipts, changes: built.execution.changes) }
        #expect(throws: LedgerError.self) {
            try Ledger(store: chain.store, genesis: TestGenesis.make(balances: [(0, 1)]), contractCode: TestGenesis.contractCode)
        }
    }

    @Test("a ledger reopened on its directory resumes at its tip with the same state")
    func reopen() throws {
        let chain = try Self.chain(blocks: 4)
        let root = try chain.ledger.withState { $0.rootHash }
        let again = try Ledger(store: LedgerStore(directory: chain.directory.path), genesis: chain.genesis, contractCode: TestGenesis.contractCode)
        #expect(again.height == 4)
        #expect(try again.withState { $0.rootHash } == root)
        #expect(again.position == chain.ledger.position)
    }
}
