import ArgumentParser
import Foundation

/// `dvpn-bench crypto`: BLAKE2s against CPython's `hashlib.blake2s`, ChaCha20-Poly1305 on
/// WireGuard-sized packets, X25519 and Schnorr sign/verify, in one table.
struct CryptoBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Measure the DVPNCrypto primitives; compare BLAKE2s with a reference.")

    @Option(help: "Seconds to spend measuring each row (ours; the reference takes as long again).")
    var seconds: Double = 1.0

    @Option(help: "Batches per row; the median batch is reported.")
    var batches: Int = 9

    @Option(help: "BLAKE2s buffer sizes in bytes, comma separated.")
    var sizes: String = "64,1024,1048576"

    @Option(help: ArgumentHelp(
        "Command that measures the reference for rows that have one (Scripts/bench/crypto.sh passes CPython).",
        discussion: "Called as `<command> blake2s <size> <seconds>` before each of our batches; it times one batch of about <seconds> and prints {\"implementation\": ..., \"megabytesPerSecond\": ...}."))
    var referenceCommand: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
        guard (1...1000).contains(batches) else { throw ValidationError("--batches must be 1...1000") }
        guard parsedSizes != nil else { throw ValidationError("--sizes must be positive integers separated by commas") }
    }

    private var parsedSizes: [Int]? {
        let values = sizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.compactMap { $0 }
    }

    func run() throws {
        let reference = referenceCommand.map { ReferenceRunner(command: $0) }
        let cases = try CryptoBenchmarks.cases(blake2sSizes: parsedSizes ?? [])
        let batchSeconds = seconds / Double(batches)
        var results: [BenchmarkResult] = []
        var referenceName: String?
        var witness: UInt64 = 0
        for (index, benchmark) in cases.enumerated() {
            Progress.line("[\(index + 1)/\(cases.count)] \(benchmark.name)")
            var timer = try Measurement(calibrating: benchmark.run, batchSeconds: batchSeconds)
            var ours: [Double] = []
            var theirs: [Double] = []
            // With a reference, its batches alternate with ours (in the order R O O R R O …, so
            // neither side always goes first), and each pair sees the same machine load.
            for pair in 0..<batches {
                let oursFirst = pair % 2 == 1
                if oursFirst { ours.append(try timer.batch()) }
                if let reference, let arguments = benchmark.referenceArguments {
                    let measured = try reference.measure(arguments: arguments, seconds: batchSeconds)
                    theirs.append(measured.megabytesPerSecond)
                    referenceName = measured.implementation
                }
                if !oursFirst { ours.append(try timer.batch()) }
            }
            witness ^= timer.witness
            let result = BenchmarkResult(
                benchmark: benchmark, operationsPerSecond: Measurement.median(ours),
                reference: theirs.isEmpty ? nil : Measurement.median(theirs),
                ratio: ratio(ours: ours, theirs: theirs, unit: benchmark.unit))
            Progress.line("       ours: \(result.oursText)" + (result.referenceText.map { ", reference: \($0)" } ?? ""))
            results.append(result)
        }
        if json {
            print(BenchmarkReport(
                seconds: seconds, batches: batches, reference: referenceName, results: results, witness: witness
            ).json)
        } else {
            print(BenchmarkReport.table(results, seconds: seconds, batches: batches, referenceName: referenceName))
        }
    }

    /// The median of ours/theirs over batch pairs taken back to back (nil without a reference).
    private func ratio(ours: [Double], theirs: [Double], unit: Benchmark.Unit) -> Double? {
        guard !theirs.isEmpty, theirs.count == ours.count, case .bytes(let size) = unit else { return nil }
        let pairs = zip(ours, theirs).map { ours, theirs in ours * Double(size) / 1e6 / theirs }
        return Measurement.median(pairs)
    }
}

/// Progress for the long parts goes to standard error, so standard output stays the table.
enum Progress {
    static func line(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
