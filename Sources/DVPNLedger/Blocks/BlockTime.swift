/// Proposer-based time (Tendermint PBTS; CometBFT ADR-071 and spec/consensus/proposer-based-timestamp):
/// the proposer stamps its block with its own clock, and validators accept the stamp only when it
/// is *timely*, i.e. consistent with their own clocks within the chain's synchrony bounds. The
/// rules, and why there is no deterministic upper bound, are in docs/ledger.md, "Block time".
///
/// Two kinds of rule:
/// - deterministic, checked on replay by everyone (`Executor.verify`, the auditor): a block's time
///   is strictly after its parent's (`BlockTime.isMonotonic`);
/// - local, checked once by each validator when a fresh proposal arrives, against its own clock
///   (`BlockTime.isTimely`): the consensus engine prevotes nil for an untimely proposal. Under
///   the BFT assumption (more than 2/3 of the power honest, with clocks within `precision` of
///   real time), no block with an untimely time can gather a commit, so every committed time is
///   within `precision + messageDelay` of the real time its proposal was made.
public enum BlockTime {
    /// The deterministic rule: strictly after the parent's time.
    public static func isMonotonic(_ time: Timestamp, parent: Timestamp) -> Bool { time > parent }

    /// PBTS's `timely` predicate: a proposal stamped `proposalTime`, received at `receiveTime` on
    /// this validator's clock in consensus round `round`, is timely when
    ///
    ///     proposalTime − precision ≤ receiveTime ≤ proposalTime + messageDelay(round) + precision
    ///
    /// i.e. not from the future beyond the clocks' skew, and not older than one message delay
    /// plus the skew. It must also satisfy the deterministic rule against `parent`. Only fresh
    /// proposals are judged (Tendermint: when the proposal's valid round is −1); a re-proposal of
    /// a value a quorum already prevoted was judged timely in its first round.
    public static func isTimely(proposalTime: Timestamp, receiveTime: Timestamp, parent: Timestamp,
                                round: UInt32 = 0, bounds: SynchronyBounds = .standard) -> Bool {
        guard isMonotonic(proposalTime, parent: parent) else { return false }
        let proposal = proposalTime.millisecondsSince1970
        let receive = receiveTime.millisecondsSince1970
        let (earliest, o1) = proposal.subtractingReportingOverflow(bounds.precisionMilliseconds)
        let (latest, o2) = proposal.addingReportingOverflow(bounds.messageDelayMilliseconds(round: round))
        let (latestWithSkew, o3) = latest.addingReportingOverflow(bounds.precisionMilliseconds)
        return (o1 || receive >= earliest) && (o2 || o3 || receive <= latestWithSkew)
    }

    /// The time a proposer stamps on a block at `now` on its clock: `now`, or 1 ms after the
    /// parent's time if the clock is behind (then validators' `isTimely` decides whether it is
    /// acceptable: a proposer whose clock lags far behind makes untimely proposals).
    public static func proposalTime(now: Timestamp, parent: Timestamp) -> Timestamp {
        max(now, Timestamp(millisecondsSince1970: parent.millisecondsSince1970 + 1))
    }
}

/// The synchrony bounds of PBTS: how far apart honest clocks may be (`precision`) and how long
/// a proposal may take to reach a validator (`messageDelay`). Not replayed (the timeliness of a
/// past proposal cannot be re-judged), so not part of genesis; every validator should use the
/// same values, or an honest proposal may be prevoted nil by some and delay the round.
public struct SynchronyBounds: Hashable, Sendable {
    /// Largest difference between two honest clocks (PBTS `PRECISION`).
    public var precisionMilliseconds: UInt64
    /// Largest end-to-end delay of a proposal in round 0 (PBTS `MSGDELAY`).
    public var messageDelayMilliseconds: UInt64

    public init(precisionMilliseconds: UInt64, messageDelayMilliseconds: UInt64) {
        self.precisionMilliseconds = precisionMilliseconds
        self.messageDelayMilliseconds = messageDelayMilliseconds
    }

    /// 500 ms of clock skew (NTP-disciplined hosts keep far tighter) and 3 s of message delay.
    public static let standard = SynchronyBounds(precisionMilliseconds: 500, messageDelayMilliseconds: 3_000)

    /// The message delay allowed in `round`: it grows by 10% a round (as CometBFT's), so that if
    /// the bound was too tight, a later round's proposal becomes timely and the chain stays live.
    public func messageDelayMilliseconds(round: UInt32) -> UInt64 {
        var delay = messageDelayMilliseconds
        for _ in 0..<min(round, 200) {
            let (grown, overflow) = delay.addingReportingOverflow(delay / 10 + 1)
            if overflow { return .max }
            delay = grown
        }
        return delay
    }
}
