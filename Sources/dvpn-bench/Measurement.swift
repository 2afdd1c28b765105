/// Times a benchmark body. The body performs `n` operations and returns a value derived from
/// their outputs (its "witness"), which is folded into the report so that the optimiser cannot
/// drop the work.
enum Measurement {
    /// Operations per second: the median of `batches` batches, each sized (after a calibration
    /// run) to take about `seconds / batches`.
    static func operationsPerSecond(
        seconds: Double, batches: Int = 5, _ body: (Int) -> UInt64
    ) -> (rate: Double, witness: UInt64) {
        var witness: UInt64 = 0
        var count = 1
        var elapsed = 0.0
        // Calibrate: double the count until one run takes at least 20 ms.
        while true {
            elapsed = time { witness ^= body(count) }
            if elapsed >= 0.02 || count >= 1 << 40 { break }
            count *= 2
        }
        let perBatch = max(1, Int(Double(count) * seconds / Double(batches) / elapsed))
        var rates: [Double] = []
        for _ in 0..<batches {
            let t = time { witness ^= body(perBatch) }
            rates.append(Double(perBatch) / t)
        }
        rates.sort()
        return (rates[rates.count / 2], witness)
    }

    private static func time(_ body: () -> Void) -> Double {
        let duration = ContinuousClock().measure(body)
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
