import ArgumentParser
import Foundation

/// `dvpn-bench crypto`: BLAKE2s against CPython's `hashlib.blake2s`, ChaCha20-Poly1305 on
/// WireGuard-sized packets, X25519 and (once it lands) Schnorr, in one table.
struct CryptoBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Measure the DVPNCrypto primitives; compare BLAKE2s with a reference.")

    @Option(help: "Seconds to spend measuring each row (split into 5 batches; the median is reported).")
    var seconds: Double = 1.0

    @Option(help: "BLAKE2s buffer sizes in bytes, comma separated.")
    var sizes: String = "64,1024,1048576"

    @Option(help: "JSON file with the reference's BLAKE2s MB/s per buffer size (Scripts/bench/crypto.sh writes it).")
    var reference: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
        guard parsedSizes != nil else { throw ValidationError("--sizes must be positive integers separated by commas") }
    }

    private var parsedSizes: [Int]? {
        let values = sizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.compactMap { $0 }
    }

    func run() throws {
        let referenceResults = try reference.map { path in
            do {
                return try ReferenceResults.load(path: path)
            } catch {
                throw ValidationError("cannot read the reference results in \(path): \(error.localizedDescription)")
            }
        }
        let cases = CryptoBenchmarks.cases(blake2sSizes: parsedSizes ?? [])
        var results: [BenchmarkResult] = []
        var witness: UInt64 = 0
        for (index, benchmark) in cases.enumerated() {
            Progress.line("[\(index + 1)/\(cases.count)] \(benchmark.name)")
            let measured = Measurement.operationsPerSecond(seconds: seconds, benchmark.run)
            witness ^= measured.witness
            let result = BenchmarkResult(
                benchmark: benchmark, operationsPerSecond: measured.rate,
                reference: benchmark.referenceKey.flatMap { referenceResults?.rates[$0] })
            Progress.line("       \(result.oursText)")
            results.append(result)
        }
        if json {
            print(BenchmarkReport(
                seconds: seconds, reference: referenceResults?.implementation, results: results, witness: witness
            ).json)
        } else {
            print(BenchmarkReport.table(results, seconds: seconds, referenceName: referenceResults?.implementation))
        }
    }
}

/// Progress for the long parts goes to standard error, so standard output stays the table.
enum Progress {
    static func line(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
