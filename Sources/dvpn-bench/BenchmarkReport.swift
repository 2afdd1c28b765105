import Foundation

/// A measured row, with the reference's rate when the reference measured the same thing.
struct BenchmarkResult {
    let benchmark: Benchmark
    /// The median of our batches.
    let operationsPerSecond: Double
    /// The reference's MB/s for this row: the median of its batches.
    let reference: Double?
    /// ours / reference: the median over the adjacent (reference batch, our batch) pairs, which
    /// cancels load changes between pairs better than a ratio of the two medians.
    let ratio: Double?

    /// MB/s (10^6 bytes per second) for throughput rows, nil for operation rows.
    var megabytesPerSecond: Double? {
        guard case .bytes(let size) = benchmark.unit else { return nil }
        return operationsPerSecond * Double(size) / 1e6
    }

    var referenceText: String? {
        reference.map { String(format: "%.1f MB/s", $0) }
    }

    var oursText: String {
        if let mbs = megabytesPerSecond { return String(format: "%.1f MB/s", mbs) }
        return String(format: "%.0f ops/s", operationsPerSecond)
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
    let batches: Int
    let reference: String?
    let rows: [Row]
    /// The XOR of the benchmark bodies' witnesses; reported so that the measured work is used.
    let witness: UInt64

    init(seconds: Double, batches: Int, reference: String?, results: [BenchmarkResult], witness: UInt64) {
        self.seconds = seconds
        self.batches = batches
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
    static func table(_ results: [BenchmarkResult], seconds: Double, batches: Int, referenceName: String?) -> String {
        let header = ["benchmark", "ours", referenceName ?? "reference", "ours/reference"]
        let rows = results.map { r in
            [
                r.benchmark.name, r.oursText,
                r.referenceText ?? "-",
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
        let title = String(
            format: "Crypto (release build; per second of thread CPU time; %.1f s per row in %d batches, medians; ratio = median of adjacent reference/ours batch pairs)",
            seconds, batches)
        return ([title, line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line))
            .joined(separator: "\n")
    }
}
