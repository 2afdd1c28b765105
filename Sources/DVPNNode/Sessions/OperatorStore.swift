import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import GRDB

/// The operator's own records in `DATA/operator.sqlite` (docs/operator.md, "Files"): its
/// sessions, the best voucher it holds per channel, and the redemptions it submitted.
///
/// The best voucher is what the operator is owed; losing it loses money, so it is written in WAL
/// mode with `synchronous = FULL` and the session manager raises a session's credit only after
/// `storeBest` returned (persist before serve, docs/session-protocol.md "Payee"). `storeBest`
/// never lowers a stored amount, so a replayed or reordered write cannot undo a better voucher.
///
/// Thread safety: GRDB's `DatabaseQueue` serialises every access; nothing else is held.
final class OperatorStore: Sendable {
    static let fileName = "operator.sqlite"

    let path: String
    private let queue: DatabaseQueue

    /// One channel as the store knows it.
    struct ChannelRow: Sendable, Equatable {
        var channel: UInt64
        var payer: Schnorr.PublicKey
        var best: Voucher?
        var deposit: UInt64
        var redeemed: UInt64
        var expiry: UInt64
        /// 0 open, 1 closing, 2 settled (the contract's).
        var status: UInt8
    }

    /// One session's record.
    struct SessionRow: Sendable, Equatable {
        var id: [UInt8]
        var channel: UInt64
        var payer: Schnorr.PublicKey
        var clientKey: X25519.PublicKey
        var ipv4: String
        var ipv6: String
        var startedAt: UInt64
        var endedAt: UInt64?
        var bytes: UInt64
        var endReason: CutOffReason?
    }

    /// One redemption or close the operator submitted.
    struct RedemptionRow: Sendable, Equatable {
        var transaction: String
        var channel: UInt64
        var amount: UInt64
        var submittedAt: UInt64
        /// "pending", "committed" or "failed".
        var status: String
    }

    init(path: String, readOnly: Bool = false) throws(NodeError) {
        self.path = path
        do {
            var config = Configuration()
            config.busyMode = .timeout(10)
            config.readonly = readOnly
            if !readOnly { config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") } }
            queue = try DatabaseQueue(path: path, configuration: config)
            guard !readOnly else { return }
            _ = try queue.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE channels (
                        channel INTEGER PRIMARY KEY NOT NULL, payer BLOB NOT NULL,
                        cumulative INTEGER NOT NULL DEFAULT 0, signature BLOB,
                        deposit INTEGER NOT NULL, redeemed INTEGER NOT NULL, expiry INTEGER NOT NULL,
                        status INTEGER NOT NULL, updated_at INTEGER NOT NULL);
                    CREATE TABLE sessions (
                        id BLOB PRIMARY KEY NOT NULL, channel INTEGER NOT NULL, payer BLOB NOT NULL,
                        client_key BLOB NOT NULL, ipv4 TEXT NOT NULL, ipv6 TEXT NOT NULL,
                        started_at INTEGER NOT NULL, ended_at INTEGER, bytes INTEGER NOT NULL DEFAULT 0,
                        end_reason INTEGER);
                    CREATE TABLE redemptions (
                        tx TEXT PRIMARY KEY NOT NULL, channel INTEGER NOT NULL, amount INTEGER NOT NULL,
                        submitted_at INTEGER NOT NULL, status TEXT NOT NULL);
                    """)
            }
            try migrator.migrate(queue)
        } catch {
            throw NodeError(.storage, "cannot open the operator store \(path): \(error)")
        }
    }

    // MARK: Channels and vouchers

    /// Records the channel as the ledger shows it (creating its row), keeping any voucher held.
    func updateChannel(_ channel: UInt64, record: ChannelRecord, now: UInt64) throws(NodeError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO channels (channel, payer, deposit, redeemed, expiry, status, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(channel) DO UPDATE SET deposit = excluded.deposit,
                        redeemed = max(redeemed, excluded.redeemed), expiry = excluded.expiry,
                        status = excluded.status, updated_at = excluded.updated_at
                    """,
                arguments: [
                    Int64(bitPattern: channel), Data(record.payer.rawRepresentation), Int64(bitPattern: record.deposit),
                    Int64(bitPattern: record.redeemed), Int64(bitPattern: record.expiry), Int64(record.status),
                    Int64(bitPattern: now),
                ])
        }
    }

    /// Stores `voucher` as the channel's best if it is above the stored one; true when it was.
    /// Committed (fsync'd) when this returns: only then may the session's credit rise.
    @discardableResult
    func storeBest(_ voucher: Voucher, now: UInt64) throws(NodeError) -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE channels SET cumulative = ?, signature = ?, updated_at = ? WHERE channel = ? AND cumulative < ?",
                arguments: [
                    Int64(bitPattern: voucher.cumulative.udvpn), Data(voucher.signature.rawRepresentation),
                    Int64(bitPattern: now), Int64(bitPattern: voucher.channel), Int64(bitPattern: voucher.cumulative.udvpn),
                ])
            return db.changesCount > 0
        }
    }

    /// The channel's row, with its best voucher.
    func channel(_ id: UInt64) throws(NodeError) -> ChannelRow? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM channels WHERE channel = ?", arguments: [Int64(bitPattern: id)])
                .flatMap(Self.channelRow)
        }
    }

    /// Channels whose best voucher is worth more than what was redeemed and that are not settled:
    /// money still to collect (after a restart, these are settled by redemption).
    func unsettledChannels() throws(NodeError) -> [ChannelRow] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM channels WHERE status != 2 AND min(cumulative, deposit) > redeemed ORDER BY channel"
            ).compactMap(Self.channelRow)
        }
    }

    func allChannels() throws(NodeError) -> [ChannelRow] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM channels ORDER BY channel").compactMap(Self.channelRow) }
    }

    private static func channelRow(_ row: Row) -> ChannelRow? {
        let channel = UInt64(bitPattern: row["channel"] as Int64)
        guard let payer = try? Schnorr.PublicKey(rawRepresentation: [UInt8](row["payer"] as Data)) else { return nil }
        let cumulative = UInt64(bitPattern: row["cumulative"] as Int64)
        var best: Voucher?
        if let data = row["signature"] as Data?, let signature = try? Schnorr.Signature(rawRepresentation: [UInt8](data)) {
            best = Voucher(channel: channel, cumulative: Amount(udvpn: cumulative), signature: signature)
        }
        return ChannelRow(
            channel: channel, payer: payer, best: best, deposit: UInt64(bitPattern: row["deposit"] as Int64),
            redeemed: UInt64(bitPattern: row["redeemed"] as Int64), expiry: UInt64(bitPattern: row["expiry"] as Int64),
            status: UInt8(clamping: row["status"] as Int64))
    }

    // MARK: Sessions

    func insertSession(_ session: SessionRow) throws(NodeError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO sessions (id, channel, payer, client_key, ipv4, ipv6, started_at, bytes)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    Data(session.id), Int64(bitPattern: session.channel), Data(session.payer.rawRepresentation),
                    Data(session.clientKey.rawRepresentation), session.ipv4, session.ipv6,
                    Int64(bitPattern: session.startedAt), Int64(bitPattern: session.bytes),
                ])
        }
    }

    func updateSessionBytes(_ id: [UInt8], bytes: UInt64) throws(NodeError) {
        try write { db in
            try db.execute(sql: "UPDATE sessions SET bytes = ? WHERE id = ?", arguments: [Int64(bitPattern: bytes), Data(id)])
        }
    }

    func endSession(_ id: [UInt8], bytes: UInt64, reason: CutOffReason, at time: UInt64) throws(NodeError) {
        try write { db in
            try db.execute(
                sql: "UPDATE sessions SET bytes = ?, end_reason = ?, ended_at = ? WHERE id = ? AND ended_at IS NULL",
                arguments: [Int64(bitPattern: bytes), Int64(reason.code), Int64(bitPattern: time), Data(id)])
        }
    }

    /// Sessions a previous run left open (it stopped without ending them): ended now as
    /// `operatorShutdown`, since their peers went with the old interface.
    func endAbandonedSessions(at time: UInt64) throws(NodeError) {
        try write { db in
            try db.execute(
                sql: "UPDATE sessions SET end_reason = ?, ended_at = ? WHERE ended_at IS NULL",
                arguments: [Int64(CutOffReason.operatorShutdown.code), Int64(bitPattern: time)])
        }
    }

    func sessions(limit: Int = 1000) throws(NodeError) -> [SessionRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM sessions ORDER BY started_at DESC LIMIT ?", arguments: [limit])
                .compactMap { row -> SessionRow? in
                    guard let payer = try? Schnorr.PublicKey(rawRepresentation: [UInt8](row["payer"] as Data)),
                        let key = try? X25519.PublicKey(rawRepresentation: [UInt8](row["client_key"] as Data))
                    else { return nil }
                    return SessionRow(
                        id: [UInt8](row["id"] as Data), channel: UInt64(bitPattern: row["channel"] as Int64), payer: payer,
                        clientKey: key, ipv4: row["ipv4"], ipv6: row["ipv6"],
                        startedAt: UInt64(bitPattern: row["started_at"] as Int64),
                        endedAt: (row["ended_at"] as Int64?).map { UInt64(bitPattern: $0) },
                        bytes: UInt64(bitPattern: row["bytes"] as Int64),
                        endReason: (row["end_reason"] as Int64?).map { CutOffReason(code: UInt16(clamping: $0)) })
                }
        }
    }

    // MARK: Redemptions

    func recordRedemption(_ redemption: RedemptionRow) throws(NodeError) {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO redemptions (tx, channel, amount, submitted_at, status) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    redemption.transaction, Int64(bitPattern: redemption.channel), Int64(bitPattern: redemption.amount),
                    Int64(bitPattern: redemption.submittedAt), redemption.status,
                ])
        }
    }

    func setRedemptionStatus(_ transaction: String, _ status: String) throws(NodeError) {
        try write { db in
            try db.execute(sql: "UPDATE redemptions SET status = ? WHERE tx = ?", arguments: [status, transaction])
        }
    }

    func redemptions() throws(NodeError) -> [RedemptionRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM redemptions ORDER BY submitted_at").map { row in
                RedemptionRow(
                    transaction: row["tx"], channel: UInt64(bitPattern: row["channel"] as Int64),
                    amount: UInt64(bitPattern: row["amount"] as Int64),
                    submittedAt: UInt64(bitPattern: row["submitted_at"] as Int64), status: row["status"])
            }
        }
    }

    // MARK: Access

    private func write<T>(_ body: (Database) throws -> T) throws(NodeError) -> T {
        do {
            return try queue.write(body)
        } catch {
            throw NodeError(.storage, "operator store \(path): \(error)")
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(NodeError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw NodeError(.storage, "operator store \(path): \(error)")
        }
    }
}
