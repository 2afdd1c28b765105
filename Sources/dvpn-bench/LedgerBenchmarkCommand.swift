import ArgumentParser
import Foundation

/// `dvpn-bench ledger`: transfers applied, channel redeems through the contract engine and the
/// auditor's verified transactions per second, each beside the bound that Schnorr verification
/// speed on this machine sets.
struct LedgerBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Measure ledger throughput against the Schnorr verification bound.")

    @Option(help: "Transfers to apply.") var transfers = 10_000
    @Option(help: "Channel redeems to apply.") var redeems = 4_000
    @Option(help: "Seconds to measure Schnorr verification.") var seconds: Double = 2.0
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard transfers > 0, redeems > 0 else { throw ValidationError("--transfers and --redeems must be positive") }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be positive") }
    }

    struct Row: Encodable {
        let benchmark: String
        let transactions: Int
        let perSecond: Double
        let signaturesPerTransaction: Double
        let boundPerSecond: Double
        let ratio: Double

        init(benchmark: String, transactions: Int, perSecond: Double, signaturesPerTransaction: Double, boundPerSecond: Double) {
            self.benchmark = benchmark
            self.transactions = transactions
            self.perSecond = perSecond
            self.signaturesPerTransaction = signaturesPerTransaction
            self.boundPerSecond = boundPerSecond
            ratio = perSecond / boundPerSecond
        }
    }

    func run() throws {
        Progress.line("[1/4] Schnorr (BIP340) verify, \(seconds) s")
        let verifies = try LedgerBench.schnorrVerificationsPerSecond(seconds: seconds)
        let bench = try LedgerBench()
        defer { bench.remove() }
        Progress.line("[2/4] \(transfers) transfers")
        let transferRate = try bench.transfers(count: transfers)
        Progress.line("[3/4] \(redeems) channel redeems")
        let redeemRate = try bench.redeems(count: redeems)
        Progress.line("[4/4] audit of the whole chain")
        let audit = try bench.audit()
        // Signatures the audited chain holds per transaction: one each, plus the voucher of every redeem.
        let auditSignatures = Double(audit.transactions + UInt64(redeems)) / Double(max(audit.transactions, 1))
        let rows = [
            Row(benchmark: "transfers applied", transactions: transfers, perSecond: transferRate,
                signaturesPerTransaction: 1, boundPerSecond: verifies),
            Row(benchmark: "channel redeems (contract engine)", transactions: redeems, perSecond: redeemRate,
                signaturesPerTransaction: 2, boundPerSecond: verifies / 2),
            Row(benchmark: "auditor verified transactions", transactions: Int(audit.transactions), perSecond: audit.perSecond,
                signaturesPerTransaction: auditSignatures, boundPerSecond: verifies / auditSignatures),
        ]
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(["schnorrVerifiesPerSecond": verifies]), as: UTF8.self))
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        print("Ledger (release build; wall time, one thread; SQLite store in a temporary directory, WAL, synchronous=FULL)")
        print("Schnorr (BIP340) verify: \(Self.rate(verifies)) verifications/s")
        let header = ["benchmark", "transactions", "ours (tx/s)", "signatures/tx", "bound (tx/s)", "ours/bound"]
        let cells = rows.map {
            [$0.benchmark, String($0.transactions), Self.rate($0.perSecond), String(format: "%.2f", $0.signaturesPerTransaction),
             Self.rate($0.boundPerSecond), String(format: "%.2fx", $0.ratio)]
        }
        let widths = header.indices.map { i in ([header] + cells).map { $0[i].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.indices.map { i in
                i == 0 ? row[i].padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - row[i].count) + row[i]
            }.joined(separator: "   ")
        }
        print(line(header))
        print(line(widths.map { String(repeating: "-", count: $0) }))
        for row in cells { print(line(row)) }
    }

    static func rate(_ value: Double) -> String { String(Int(value.rounded())) }
}
