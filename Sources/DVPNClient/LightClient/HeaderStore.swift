import DVPNLedger
import Foundation
import GRDB

/// The client's verified header chain on disk: one SQLite file per genesis in the data
/// directory (`light-client/<chain id>-<genesis hash prefix>.sqlite`).
///
/// Only headers that passed `HeaderChainVerifier` are written, a batch in one transaction, in
/// WAL mode with `synchronous = FULL`: a crash leaves the chain at the last complete batch, and
/// the next sync resumes from there. Each header keeps its commit (so the chain can be re-audited)
/// and each validator-set change the set in force from that height.
///
/// Thread safety: GRDB's `DatabaseQueue` serialises every access; nothing else is held.
public final class HeaderStore: Sendable {
    public let path: String
    private let queue: DatabaseQueue
    private let genesis: Genesis

    /// The file for `genesis` inside `dataDirectory`.
    public static func path(for genesis: Genesis, in dataDirectory: String) -> String {
        let name = "\(genesis.chainID)-\(genesis.hash.hex.prefix(16)).sqlite"
        return ((dataDirectory as NSString).appendingPathComponent("light-client") as NSString).appendingPathComponent(name)
    }

    /// Opens (creating) the chain of `genesis` under `dataDirectory`.
    public convenience init(genesis: Genesis, dataDirectory: String) throws(ClientError) {
        try self.init(path: Self.path(for: genesis, in: dataDirectory), genesis: genesis)
    }

    public init(path: String, genesis: Genesis) throws(ClientError) {
        self.path = path
        self.genesis = genesis
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            var config = Configuration()
            config.busyMode = .timeout(10)
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            queue = try DatabaseQueue(path: path, configuration: config)
            _ = try queue.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TABLE headers (height INTEGER PRIMARY KEY NOT NULL, header BLOB NOT NULL, commit_data BLOB NOT NULL);
                    CREATE TABLE validator_sets (height INTEGER PRIMARY KEY NOT NULL, data BLOB NOT NULL);
                    """)
            }
            try migrator.migrate(queue)
            try queue.write { db in
                let stored = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'genesis'")
                if let stored {
                    guard [UInt8](stored) == genesis.hash.bytes else {
                        throw ClientError(.storage, "\(path) holds the header chain of another genesis")
                    }
                } else {
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('genesis', ?)", arguments: [Data(genesis.hash.bytes)])
                }
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.storage, "cannot open the header chain \(path): \(error)")
        }
    }

    /// The verified tip: the highest stored header and the set that signed it.
    public func tip() throws(ClientError) -> VerifiedTip {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT height, header FROM headers ORDER BY height DESC LIMIT 1") else {
                return VerifiedTip(genesis: self.genesis)
            }
            let header = try BlockHeader(canonicalBytes: [UInt8](row["header"] as Data))
            return VerifiedTip(height: header.height, blockHash: header.hash, stateRoot: header.stateRoot,
                               validators: try self.validators(inForceAt: header.height, db: db))
        }
    }

    /// The verified header at `height`, if the chain reaches it.
    public func header(at height: UInt64) throws(ClientError) -> BlockHeader? {
        try read { db in
            try Data.fetchOne(db, sql: "SELECT header FROM headers WHERE height = ?", arguments: [Int64(clamping: height)])
                .map { try BlockHeader(canonicalBytes: [UInt8]($0)) }
        }
    }

    /// Appends verified headers (contiguous from the stored tip) in one transaction.
    public func append(_ accepted: [HeaderChainVerifier.Accepted]) throws(ClientError) {
        guard !accepted.isEmpty else { return }
        do {
            try queue.write { db in
                let tip = UInt64(try Int64.fetchOne(db, sql: "SELECT MAX(height) FROM headers") ?? 0)
                guard accepted.first?.header.height == tip + 1 else {
                    throw ClientError(.storage, "the header chain \(self.path) ends at \(tip); cannot append block \(accepted.first?.header.height ?? 0)")
                }
                for entry in accepted {
                    let h = Int64(clamping: entry.header.height)
                    try db.execute(sql: "INSERT INTO headers (height, header, commit_data) VALUES (?, ?, ?)",
                                   arguments: [h, Data(entry.header.canonicalBytes), Data(entry.commit.canonicalBytes)])
                    if let set = entry.changedValidators {
                        try db.execute(sql: "INSERT INTO validator_sets (height, data) VALUES (?, ?)", arguments: [h, Data(set.canonicalBytes)])
                    }
                }
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.storage, "writing the header chain \(path) failed: \(error)")
        }
    }

    private func validators(inForceAt height: UInt64, db: Database) throws -> ValidatorSet {
        guard let data = try Data.fetchOne(
            db, sql: "SELECT data FROM validator_sets WHERE height <= ? ORDER BY height DESC LIMIT 1",
            arguments: [Int64(clamping: height)])
        else { return genesis.validators }
        return try ValidatorSet(canonicalBytes: [UInt8](data))
    }

    private func read<T>(_ body: (Database) throws -> T) throws(ClientError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw ClientError(.storage, "reading the header chain \(path) failed: \(error)")
        }
    }
}
