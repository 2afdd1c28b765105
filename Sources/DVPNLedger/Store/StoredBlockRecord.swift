import Foundation
import GRDB

/// Everything stored for one height, as raw rows: the auditor decodes it itself so that a
/// corrupted row is reported at its height rather than failing a generic read.
public struct StoredBlockRecord: Sendable {
    public var height: UInt64
    public var header: [UInt8]
    public var transactions: [(index: Int, bytes: [UInt8])]
    public var receipts: [(index: Int, bytes: [UInt8])]
    /// The commit stored for this height.
    public var commit: [UInt8]?
    /// The commit stored for the previous height: this block's `lastCommit`.
    public var previousCommit: [UInt8]?
    public var stateChanges: [(key: [UInt8], value: [UInt8]?)]

    /// The decoded parts, or the first malformed one.
    public func decoded() throws(LedgerError) -> DecodedBlockRecord {
        func checkIndices(_ rows: [(index: Int, bytes: [UInt8])], _ what: String) throws(LedgerError) {
            for (expected, row) in rows.enumerated() where row.index != expected {
                throw LedgerError(.malformedEncoding, "\(what) rows of block \(height) skip index \(expected)")
            }
        }
        try checkIndices(transactions, "transaction")
        try checkIndices(receipts, "receipt")
        let header = try BlockHeader(canonicalBytes: header)
        var txs: [Transaction] = []
        for row in transactions { txs.append(try Transaction(canonicalBytes: row.bytes)) }
        var decodedReceipts: [Receipt] = []
        for row in receipts { decodedReceipts.append(try Receipt(canonicalBytes: row.bytes)) }
        let lastCommit = try height > 1 ? previousCommit.map { raw throws(LedgerError) in try Commit(canonicalBytes: raw) } : nil
        if height > 1, lastCommit == nil {
            throw LedgerError(.malformedEncoding, "no commit is stored for block \(height - 1)")
        }
        guard let commitBytes = commit else { throw LedgerError(.malformedEncoding, "no commit is stored for block \(height)") }
        var changes = StateChanges()
        for change in stateChanges {
            let key = try StateKey(bytes: change.key)
            if let value = change.value { try key.validate(value) }
            changes.set(rawKey: change.key, change.value)
        }
        return DecodedBlockRecord(
            block: Block(header: header, transactions: txs, lastCommit: lastCommit), receipts: decodedReceipts,
            commit: try Commit(canonicalBytes: commitBytes), stateChanges: changes)
    }
}

/// A stored block and what was stored with it, decoded.
public struct DecodedBlockRecord: Sendable {
    public var block: Block
    public var receipts: [Receipt]
    public var commit: Commit
    public var stateChanges: StateChanges
}

/// Rows that do not belong to any stored block (left over by tampering or a bug).
public struct StoreOrphans: Sendable {
    /// Tables with rows above the tip or at a height without a block, and the first such height.
    public var firstOrphanHeight: [String: UInt64]
}

extension LedgerStore {
    /// The raw rows stored for `height`, or nil when there is no block row.
    public func record(at height: UInt64) throws(LedgerError) -> StoredBlockRecord? {
        let h = sqlInt(height)
        return try read { db -> StoredBlockRecord? in
            guard let header = try Data.fetchOne(db, sql: "SELECT header FROM blocks WHERE height = ?", arguments: [h]) else { return nil }
            func rows(_ sql: String) throws -> [(index: Int, bytes: [UInt8])] {
                try Row.fetchAll(db, sql: sql, arguments: [h]).map { (index: Int($0[0] as Int64), bytes: ($0[1] as Data).bytes) }
            }
            return StoredBlockRecord(
                height: height, header: header.bytes,
                transactions: try rows("SELECT idx, tx FROM transactions WHERE height = ? ORDER BY idx"),
                receipts: try rows("SELECT idx, receipt FROM receipts WHERE height = ? ORDER BY idx"),
                commit: try Data.fetchOne(db, sql: "SELECT data FROM commits WHERE height = ?", arguments: [h])?.bytes,
                previousCommit: height > 1 ? try Data.fetchOne(db, sql: "SELECT data FROM commits WHERE height = ?", arguments: [h - 1])?.bytes : nil,
                stateChanges: try Row.fetchAll(db, sql: "SELECT key, value FROM state_changes WHERE height = ? ORDER BY key", arguments: [h])
                    .map { (key: ($0[0] as Data).bytes, value: ($0[1] as Data?)?.bytes) })
        }
    }

    /// The genesis state changes (height 0).
    public func genesisStateChanges() throws(LedgerError) -> [(key: [UInt8], value: [UInt8]?)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT key, value FROM state_changes WHERE height = 0 ORDER BY key")
                .map { (key: ($0[0] as Data).bytes, value: ($0[1] as Data?)?.bytes) }
        }
    }

    /// The heights that have a block row, ascending.
    public func blockHeights() throws(LedgerError) -> [UInt64] {
        try read { db in try Int64.fetchAll(db, sql: "SELECT height FROM blocks ORDER BY height").map { UInt64($0) } }
    }

    /// Every row of the current-state table with the height of its last change, sorted by key.
    public func stateRows() throws(LedgerError) -> [(key: [UInt8], value: [UInt8], height: UInt64)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT key, value, height FROM state ORDER BY key")
                .map { (key: ($0[0] as Data).bytes, value: ($0[1] as Data).bytes, height: UInt64($0[2] as Int64)) }
        }
    }

    /// Every row of the transaction index.
    public func transactionIndexRows() throws(LedgerError) -> [(id: [UInt8], height: UInt64, index: Int)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, height, idx FROM tx_index ORDER BY height, idx")
                .map { (id: ($0[0] as Data).bytes, height: UInt64($0[1] as Int64), index: Int($0[2] as Int64)) }
        }
    }

    /// Rows whose height has no block (state changes and state rows may sit at height 0, genesis).
    public func orphans() throws(LedgerError) -> StoreOrphans {
        try read { db in
            var found: [String: UInt64] = [:]
            for (table, floor) in [("transactions", 1), ("receipts", 1), ("commits", 1), ("state_changes", 0), ("state", 0), ("tx_index", 1)] {
                let sql = "SELECT MIN(height) FROM \(table) WHERE height < \(floor) OR (height > 0 AND height NOT IN (SELECT height FROM blocks))"
                if let h = try Int64.fetchOne(db, sql: sql) { found[table] = UInt64(max(0, h)) }
            }
            return StoreOrphans(firstOrphanHeight: found)
        }
    }
}
