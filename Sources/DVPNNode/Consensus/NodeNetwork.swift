import DVPNGossip
import DVPNLedger
import Synchronization

/// The node's handle on its gossip service, for the parts that are not the engine: the API's
/// submissions are flooded to peers (mempool gossip) and `/v1/status` counts the links. Empty in
/// a node without P2P (a `--dev` chain), where publishing does nothing.
final class NodeNetwork: Sendable {
    /// Transactions this node published, kept until they leave the mempool (at most this many).
    static let maxRepublished = 2048

    private let gossip = Mutex<GossipService?>(nil)
    private let published = Mutex<[Transaction]>([])

    func attach(_ service: GossipService) {
        gossip.withLock { $0 = service }
    }

    /// Floods a transaction this node admitted to its mempool (from its API, or its evidence).
    func publish(_ transaction: Transaction) {
        guard let service = gossip.withLock({ $0 }) else { return }
        published.withLock { list in
            list.append(transaction)
            if list.count > Self.maxRepublished { list.removeFirst(list.count - Self.maxRepublished) }
        }
        service.broadcast(GossipEnvelope(kind: .transaction, payload: transaction.canonicalBytes))
    }

    /// Floods again what we published that still waits in our mempool: a transaction submitted
    /// before any link was up, or lost in a full peer queue, still reaches the proposers.
    /// Peers that already have it drop it by hash.
    func republishPending(isPending: (Hash256) -> Bool) {
        guard let service = gossip.withLock({ $0 }) else { return }
        let pending = published.withLock { list in
            list.removeAll { !isPending($0.id) }
            return list
        }
        for transaction in pending {
            service.broadcast(GossipEnvelope(kind: .transaction, payload: transaction.canonicalBytes))
        }
    }

    var connectedPeerCount: Int { gossip.withLock { $0 }?.connectedPeers.count ?? 0 }
}

/// Gossip's delegate: transactions are admitted to the mempool right here, concurrently for
/// different peers (the ledger verifies signatures outside its locks); everything else goes to
/// the engine actor. A transaction whose stateless checks fail (bad signature, wrong chain, too
/// large) is invalid; one the state refuses (a replayed nonce, a duplicate) is ignored, since it
/// may have been valid when the peer sent it.
struct EngineGossipDelegate: GossipDelegate {
    let node: LedgerNode
    let engine: EngineReference

    func gossipReceived(_ envelope: GossipEnvelope, from peer: PeerID) async -> GossipVerdict {
        guard envelope.kind == .transaction else {
            guard let engine = engine.value else { return .ignore }
            return await engine.receive(envelope, from: peer)
        }
        guard UInt64(envelope.payload.count) <= node.genesis.params.maxTransactionBytes,
              let transaction = try? Transaction(canonicalBytes: envelope.payload)
        else { return .invalid("undecodable or oversized transaction") }
        let ledger = node.ledger
        if let rejection = ledger.executor.validateBasic(transaction) { return .invalid("transaction: \(rejection)") }
        switch ledger.submit(transaction) {
        case .accepted: return .accept
        case .rejected: return .ignore
        }
    }
}

/// The engine, set once it exists (the gossip service is built first, since the engine sends on
/// it).
final class EngineReference: Sendable {
    private let engine = Mutex<ConsensusEngine?>(nil)

    var value: ConsensusEngine? { engine.withLock { $0 } }

    func set(_ value: ConsensusEngine) { engine.withLock { $0 = value } }
}
