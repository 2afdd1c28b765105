import DVPNConsensus

/// The consensus engine's tunables (docs/consensus.md, "Engine"). None affects safety.
struct EngineConfiguration: Sendable {
    /// The state machine's timeouts.
    var consensus: ConsensusConfig
    /// How long a proposer with an empty mempool waits before proposing an empty block (round 0
    /// only; later rounds and the first block propose at once). Bounded below the propose timeout
    /// by `networkTimeouts`, so peers do not time out the proposer while it waits.
    var emptyBlockWait: Duration
    /// How often the engine looks at its timers, its mempool (for a waiting proposal) and its peers.
    var tick: Duration = .milliseconds(5)
    /// How often this node tells each peer its height and round (`SyncRequest.status`).
    var statusInterval: Duration = .milliseconds(300)
    /// How often transactions this node published and still holds are flooded again.
    var republishInterval: Duration = .seconds(1)
    /// A peer at our height whose round stays the same this long is sent what we have of the height.
    var catchUpAfter: Duration = .seconds(1)
    /// A peer one height ahead is asked for the block after this long at one height (two or more
    /// heights ahead: at once). Usually the decision arrives by votes first.
    var syncGrace: Duration = .milliseconds(800)
    /// An unanswered block request is given up (and asked of another peer) after this long.
    var syncRequestTimeout: Duration = .seconds(5)
    /// Blocks per request, and the byte budget of one answer (under the 4 MiB frame limit).
    var syncBatch: UInt64 = 50
    var syncResponseBytes = 2 << 20
    /// Messages for the next height kept until we get there, and proposals waiting for blocks.
    var maxBufferedMessages = 4096

    /// One validator: it decides alone, so only the propose timeout could ever fire (if it cannot
    /// build); it must exceed the empty-block wait. A waiting transaction commits within about one
    /// `tick` plus the time to execute and store the block.
    static func solo(emptyBlockInterval: Duration) -> EngineConfiguration {
        let step = ConsensusConfig.TimeoutSchedule(base: .seconds(1), delta: .milliseconds(500))
        return EngineConfiguration(
            consensus: ConsensusConfig(
                propose: .init(base: emptyBlockInterval + .seconds(1), delta: .milliseconds(500)), prevote: step, precommit: step),
            emptyBlockWait: emptyBlockInterval)
    }

    /// Several validators on a LAN or loopback: propose 1 s + 0.5 s·r, prevote and precommit
    /// 0.5 s + 0.25 s·r (CometBFT's defaults are 3 s and 1 s; ours assume fast links and are
    /// still far above loopback delays). An empty block waits at most 0.6 s, within the propose
    /// timeout of the other validators.
    static func network(emptyBlockInterval: Duration) -> EngineConfiguration {
        let step = ConsensusConfig.TimeoutSchedule(base: .milliseconds(500), delta: .milliseconds(250))
        return EngineConfiguration(
            consensus: ConsensusConfig(propose: .init(base: .seconds(1), delta: .milliseconds(500)), prevote: step, precommit: step),
            emptyBlockWait: min(emptyBlockInterval, .milliseconds(600)))
    }
}

/// The engine's clock, injectable for tests: monotonic time since some origin, and sleeping.
protocol EngineClock: Sendable {
    func now() -> Duration
    func sleep(for duration: Duration) async throws
}

/// The real clock.
struct SystemEngineClock: EngineClock {
    private let origin = ContinuousClock.now

    func now() -> Duration { ContinuousClock.now - origin }

    func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
