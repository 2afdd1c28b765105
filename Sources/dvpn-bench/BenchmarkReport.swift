import Foundation

/// A measured row, with the reference's rate when the reference measured the same thing.
struct BenchmarkResult {
    let benchmark: Benchmark
    let operationsPerSecond: Double
    /// The reference's MB/s for this row.
    let reference: Double?

    /// MB/s (10^6 bytes per second) for throughput rows, nil for operation rows.
    var megabytesPerSecond: Double? {
        guard case .bytes(let size) = benchmark.unit else { return nil }
        return operationsPerSecond * Double(size) / 1e6
    }

    var ratio: Double? {
        guard let ours = megabytesPerSecond, let reference, reference > 0 else { return nil }
        return ours / reference
    }

    var oursText: String {
        if let mbs = megabytesPerSecond { return String(format: "%.1f MB/s", mbs) }
        return String(format: "%.0f ops/s", operationsPerSecond)
    }
}

/// The reference measurements: `{"implementation": "...", "rates": {"blake2s/64": 290.1, ...}}`
/// (MB/s per row key).
struct ReferenceResults: Decodable {
    let implementation: String
    let rates: [String: Double]

    static func load(path: String) throws -> ReferenceResults {
        try JSONDecoder().decode(ReferenceResults.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// The output: an aligned table for people, or JSON for machines.
struct BenchmarkReport: Encodable {
    struct Row: Encodable {
        let name: String
        let unit: String
        let ours: Double
        let reference: Double?
        let ratio: Double?
    }

    let seconds: Double
    let reference: String?
    let rows: [Row]
    /// The XOR of the benchmark bodies' witnesses; reported so that the measured work is used.
    let witness: UInt64

    init(seconds: Double, reference: String?, results: [BenchmarkResult], witness: UInt64) {
        self.seconds = seconds
        self.reference = reference
        self.witness = witness
        rows = results.map { r in
            Row(
                name: r.benchmark.name, unit: r.megabytesPerSecond == nil ? "ops/s" : "MB/s",
                ours: r.megabytesPerSecond ?? r.operationsPerSecond, reference: r.reference, ratio: r.ratio)
        }
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Name left-aligned, numbers right-aligned, `-` where there is no reference.
    static func table(_ results: [BenchmarkResult], seconds: Double, referenceName: String?) -> String {
        let header = ["benchmark", "ours", referenceName ?? "reference", "ours/reference"]
        let rows = results.map { r in
            [
                r.benchmark.name, r.oursText,
                r.reference.map { String(format: "%.1f MB/s", $0) } ?? "-",
                r.ratio.map { String(format: "%.2fx", $0) } ?? "-",
            ]
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.indices.map { c in
                let pad = String(repeating: " ", count: widths[c] - cells[c].count)
                return c == 0 ? cells[c] + pad : pad + cells[c]
            }.joined(separator: "   ")
        }
        let title = String(format: "Crypto (release build; %.1f s per row, median of 5 batches)", seconds)
        return ([title, line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line))
            .joined(separator: "\n")
    }
}
