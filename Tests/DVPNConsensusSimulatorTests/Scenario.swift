import DVPNTestSupport

/// The faults of one seeded run, drawn up front from the seed so that the run is reproducible.
/// Times are virtual milliseconds.
struct Scenario: CustomStringConvertible {
    var seed: UInt64
    var powers: [UInt64]
    /// The one equivocating validator (double votes, double proposals), or nil.
    var byzantine: Int?
    /// Until `healTime` the network delays up to `maxDelayBeforeHeal`, drops, duplicates and
    /// partitions; afterwards every message between live nodes arrives within 1-40 ms.
    var healTime: UInt64
    var maxDelayBeforeHeal: UInt64
    var dropOneIn: Int
    var duplicateOneIn: Int
    /// Intervals during which the validators in `side` hear only each other.
    var partitions: [(start: UInt64, end: UInt64, side: Set<Int>)]
    /// Honest validators that crash and restart from their WAL, all before `healTime`.
    var crashes: [(node: Int, at: UInt64, restartAt: UInt64, tearWAL: Bool)]
    /// Heights every honest validator must reach after the heal, and the virtual time allowed.
    var heightsAfterHeal: UInt64
    var livenessBound: UInt64

    var f: Int { (powers.count - 1) / 3 }

    /// `chaosScale` stretches the time before the heal (the planted-bug search uses longer chaos).
    init(seed: UInt64, validatorCount n: Int, unequalPowers: Bool, chaosScale: UInt64 = 1) {
        var rng = Fuzzer(seed: seed)
        self.seed = seed
        // Unequal powers are redrawn until no validator holds a third or more: BFT needs more
        // than one validator's power for a quorum, or one validator decides alone.
        var drawn: [UInt64] = []
        repeat {
            drawn = (0..<n).map { _ in unequalPowers ? UInt64(1 + rng.next(below: 10)) : 10 }
        } while 3 * (drawn.max() ?? 0) >= drawn.reduce(0, +)
        powers = drawn
        healTime = UInt64(1_500 + rng.next(below: 4_500)) * chaosScale
        maxDelayBeforeHeal = UInt64(50 + rng.next(below: 1_200))
        dropOneIn = 3 + rng.next(below: 10)
        duplicateOneIn = 3 + rng.next(below: 10)
        heightsAfterHeal = 3
        livenessBound = 120_000
        partitions = []
        crashes = []
        byzantine = nil

        var order = Array(0..<n)
        for i in order.indices.reversed() { order.swapAt(i, rng.next(below: i + 1)) }
        if !rng.oneIn(8) {
            byzantine = order[0]
        }
        // Crashed validators are honest (they restart from WAL and sign guard), so they do not
        // count against f for safety; for liveness all of them are back before the heal.
        let crashCount = rng.next(below: f + 1)
        for index in 1..<(1 + crashCount) where index < order.count {
            let at = UInt64(rng.next(below: Int(healTime)))
            let restart = at + UInt64(rng.next(below: Int(healTime - at) + 1))
            crashes.append((order[index], at, restart, rng.oneIn(2)))
        }
        let partitionCount = rng.next(below: 3)
        for _ in 0..<partitionCount {
            let start = UInt64(rng.next(below: Int(healTime)))
            let end = start + UInt64(rng.next(below: Int(healTime - start) + 1))
            var side = Set<Int>()
            for i in 0..<n where rng.oneIn(2) { side.insert(i) }
            partitions.append((start, end, side))
        }
    }

    var description: String {
        "seed \(seed): powers \(powers), byzantine \(byzantine.map(String.init) ?? "none"), heal at \(healTime) ms, "
            + "\(partitions.count) partitions, crashes \(crashes.map { "\($0.node)@\($0.at)-\($0.restartAt)\($0.tearWAL ? " torn" : "")" })"
    }
}
