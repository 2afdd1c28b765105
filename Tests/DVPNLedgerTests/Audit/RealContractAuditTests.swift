import DVPNCrypto
import DVPNLedger
import DVPNTestSupport
import Foundation
import GRDB
import Testing

@Suite("Chain auditor on the real contracts")
struct RealContractAuditTests {
    @Test("a history with an offer and a channel (open, vouchers, close, reclaim) passes, with the channel counts")
    func passes() throws {
        let fixture = RealContractFixture.shared
        let outcome = try AuditFixture.audit(try AuditFixture.copy(fixture.directory), expectedGenesis: fixture.genesis)
        guard case .passed(let report) = outcome else {
            Issue.record("audit failed: \(String(describing: outcome.violation))")
            return
        }
        #expect(report.blocks == fixture.tip)
        #expect(report.channelsOpened == 1)
        #expect(report.channelsRedeemed == 2)
        #expect(report.channelsReclaimed == 1)
        #expect(report.failedTransactions == 2)  // the older and the forged voucher
        #expect(report.paidToOperators == Amount(udvpn: fixture.paid))
        #expect(report.finalSupply.escrow == .zero)
        #expect(try report.finalSupply.total() == fixture.genesis.totalSupply)
    }

    @Test("flipping a byte of any stored row of that history fails the audit at the row's height", arguments: TamperTable.all)
    func flips(_ table: TamperTable) throws {
        let fixture = RealContractFixture.shared
        let original = try AuditFixture.database(try AuditFixture.copy(fixture.directory))
        let selected = (table.key + table.blobs + (table.height.map { [$0] } ?? [])).joined(separator: ", ")
        let rows = try original.read { try Row.fetchAll($0, sql: "SELECT \(selected) FROM \(table.name)") }
        var fuzzer = Fuzzer(seed: 0xA0D1)
        var audits = 0
        for row in rows {
            for column in table.blobs {
                guard let blob = row[column] as Data?, !blob.isEmpty else { continue }
                let offset = fuzzer.next(below: blob.count)
                let copy = try AuditFixture.copy(fixture.directory)
                var bytes = [UInt8](blob)
                bytes[offset] ^= UInt8(1 << fuzzer.next(below: 8))
                guard try AuditFixture.overwrite(copy, table: table, column: column, row: row, with: bytes) else { continue }
                audits += 1
                guard let violation = try AuditFixture.audit(copy).violation else {
                    Issue.record("\(table.name).\(column) byte \(offset) of \(row) was not detected")
                    continue
                }
                if let heightColumn = table.height {
                    #expect(violation.height == UInt64(row[heightColumn] as Int64), "\(table.name).\(column) byte \(offset): \(violation)")
                } else {
                    #expect(violation.height <= 1, "\(table.name).\(column): \(violation)")
                }
            }
        }
        print("tamper (real contracts) \(table.name): \(audits) flips, all detected")
    }
}
