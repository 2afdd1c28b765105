import DVPNCrypto
import DVPNLedger

/// proposer(h, r) of Algorithm 1, weighted by voting power: CometBFT's proposer-priority
/// algorithm (cometbft `types/validator_set.go`, `IncrementProposerPriority`).
///
/// Each step adds every validator's power to its priority, picks the highest priority (ties go to
/// the smaller key) and subtracts the total power from the winner. Over `total` steps a validator
/// is chosen exactly `power` times. Before stepping, priorities are rescaled so that their spread
/// stays within 2·total (`PriorityWindowSizeFactor`) and shifted so that their mean is zero, which
/// keeps them bounded: with total power ≤ 2^60 they fit in an Int64.
///
/// The value is the state at the start of a height ("round −1"); round r's proposer is r + 1 steps
/// on. It must be identical on every validator, so the node stores it with each height
/// (`ConsensusState.proposerPriority`) and restarts from it.
public struct ProposerPriority: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public let publicKey: Schnorr.PublicKey
        public let power: UInt64
        public fileprivate(set) var priority: Int64
    }

    /// Sorted by key, as the validator set is.
    public private(set) var entries: [Entry]
    private let totalPower: Int64

    /// Every validator at priority zero: the state at the first height.
    public init(validators: ValidatorSet) {
        entries = validators.validators.map { Entry(publicKey: $0.publicKey, power: $0.power, priority: 0) }
        totalPower = Int64(validators.totalPower)
    }

    private init(entries: [Entry], totalPower: Int64) {
        self.entries = entries
        self.totalPower = totalPower
    }

    /// proposer(h, r) for the height this state starts.
    public func proposer(round: UInt32) -> Schnorr.PublicKey {
        var copy = self
        return copy.advance(times: UInt64(round) + 1)
    }

    /// The state for the next height: one step on, then the validator changes applied as CometBFT
    /// does (`updateWithChangeSet`): kept validators keep their priority, new ones start at
    /// −1.125·total so that joining (or leaving and rejoining) never earns an early turn.
    public func nextHeight(validators next: ValidatorSet) -> ProposerPriority {
        var stepped = self
        _ = stepped.advance(times: 1)
        let old = Dictionary(uniqueKeysWithValues: stepped.entries.map { ($0.publicKey, $0.priority) })
        let total = Int64(next.totalPower)
        let newcomer = -(total + total >> 3)
        var result = ProposerPriority(
            entries: next.validators.map { Entry(publicKey: $0.publicKey, power: $0.power, priority: old[$0.publicKey] ?? newcomer) },
            totalPower: total
        )
        result.rescaleAndCenter()
        return result
    }

    /// Steps `times` times and returns the last proposer chosen.
    private mutating func advance(times: UInt64) -> Schnorr.PublicKey {
        rescaleAndCenter()
        var chosen = 0
        for _ in 0..<times {
            chosen = 0
            for index in entries.indices {
                entries[index].priority += Int64(entries[index].power)
                if entries[index].priority > entries[chosen].priority {
                    chosen = index
                }
            }
            entries[chosen].priority -= totalPower
        }
        return entries[chosen].publicKey
    }

    /// `RescalePriorities(2·total)` then `shiftByAvgProposerPriority` (Euclidean division, as Go's
    /// big.Int does). Sums are taken in Int128 so that no validator count can overflow them.
    private mutating func rescaleAndCenter() {
        guard let low = entries.map(\.priority).min(), let high = entries.map(\.priority).max() else { return }
        let window = Int128(totalPower) * 2
        let spread = Int128(high) - Int128(low)
        if window > 0, spread > window {
            let ratio = Int64((spread + window - 1) / window)
            for index in entries.indices { entries[index].priority /= ratio }
        }
        let sum = entries.reduce(Int128(0)) { $0 + Int128($1.priority) }
        let count = Int128(entries.count)
        var average = sum / count
        if sum % count < 0 { average -= 1 }
        for index in entries.indices { entries[index].priority -= Int64(average) }
    }
}

extension ProposerPriority: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(array: entries, maxCount: LedgerLimits.maxValidators) { e, entry in
            e.encode(entry.publicKey)
            e.encode(entry.power)
            e.encode(entry.priority)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let list = try decoder.decodeArray(maxCount: LedgerLimits.maxValidators, field: "entries") { d throws(LedgerError) in
            Entry(publicKey: try d.decode(Schnorr.PublicKey.self), power: try d.decodeUInt64(), priority: try d.decodeInt64())
        }
        // Rebuilding the validator set checks order, uniqueness and the power bounds.
        let set = try ValidatorSet(validators: list.map { Validator(publicKey: $0.publicKey, power: $0.power) })
        guard set.validators.map(\.publicKey) == list.map(\.publicKey) else {
            throw LedgerError(.malformedEncoding, "proposer priorities are not sorted by key")
        }
        let bound = Int64(LedgerLimits.maxTotalVotingPower) * 3
        guard list.allSatisfy({ $0.priority > -bound && $0.priority < bound }) else {
            throw LedgerError(.outOfRange, "a proposer priority is out of range")
        }
        self.init(entries: list, totalPower: Int64(set.totalPower))
    }
}
