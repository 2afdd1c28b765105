/// Tunables of one validator's state machine. None of them affects safety; all must be equal on
/// a network only for liveness to be predictable.
public struct ConsensusConfig: Hashable, Sendable {
    /// `timeoutX(r) = base + delta · r` (the paper, section "Termination": timeouts grow with the
    /// round so that after GST they eventually exceed the message delay).
    public struct TimeoutSchedule: Hashable, Sendable {
        public var base: Duration
        public var delta: Duration

        public init(base: Duration, delta: Duration) {
            self.base = base
            self.delta = delta
        }

        /// The timeout for `round`.
        public func duration(round: UInt32) -> Duration {
            base + delta * Int(round)
        }
    }

    public var propose: TimeoutSchedule
    public var prevote: TimeoutSchedule
    public var precommit: TimeoutSchedule
    /// How many rounds ahead of the current one votes and proposals are kept (for line 55's round
    /// skip and for rounds entered later). Messages further ahead are dropped; gossip delivers them
    /// again once this validator gets closer. Bounds memory against a validator spamming rounds.
    public var maxFutureRounds: UInt32

    public init(propose: TimeoutSchedule, prevote: TimeoutSchedule, precommit: TimeoutSchedule, maxFutureRounds: UInt32 = 16) {
        self.propose = propose
        self.prevote = prevote
        self.precommit = precommit
        self.maxFutureRounds = maxFutureRounds
    }

    /// CometBFT's defaults: propose 3 s + 0.5 s/round, prevote and precommit 1 s + 0.5 s/round.
    public static let standard = ConsensusConfig(
        propose: TimeoutSchedule(base: .seconds(3), delta: .milliseconds(500)),
        prevote: TimeoutSchedule(base: .seconds(1), delta: .milliseconds(500)),
        precommit: TimeoutSchedule(base: .seconds(1), delta: .milliseconds(500))
    )

    /// The timeout for `step` in `round`.
    public func timeout(_ step: Step, round: UInt32) -> Duration {
        switch step {
        case .propose: propose.duration(round: round)
        case .prevote: prevote.duration(round: round)
        case .precommit: precommit.duration(round: round)
        }
    }
}
