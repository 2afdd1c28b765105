import DVPNConsensus
import DVPNCrypto
import DVPNLedger

/// One validator process in the simulator: the consensus state machine and what a node keeps
/// around it. `wal` and `guardBytes` survive a crash (they are "on disk"); everything else is
/// rebuilt on restart from the store (`decided`) and the WAL, as the real node will do.
struct SimulatedNode {
    let index: Int
    let key: Schnorr.PrivateKey
    let isByzantine: Bool

    // On disk.
    var wal: [UInt8] = []
    var guardBytes: [UInt8] = SignGuard().canonicalBytes
    /// The block store: decided hash and commit per height, and the state to restart from.
    var decided: [UInt64: Hash256] = [:]
    var restartPoint: (height: UInt64, validators: ValidatorSet, priority: ProposerPriority, lastCommit: Commit?)

    // In memory.
    var state: ConsensusState
    var alive = true
    /// Bumped at each crash, so events addressed to a previous incarnation are dropped.
    var incarnation = 0
    /// Messages (by simulator id) this process has sent or received, by height: what gossip
    /// offers to peers.
    var known: [UInt64: [Int]] = [:]
    var knownSet: Set<Int> = []

    init(index: Int, key: Schnorr.PrivateKey, isByzantine: Bool, chainID: String, validators: ValidatorSet, config: ConsensusConfig) {
        self.index = index
        self.key = key
        self.isByzantine = isByzantine
        restartPoint = (1, validators, ProposerPriority(validators: validators), nil)
        state = ConsensusState(chainID: chainID, height: 1, validators: validators, me: key.publicKey, config: config)
    }

    var height: UInt64 { state.height }

    /// Records a message as known; false if it already was.
    mutating func learn(_ id: Int, height: UInt64) {
        if knownSet.insert(id).inserted {
            known[height, default: []].append(id)
        }
    }

    /// Loses everything in memory. With `tearWAL`, the WAL ends in half a frame, as if the
    /// process died while writing its next input.
    mutating func crash(tearWAL: Bool, tornFrame: [UInt8]) {
        alive = false
        incarnation += 1
        known = [:]
        knownSet = []
        if tearWAL {
            wal += tornFrame.prefix(max(1, tornFrame.count / 2))
        }
    }
}

extension SignedMessage {
    var height: UInt64 {
        switch self {
        case .proposal(let p): p.height
        case .vote(let v): v.height
        }
    }

    var round: UInt32 {
        switch self {
        case .proposal(let p): p.round
        case .vote(let v): v.round
        }
    }
}
