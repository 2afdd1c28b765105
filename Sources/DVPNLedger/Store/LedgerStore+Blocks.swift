import Foundation
import GRDB

extension LedgerStore {
    /// Records genesis and its state (as height 0) in a new database; on an initialised one,
    /// checks that it holds the same genesis.
    public func initialize(genesis: Genesis, genesisChanges: StateChanges) throws(LedgerError) {
        try write { db in
            if let existing = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'genesis'") {
                guard existing.bytes == genesis.canonicalBytes else {
                    throw LedgerError(.storage, "\(self.path) holds another chain's genesis")
                }
                return
            }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('genesis', ?)", arguments: [Data(genesis.canonicalBytes)])
            try Self.writeChanges(genesisChanges, height: 0, db: db)
        }
    }

    /// The genesis this database was initialised with, or nil for an empty database.
    public func genesis() throws(LedgerError) -> Genesis? {
        let raw = try read { db in try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'genesis'") }
        return try raw.map { raw throws(LedgerError) in try Genesis(canonicalBytes: raw.bytes) }
    }

    /// The height of the last stored block; 0 when only genesis is stored.
    public func tipHeight() throws(LedgerError) -> UInt64 {
        try read { db in UInt64(try Int64.fetchOne(db, sql: "SELECT MAX(height) FROM blocks") ?? 0) }
    }

    /// Appends a final block in one SQLite transaction: its header, transactions, receipts, the
    /// commit that finalised it, the state changes and the transaction index. The block's own
    /// `lastCommit` replaces the commit stored for the previous height, so each height keeps the
    /// commit the chain carries.
    public func append(_ block: Block, commit: Commit, receipts: [Receipt], changes: StateChanges) throws(LedgerError) {
        try append(block, commit: commit, receipts: receipts, changes: changes, beforeCommit: nil)
    }

    /// `append` with a hook run inside the transaction after every row is written, before it
    /// commits: crash tests copy the files there (what a `kill -9` at that instant leaves) or
    /// throw to abort.
    func append(_ block: Block, commit: Commit, receipts: [Receipt], changes: StateChanges,
                beforeCommit: ((Database) throws -> Void)?) throws(LedgerError) {
        let height = block.height
        guard commit.height == height, commit.blockHash == block.hash else {
            throw LedgerError(.ruleViolation, "the commit given with block \(height) is for block \(commit.height) \(commit.blockHash)")
        }
        guard receipts.count == block.transactions.count else {
            throw LedgerError(.ruleViolation, "block \(height) has \(block.transactions.count) transactions but \(receipts.count) receipts")
        }
        try write { db in
            let tip = UInt64(try Int64.fetchOne(db, sql: "SELECT MAX(height) FROM blocks") ?? 0)
            guard height == tip + 1 else {
                throw LedgerError(.storage, "cannot append block \(height): the store ends at \(tip)")
            }
            let h = sqlInt(height)
            try db.execute(sql: "INSERT INTO blocks (height, header) VALUES (?, ?)", arguments: [h, Data(block.header.canonicalBytes)])
            // The per-row statements are prepared once per connection (GRDB's statement cache),
            // not once per row: compiling the SQL of three statements per transaction cost more
            // than binding and stepping them (issue 7).
            let insertTransaction = try db.cachedStatement(sql: "INSERT INTO transactions (height, idx, tx) VALUES (?, ?, ?)")
            let indexTransaction = try db.cachedStatement(sql: "INSERT OR REPLACE INTO tx_index (id, height, idx) VALUES (?, ?, ?)")
            for (index, tx) in block.transactions.enumerated() {
                try insertTransaction.execute(arguments: [h, index, Data(tx.canonicalBytes)])
                try indexTransaction.execute(arguments: [Data(tx.id.bytes), h, index])
            }
            let insertReceipt = try db.cachedStatement(sql: "INSERT INTO receipts (height, idx, receipt) VALUES (?, ?, ?)")
            for (index, receipt) in receipts.enumerated() {
                try insertReceipt.execute(arguments: [h, index, Data(receipt.canonicalBytes)])
            }
            if let last = block.lastCommit {
                try db.execute(sql: "INSERT OR REPLACE INTO commits (height, data) VALUES (?, ?)", arguments: [sqlInt(last.height), Data(last.canonicalBytes)])
            }
            try db.execute(sql: "INSERT INTO commits (height, data) VALUES (?, ?)", arguments: [h, Data(commit.canonicalBytes)])
            try Self.writeChanges(changes, height: height, db: db)
            try beforeCommit?(db)
        }
    }

    private static func writeChanges(_ changes: StateChanges, height: UInt64, db: Database) throws {
        let h = sqlInt(height)
        let recordChange = try db.cachedStatement(sql: "INSERT INTO state_changes (height, key, value) VALUES (?, ?, ?)")
        let upsertState = try db.cachedStatement(sql: "INSERT OR REPLACE INTO state (key, value, height) VALUES (?, ?, ?)")
        let deleteState = try db.cachedStatement(sql: "DELETE FROM state WHERE key = ?")
        for (key, value) in changes.sorted {
            try recordChange.execute(arguments: [h, Data(key), value.map { Data($0) }])
            if let value {
                try upsertState.execute(arguments: [Data(key), Data(value), h])
            } else {
                try deleteState.execute(arguments: [Data(key)])
            }
        }
    }

    public func header(at height: UInt64) throws(LedgerError) -> BlockHeader? {
        let raw = try read { db in try Data.fetchOne(db, sql: "SELECT header FROM blocks WHERE height = ?", arguments: [sqlInt(height)]) }
        return try raw.map { raw throws(LedgerError) in try BlockHeader(canonicalBytes: raw.bytes) }
    }

    /// The block at `height`, assembled from its header, transactions and the previous commit.
    public func block(at height: UInt64) throws(LedgerError) -> Block? {
        guard let record = try record(at: height) else { return nil }
        return try record.decoded().block
    }

    /// The commit stored for `height`.
    public func commit(at height: UInt64) throws(LedgerError) -> Commit? {
        let raw = try read { db in try Data.fetchOne(db, sql: "SELECT data FROM commits WHERE height = ?", arguments: [sqlInt(height)]) }
        return try raw.map { raw throws(LedgerError) in try Commit(canonicalBytes: raw.bytes) }
    }

    public func receipts(at height: UInt64) throws(LedgerError) -> [Receipt] {
        guard let record = try record(at: height) else { return [] }
        return try record.decoded().receipts
    }

    /// Where transaction `id` was included, if it was.
    public func transactionLocation(_ id: Hash256) throws(LedgerError) -> TransactionLocation? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT height, idx FROM tx_index WHERE id = ?", arguments: [Data(id.bytes)]).map {
                TransactionLocation(height: UInt64(($0["height"] as Int64)), index: Int(($0["idx"] as Int64)))
            }
        }
    }

    /// The current state, rebuilt from the `state` table (validated, one batch into the tree).
    public func loadState() throws(LedgerError) -> LedgerState {
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT key, value FROM state").map { (key: ($0["key"] as Data).bytes, value: ($0["value"] as Data).bytes) }
        }
        return try LedgerState(entries: rows)
    }
}

/// Where a transaction sits in the chain.
public struct TransactionLocation: Hashable, Sendable {
    public var height: UInt64
    public var index: Int
}

extension LedgerStore {
    /// The validator set that had to sign block `height`'s commit: the last one written before
    /// that block executed (genesis writes the first at height 0).
    public func validatorSet(inForceAt height: UInt64) throws(LedgerError) -> ValidatorSet {
        let raw = try read { db in
            try Data.fetchOne(db, sql: "SELECT value FROM state_changes WHERE key = ? AND height < ? AND value IS NOT NULL ORDER BY height DESC LIMIT 1",
                              arguments: [Data(StateKey.validatorSet.bytes), sqlInt(height)])
        }
        guard let raw else { throw LedgerError(.storage, "no validator set is stored before block \(height)") }
        return try ValidatorSet(canonicalBytes: raw.bytes)
    }
}
