import DVPNLedger

/// What `ConsensusState.handle(_:)` asks its driver to do, in order.
public enum ConsensusOutput: Hashable, Sendable {
    /// Sign (through `SignGuard`), send to every peer and deliver back to this state machine.
    case broadcast(UnsignedMessage)
    /// Deliver `.timeout(timeout)` after `after` has elapsed (lines 21, 35, 48). Timeouts are
    /// never cancelled: a stale one is ignored when it fires.
    case scheduleTimeout(Timeout, after: Duration)
    /// getValue() (line 18): build a block for (height, round) and answer with
    /// `.proposalValue`.
    case requestProposalValue(height: UInt64, round: UInt32)
    /// decision_p[h_p] = v (line 51): apply the block, then send `.blockApplied`.
    case decide(Decision)
    /// A validator signed two different votes for one (height, round, kind).
    case evidence(Evidence)
}

/// A decided block and the proof that it is final.
public struct Decision: Hashable, Sendable {
    public var height: UInt64
    public var round: UInt32
    public var blockHash: Hash256
    /// The >2/3 precommits this validator holds for the block (line 49), as the ledger stores them.
    public var commit: Commit

    public init(height: UInt64, round: UInt32, blockHash: Hash256, commit: Commit) {
        self.height = height
        self.round = round
        self.blockHash = blockHash
        self.commit = commit
    }
}
