import DVPNLedger
import Testing

/// Proposer-based time (docs/ledger.md, "Block time"): the deterministic rule and the local
/// timeliness predicate consensus uses to prevote nil.
@Suite("Block time")
struct BlockTimeTests {
    func t(_ ms: UInt64) -> Timestamp { Timestamp(millisecondsSince1970: ms) }
    let bounds = SynchronyBounds(precisionMilliseconds: 500, messageDelayMilliseconds: 2_000)
    let parent = Timestamp(millisecondsSince1970: 1_000_000)

    @Test("a proposal is timely within precision before and precision + message delay after its time")
    func timeliness() {
        let proposal = t(2_000_000)
        func timely(_ receive: UInt64, round: UInt32 = 0) -> Bool {
            BlockTime.isTimely(proposalTime: proposal, receiveTime: t(receive), parent: parent, round: round, bounds: bounds)
        }
        #expect(timely(2_000_000))
        #expect(timely(1_999_500))            // our clock is 500 ms behind the proposer's
        #expect(!timely(1_999_499))           // the proposal is from our future beyond the skew
        #expect(timely(2_002_500))            // 2 s delay + 500 ms skew
        #expect(!timely(2_002_501))           // too old: a proposer stamping a stale time
        #expect(timely(2_002_800, round: 3))  // the delay grows with the round, for liveness
        #expect(!timely(2_100_000, round: 3))
    }

    @Test("a proposal not after its parent is never timely; replay checks only monotonicity")
    func monotonic() {
        #expect(!BlockTime.isTimely(proposalTime: parent, receiveTime: parent, parent: parent, bounds: bounds))
        #expect(BlockTime.isMonotonic(t(1_000_001), parent: parent))
        #expect(!BlockTime.isMonotonic(parent, parent: parent))
        #expect(BlockTime.proposalTime(now: t(5), parent: parent) == t(1_000_001))
        #expect(BlockTime.proposalTime(now: t(3_000_000), parent: parent) == t(3_000_000))
    }

    @Test("extreme times do not overflow")
    func extremes() {
        let late = t(.max - 10)
        #expect(BlockTime.isTimely(proposalTime: late, receiveTime: late, parent: t(0), bounds: bounds))
        #expect(BlockTime.isTimely(proposalTime: t(100), receiveTime: t(0), parent: t(0), bounds: bounds))
        #expect(SynchronyBounds.standard.messageDelayMilliseconds(round: .max) > SynchronyBounds.standard.messageDelayMilliseconds)
    }
}
