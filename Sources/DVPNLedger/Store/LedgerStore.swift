import Foundation
import GRDB

/// The ledger's SQLite database: blocks, transactions, receipts, commits and state.
///
/// Durability (docs/storage.md): WAL journal, `synchronous = FULL`, and everything one block
/// writes — header, transactions, receipts, its commit, the state changes, the current state and
/// the index — in ONE SQLite transaction. A `kill -9` or power cut at any moment leaves either
/// the whole block or none of it, and the file reopens.
///
/// Thread safety: GRDB's `DatabasePool` serialises writes and runs reads concurrently on WAL
/// snapshots; the store holds nothing else.
public final class LedgerStore: Sendable {
    /// The database file name inside a data directory.
    public static let fileName = "ledger.sqlite"

    let pool: DatabasePool
    public let path: String
    public let isReadOnly: Bool

    /// Opens (creating if needed, unless read-only) the database at `path`.
    public init(path: String, readOnly: Bool = false) throws(LedgerError) {
        var config = Configuration()
        config.readonly = readOnly
        config.label = "dvpn-ledger"
        // A replica waiting on its own writer should not fail at once.
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            if !db.configuration.readonly {
                // FULL: every commit fsyncs the WAL, so a block the node announced survives a
                // power cut, not only a process crash (docs/storage.md).
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        self.path = path
        self.isReadOnly = readOnly
        if readOnly, !FileManager.default.fileExists(atPath: path) {
            throw LedgerError(.storage, "no ledger database at \(path)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            if readOnly {
                let applied = try pool.read { try StoreSchema.migrator().hasCompletedMigrations($0) }
                guard applied else { throw LedgerError(.storage, "\(path) is not a dvpn ledger database of schema \(StoreSchema.version)") }
            } else {
                try StoreSchema.migrator().migrate(pool)
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.storage, "cannot open ledger database \(path): \(error)")
        }
    }

    /// Opens `directory/ledger.sqlite`.
    public convenience init(directory: String, readOnly: Bool = false) throws(LedgerError) {
        if !readOnly {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw LedgerError(.storage, "cannot create data directory \(directory): \(error.localizedDescription)")
            }
        }
        try self.init(path: (directory as NSString).appendingPathComponent(Self.fileName), readOnly: readOnly)
    }

    /// Runs `body` in a read transaction, mapping database errors to `LedgerError`.
    func read<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try pool.read(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.storage, "reading \(path) failed: \(error)")
        }
    }

    /// Runs `body` in one write transaction: all of it commits, or none.
    func write<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        guard !isReadOnly else { throw LedgerError(.storage, "\(path) is open read-only") }
        do {
            return try pool.write(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.storage, "writing \(path) failed: \(error)")
        }
    }

    /// Closes the database; later calls fail.
    public func close() throws(LedgerError) {
        do {
            try pool.close()
        } catch {
            throw LedgerError(.storage, "closing \(path) failed: \(error)")
        }
    }
}

/// SQLite integers are signed 64-bit; heights and indices are far below 2^63.
func sqlInt(_ v: UInt64) -> Int64 { Int64(clamping: v) }

extension Data {
    var bytes: [UInt8] { [UInt8](self) }
}
