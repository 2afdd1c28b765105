import DVPNCrypto
import DVPNLedger
import Foundation
import GRDB

/// A closed ledger database with a short history touching every kind of row: transfers, contract
/// calls that open, redeem and reclaim (through the test contract registered as "channels"), a
/// registry write, a failed call, and an empty block. Built once; tests tamper with copies.
final class AuditFixture: Sendable {
    static let shared = try! AuditFixture()

    let directory: TemporaryDirectory
    let genesis: Genesis
    let tip: UInt64

    private init() throws {
        let chain = try TestLedger()
        try chain.block([try chain.transfer(from: 0, to: 1, 100_000), try chain.transfer(from: 1, to: 2, 40_000)])
        try chain.block([
            try chain.call(from: 0, "channels", "open", TestContract.putArguments(key: 7, value: [1, 2, 3]), attach: 50_000),
            try chain.call(from: 1, "registry", "put", TestContract.putArguments(key: 1, value: Array("DE 0.05".utf8))),
        ])
        try chain.block([
            try chain.call(from: 2, "channels", "redeem", TestContract.payArguments(to: TestKeys.address(3), amount: 20_000)),
            try chain.transfer(from: 3, to: 0, 5_000),
            try chain.call(from: 1, "channels", "spin", attach: 7, fee: 1_000),
        ])
        try chain.block([try chain.call(from: 0, "channels", "reclaim"), try chain.transfer(from: 2, to: 3, 1)])
        try chain.block([])
        try chain.block([try chain.transfer(from: 1, to: 0, 3), try chain.transfer(from: 1, to: 0, 4)])
        genesis = chain.genesis
        tip = chain.ledger.height
        try chain.store.close()
        directory = chain.directory
    }

    /// A fresh copy of the database in its own directory.
    func copy() throws -> TemporaryDirectory { try Self.copy(directory) }

    static func copy(_ directory: TemporaryDirectory) throws -> TemporaryDirectory {
        let target = TemporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasPrefix(LedgerStore.fileName) {
            try FileManager.default.copyItem(atPath: directory.file(name), toPath: target.file(name))
        }
        return target
    }

    /// Runs the auditor read-only on `directory`.
    static func audit(_ directory: TemporaryDirectory, expectedGenesis: Genesis? = nil) throws -> AuditOutcome {
        let store = try LedgerStore(directory: directory.path, readOnly: true)
        defer { try? store.close() }
        return try ChainAuditor(store: store, expectedGenesis: expectedGenesis).run()
    }

    /// Replaces one blob of one row in the database in `directory`. False when the change would
    /// break a primary key (the flipped key collides with another row's), which no single-row
    /// corruption of this database can produce.
    static func overwrite(_ directory: TemporaryDirectory, table: TamperTable, column: String, row: Row, with bytes: [UInt8]) throws -> Bool {
        let db = try database(directory)
        defer { try? db.close() }
        let condition = table.key.map { "\($0) = ?" }.joined(separator: " AND ")
        let arguments = StatementArguments([Data(bytes).databaseValue] + table.key.map { row[$0] as DatabaseValue })
        do {
            try db.write { try $0.execute(sql: "UPDATE \(table.name) SET \(column) = ? WHERE \(condition)", arguments: arguments) }
            return true
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            return false
        }
    }

    /// Opens the raw SQLite file for tampering.
    static func database(_ directory: TemporaryDirectory) throws -> DatabaseQueue {
        try DatabaseQueue(path: directory.file(LedgerStore.fileName))
    }
}

/// A table's blob columns and how its rows are located.
struct TamperTable: Sendable, CustomTestStringConvertible {
    let name: String
    /// Columns of the primary key.
    let key: [String]
    /// Blob columns to flip.
    let blobs: [String]
    /// The SQL expression of the height a violation must name (nil: it may be 0 or 1).
    let height: String?

    var testDescription: String { name }

    static let all = [
        TamperTable(name: "blocks", key: ["height"], blobs: ["header"], height: "height"),
        TamperTable(name: "transactions", key: ["height", "idx"], blobs: ["tx"], height: "height"),
        TamperTable(name: "receipts", key: ["height", "idx"], blobs: ["receipt"], height: "height"),
        TamperTable(name: "commits", key: ["height"], blobs: ["data"], height: "height"),
        TamperTable(name: "state_changes", key: ["height", "key"], blobs: ["key", "value"], height: "height"),
        TamperTable(name: "state", key: ["key"], blobs: ["key", "value"], height: "height"),
        TamperTable(name: "tx_index", key: ["id"], blobs: ["id"], height: "height"),
        TamperTable(name: "meta", key: ["key"], blobs: ["value"], height: nil),
    ]
}

import Testing
