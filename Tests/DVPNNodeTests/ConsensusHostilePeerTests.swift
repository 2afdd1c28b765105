import DVPNConsensus
import DVPNCrypto
import DVPNGossip
import DVPNLedger
import Foundation
import Testing
@testable import DVPNNode

/// A peer that ignores everything it is sent.
private struct SilentDelegate: GossipDelegate {
    func gossipReceived(_ envelope: GossipEnvelope, from peer: PeerID) async -> GossipVerdict { .ignore }
}

/// Verification at the engine's edge (issue 7, "Hostile peers"): votes with bad signatures and
/// votes for far-future heights score their sender down until it is banned, while the honest
/// validators keep committing.
@Suite("Consensus engine hostile peer", .serialized, .timeLimit(.minutes(2)))
struct ConsensusHostilePeerTests {
    @Test("bad-signature and far-future votes get their sender banned; the honest validators keep committing")
    func hostilePeerIsBanned() async throws {
        let chain = try ConsensusTestChain(validators: 4)
        defer { chain.removeFiles() }
        try await withEngineNetwork([]) { start in
            let nodes = try await launchNodes(chain, keys: chain.validatorKeys.enumerated().map { ("node\($0.offset)", $0.element) }, start: start)
            try await eventually("two blocks") { nodes.allSatisfy { $0.height >= 2 } }
            let target = PeerID(chain.validatorKeys[0].publicKey)
            let hostileKey = Schnorr.PrivateKey()
            let hostile = try GossipService(
                configuration: GossipConfiguration(
                    chainID: chain.genesis.chainID, identity: LinkIdentity(ledgerKey: hostileKey), listenPort: 0,
                    seeds: [try await nodes[0].address()]),
                delegate: SilentDelegate())
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await hostile.run() }
                try await eventually("the hostile peer links to node 0", timeout: .seconds(10)) { hostile.connectedPeers.contains(target) }
                // It claims to be at height 1, then sends what no honest peer sends.
                hostile.send(GossipEnvelope(kind: .blockSyncRequest, payload: SyncRequest.status(height: 1, round: 0).canonicalBytes), to: target)
                let heightBefore = nodes[0].height
                let garbage = try Schnorr.Signature(rawRepresentation: [UInt8](repeating: 0x5A, count: 64))
                var round: UInt32 = 0
                try await eventually("node 0 bans the hostile peer", timeout: .seconds(20)) {
                    for _ in 0..<4 {
                        round += 1
                        let badSignature = Vote(kind: .prevote, height: nodes[0].height + 1, round: round, blockHash: nil,
                                                validator: chain.validatorKeys[1].publicKey, signature: garbage)
                        hostile.send(GossipEnvelope(kind: .vote, payload: badSignature.canonicalBytes), to: target)
                        let farFuture = try Vote.sign(chainID: chain.genesis.chainID, kind: .precommit, height: 1_000_000, round: round,
                                                      blockHash: nil, with: hostileKey)
                        hostile.send(GossipEnvelope(kind: .vote, payload: farFuture.canonicalBytes), to: target)
                    }
                    return nodes[0].gossip.isBanned(PeerID(hostileKey.publicKey))
                }
                #expect(await nodes[0].engine.statistics.invalidMessages >= 5)
                try await eventually("the honest validators keep committing") { nodes.allSatisfy { $0.height >= heightBefore + 3 } }
                try expectAgreement(nodes)
                group.cancelAll()
            }
        }
    }
}
