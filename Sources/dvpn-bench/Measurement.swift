#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Times a benchmark body in batches. The body performs `n` operations and returns a value
/// derived from their outputs (its "witness"), which is folded into the report so that the
/// optimiser cannot drop the work.
struct Measurement {
    private let body: (Int) throws -> UInt64
    /// Operations per batch, chosen by calibration so that a batch takes about the asked time.
    private let perBatch: Int
    private(set) var witness: UInt64 = 0

    /// Calibrates: doubles the count until one run takes at least 20 ms, then sizes a batch to
    /// take about `batchSeconds`.
    init(calibrating body: @escaping (Int) throws -> UInt64, batchSeconds: Double) throws {
        self.body = body
        var count = 1
        var elapsed = 0.0
        var witness: UInt64 = 0
        while true {
            elapsed = try Self.time { witness ^= try body(count) }
            if elapsed >= 0.02 || count >= 1 << 40 { break }
            count *= 2
        }
        perBatch = max(1, Int(Double(count) * batchSeconds / elapsed))
        self.witness = witness
    }

    /// Runs one batch and returns its operations per second.
    mutating func batch() throws -> Double {
        var result: UInt64 = 0
        let n = perBatch
        let body = body
        let elapsed = try Self.time { result = try body(n) }
        witness ^= result
        return Double(n) / elapsed
    }

    static func median(_ values: [Double]) -> Double {
        precondition(!values.isEmpty)
        return values.sorted()[values.count / 2]
    }

    /// The CPU time this thread spends in `body`. Thread CPU time rather than wall time, because
    /// the benchmarks are single-threaded and the machine may be shared: time spent descheduled
    /// while other processes run is not ours and would make the numbers (and the ratio to a
    /// reference timed the same way) depend on the neighbours.
    private static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = threadCPUSeconds()
        try body()
        return threadCPUSeconds() - start
    }

    private static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }
}
