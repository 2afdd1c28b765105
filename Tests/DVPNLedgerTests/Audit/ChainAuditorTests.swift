import DVPNCrypto
import DVPNLedger
import Foundation
import GRDB
import Testing

@Suite("Chain auditor")
struct ChainAuditorTests {
    @Test("an untouched chain passes, with counts from the replay")
    func passes() throws {
        let fixture = AuditFixture.shared
        let copy = try fixture.copy()
        var progress: [UInt64] = []
        let store = try LedgerStore(directory: copy.path, readOnly: true)
        let outcome = try ChainAuditor(store: store, expectedGenesis: fixture.genesis).run { progress.append($0.height) }
        guard case .passed(let report) = outcome else {
            Issue.record("audit failed: \(String(describing: outcome.violation))")
            return
        }
        #expect(progress == Array(1...fixture.tip))
        #expect(report.blocks == 6)
        #expect(report.transactions == 11)
        #expect(report.contractCalls == 5)
        #expect(report.failedTransactions == 1)
        #expect(report.channelsOpened == 1)
        #expect(report.channelsRedeemed == 1)
        #expect(report.channelsReclaimed == 1)
        #expect(report.paidToOperators == Amount(udvpn: 20_000))
        #expect(report.feesBurned == Amount(udvpn: 11_000))
        #expect(try report.finalSupply.total() == fixture.genesis.totalSupply)
        #expect(report.finalSupply.escrow == .zero)  // the reclaim emptied the channel
        #expect(try report.stateRoot == store.header(at: fixture.tip)?.stateRoot)
    }

    @Test("another expected genesis fails at height 0")
    func wrongGenesis() throws {
        let other = TestGenesis.make(balances: [(0, 5)])
        let outcome = try AuditFixture.audit(try AuditFixture.shared.copy(), expectedGenesis: other)
        #expect(outcome.violation?.height == 0)
        #expect(outcome.violation?.rule == .genesisMismatch)
    }

    /// Flips one bit at `offset` of a blob column of one row, then audits.
    static func flip(_ table: TamperTable, column: String, row: Row, offset: (Int) -> Int) throws -> (expected: UInt64?, outcome: AuditOutcome)? {
        let copy = try AuditFixture.shared.copy()
        guard let blob = row[column] as Data?, !blob.isEmpty else { return nil }
        var bytes = [UInt8](blob)
        bytes[offset(bytes.count)] ^= 0x01
        guard try AuditFixture.overwrite(copy, table: table, column: column, row: row, with: bytes) else { return nil }
        let expected = table.height.map { UInt64(row[$0] as Int64) }
        return (expected, try AuditFixture.audit(copy))
    }

    @Test("flipping a byte anywhere in any stored row fails the audit at that row's height", arguments: TamperTable.all)
    func flips(_ table: TamperTable) throws {
        let original = try AuditFixture.database(try AuditFixture.shared.copy())
        let selected = (table.key + table.blobs + (table.height.map { [$0] } ?? [])).joined(separator: ", ")
        let rows = try original.read { try Row.fetchAll($0, sql: "SELECT \(selected) FROM \(table.name)") }
        #expect(!rows.isEmpty)
        var audits = 0
        for row in rows {
            for column in table.blobs {
                for offset: (Int) -> Int in [{ _ in 0 }, { $0 / 2 }, { $0 - 1 }] {
                    guard let (expected, outcome) = try Self.flip(table, column: column, row: row, offset: offset) else { continue }
                    audits += 1
                    guard let violation = outcome.violation else {
                        Issue.record("\(table.name).\(column) flip in \(row) was not detected")
                        continue
                    }
                    if let expected {
                        #expect(violation.height == expected, "\(table.name).\(column) in \(row): \(violation)")
                    } else {
                        #expect(violation.height <= 1, "\(table.name).\(column): \(violation)")
                    }
                }
            }
        }
        print("tamper \(table.name): \(audits) flips, all detected")
    }

    @Test("every single byte of one block header, one transaction and one commit is covered")
    func everyByte() throws {
        let tables = [("blocks", "header", "height = 3"), ("transactions", "tx", "height = 3 AND idx = 0"), ("commits", "data", "height = 3")]
        for (name, column, condition) in tables {
            let table = TamperTable.all.first { $0.name == name }!
            let original = try AuditFixture.database(try AuditFixture.shared.copy())
            let row = try #require(try original.read { try Row.fetchOne($0, sql: "SELECT * FROM \(name) WHERE \(condition)") })
            let count = (row[column] as Data).count
            for i in 0..<count {
                let (_, outcome) = try #require(try Self.flip(table, column: column, row: row) { _ in i })
                #expect(outcome.violation?.height == 3, "\(name) byte \(i): \(String(describing: outcome.violation))")
            }
        }
    }

    @Test("moving a row to another height is detected at the lower of the two heights")
    func moves() throws {
        for (table, condition, from, to) in [("transactions", "height = 2 AND idx = 1", 2, 5), ("receipts", "height = 3 AND idx = 0", 3, 5),
                                             ("state_changes", "height = 4 AND key = (SELECT MIN(key) FROM state_changes WHERE height = 4)", 4, 5), ("commits", "height = 6", 6, 7)] {
            let copy = try AuditFixture.shared.copy()
            let db = try AuditFixture.database(copy)
            try db.write { try $0.execute(sql: "UPDATE \(table) SET height = \(to) WHERE \(condition)") }
            try db.close()
            let violation = try #require(try AuditFixture.audit(copy).violation)
            #expect(violation.height == UInt64(min(from, to)), "\(table): \(violation)")
        }
    }

    @Test("deleting a block is detected at its height", arguments: [1, 3, 6])
    func deletion(_ height: Int) throws {
        let copy = try AuditFixture.shared.copy()
        let db = try AuditFixture.database(copy)
        try db.write { try $0.execute(sql: "DELETE FROM blocks WHERE height = ?", arguments: [height]) }
        try db.close()
        let violation = try #require(try AuditFixture.audit(copy).violation)
        #expect(violation.height == UInt64(height))
        #expect(violation.rule == .missingBlock)
    }

    @Test("deleting a whole block with all its rows is detected", arguments: [3, 6])
    func wholeDeletion(_ height: Int) throws {
        let copy = try AuditFixture.shared.copy()
        let db = try AuditFixture.database(copy)
        try db.write { db in
            for table in ["blocks", "transactions", "receipts", "commits", "state_changes", "tx_index"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE height = ?", arguments: [height])
            }
        }
        try db.close()
        let violation = try #require(try AuditFixture.audit(copy).violation)
        // The last block's removal leaves the state table ahead of the chain; an inner one breaks the links.
        #expect(violation.height == UInt64(height), "\(violation)")
    }

    @Test("swapping two blocks is detected at the lower height", arguments: [(1, 2), (2, 5), (4, 6)])
    func swap(_ pair: (Int, Int)) throws {
        let copy = try AuditFixture.shared.copy()
        let db = try AuditFixture.database(copy)
        try db.write { db in
            let a = try Data.fetchOne(db, sql: "SELECT header FROM blocks WHERE height = ?", arguments: [pair.0])!
            let b = try Data.fetchOne(db, sql: "SELECT header FROM blocks WHERE height = ?", arguments: [pair.1])!
            try db.execute(sql: "UPDATE blocks SET header = ? WHERE height = ?", arguments: [b, pair.0])
            try db.execute(sql: "UPDATE blocks SET header = ? WHERE height = ?", arguments: [a, pair.1])
        }
        try db.close()
        let violation = try #require(try AuditFixture.audit(copy).violation)
        #expect(violation.height == UInt64(pair.0), "\(violation)")
    }
}
