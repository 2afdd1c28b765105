import GRDB

/// The tables of a ledger database (one file per data directory, `ledger.sqlite`).
///
/// Each stored object is its canonical encoding; the integer columns only place it. Nothing is
/// stored twice except the lookup index `tx_index`, which the auditor checks against the blocks.
///
/// | table | row | written |
/// |---|---|---|
/// | meta | "genesis" → canonical `Genesis`, "schema" → version | at initialisation |
/// | blocks | height → canonical `BlockHeader` | with each block |
/// | transactions | (height, index) → canonical `Transaction` | with each block |
/// | receipts | (height, index) → canonical `Receipt` | with each block |
/// | commits | height → canonical `Commit` of that block (replaced by the next block's `lastCommit`) | with each block |
/// | state_changes | (height, key) → value or NULL (deleted); height 0 is genesis | with each block |
/// | state | key → current value, height of the last change | with each block |
/// | tx_index | transaction id → (height, index) | with each block |
enum StoreSchema {
    static let version = 1

    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
                CREATE TABLE blocks (height INTEGER PRIMARY KEY NOT NULL, header BLOB NOT NULL);
                CREATE TABLE transactions (
                    height INTEGER NOT NULL, idx INTEGER NOT NULL, tx BLOB NOT NULL,
                    PRIMARY KEY (height, idx)) WITHOUT ROWID;
                CREATE TABLE receipts (
                    height INTEGER NOT NULL, idx INTEGER NOT NULL, receipt BLOB NOT NULL,
                    PRIMARY KEY (height, idx)) WITHOUT ROWID;
                CREATE TABLE commits (height INTEGER PRIMARY KEY NOT NULL, data BLOB NOT NULL);
                CREATE TABLE state_changes (
                    height INTEGER NOT NULL, key BLOB NOT NULL, value BLOB,
                    PRIMARY KEY (height, key)) WITHOUT ROWID;
                CREATE TABLE state (key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL, height INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE tx_index (id BLOB PRIMARY KEY NOT NULL, height INTEGER NOT NULL, idx INTEGER NOT NULL) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}
