import ArgumentParser
import DVPNNode
import Foundation

/// `dvpn-bench vouchers`: vouchers per second the operator verifies and persists (its intake path,
/// `VoucherIntakeBenchmark`), beside the Schnorr verification bound of this machine (one signature
/// per voucher). Scripts/bench/market.sh prints it with the testbed's numbers.
struct VoucherBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vouchers",
        abstract: "Measure the vouchers per second an operator verifies and persists (SQLite, fsync each).")

    @Option(help: "Vouchers to take.") var vouchers = 5_000
    @Option(help: "Channels they are spread over (one payer each).") var channels = 16
    @Option(help: "Seconds to measure Schnorr verification.") var seconds: Double = 2.0
    @Flag(help: "Print JSON instead of a line.") var json = false

    func validate() throws {
        guard vouchers > 0, channels > 0 else { throw ValidationError("--vouchers and --channels must be positive") }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be positive") }
    }

    struct Report: Encodable {
        let vouchers: Int
        let channels: Int
        let perSecond: Double
        let schnorrVerifiesPerSecond: Double
        let ratio: Double
    }

    func run() throws {
        Progress.line("[1/2] Schnorr (BIP340) verify, \(seconds) s")
        let verifies = try LedgerBench.schnorrVerificationsPerSecond(seconds: seconds)
        Progress.line("[2/2] \(vouchers) vouchers over \(channels) channels")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-voucher-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let elapsed = try VoucherIntakeBenchmark.run(vouchers: vouchers, channels: channels, directory: directory.path)
        let perSecond = Double(vouchers) / LedgerBench.seconds(elapsed)
        let report = Report(
            vouchers: vouchers, channels: channels, perSecond: perSecond, schnorrVerifiesPerSecond: verifies,
            ratio: perSecond / verifies)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print(String(
            format: "vouchers verified and persisted: %.0f/s (%d over %d channels, one fsync each); Schnorr verify bound %.0f/s; ratio %.2fx",
            report.perSecond, vouchers, channels, verifies, report.ratio))
    }
}
