import DVPNConsensus
import DVPNLedger
import DVPNNodeAPI

/// The proposer rule (docs/consensus.md, "Engine"): the proposer-priority state of height `h` is
/// a function of committed data only,
///
///     priority(1)     = ProposerPriority(validators: genesis set)          (all zero)
///     priority(h + 1) = priority(h).nextHeight(validators: set in force at h + 1)
///
/// independent of the rounds each height took, so every node, restarted or synced, computes the
/// same proposer(h, r) from its store. The engine carries it forward in memory one height at a
/// time (`ConsensusState.applyBlock` does the same step) and recomputes it from the store only at
/// start or after block sync (one indexed read of the validator-set history per height).
enum ProposerSchedule {
    static func priority(atHeight height: UInt64, store: LedgerStore, genesis: Genesis) throws(NodeError) -> ProposerPriority {
        var priority = ProposerPriority(validators: genesis.validators)
        guard height > 1 else { return priority }
        do {
            for next in 2...height {
                // The set in force at `next` is the one the state held after block next − 1.
                priority = priority.nextHeight(validators: try store.validatorSet(inForceAt: next))
            }
        } catch {
            throw NodeError(.storage, "cannot compute the proposer priority of height \(height): \(error.reason)")
        }
        return priority
    }
}
