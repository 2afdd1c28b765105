import DVPNConsensus
import DVPNCrypto
import DVPNGossip
import DVPNLedger
import DVPNNodeAPI
import Foundation
import Testing
@testable import DVPNNode

/// Engines on loopback (issue 7, items 2, 4-6): several validators commit what any of them was
/// sent, agree on every block, and lagging or new nodes catch up by block sync.
extension ConsensusEngineTests {
    @Suite("Consensus engine network", .serialized, .timeLimit(.minutes(2)))
    struct ConsensusNetworkTests {
        @Test("four validators commit transactions submitted to different nodes and agree on every block")
        func fourValidatorsCommit() async throws {
            let chain = try ConsensusTestChain(validators: 4)
            defer { chain.removeFiles() }
            try await withEngineNetwork([]) { start in
                let nodes = try await launchNodes(chain, keys: chain.validatorKeys.enumerated().map { ("node\($0.offset)", $0.element) }, start: start)
                var ids: [Hash256] = []
                for (i, node) in nodes.enumerated() {
                    let tx = try chain.transfer(from: i, nonce: 0)
                    #expect(await node.node.submit(transaction: tx.canonicalBytes) == .accepted(hash: tx.id.hex))
                    ids.append(tx.id)
                }
                try await eventually("every transaction committed on every node") {
                    try nodes.allSatisfy { node in try ids.allSatisfy { try node.isCommitted($0) } }
                }
                try expectAgreement(nodes)
                // Every validator takes part: three of four suffice for a commit, so one that
                // started late may not have signed yet when the transactions are in (seen once,
                // 0.3 s into the test); it signs within the next heights.
                try await eventually("every validator signed") {
                    for node in nodes where await node.engine.statistics.signed == 0 { return false }
                    return true
                }
                for node in nodes {
                    #expect(await node.engine.statistics.guardRefusedConflict == 0)
                }
                try await eventually("node 0 reports three peers") { try await nodes[0].node.status().peers == 3 }
                #expect(try await nodes[0].node.status().isValidator == true)
            }
        }

        @Test("a validator that starts late with only genesis catches up by block sync and then votes")
        func lateValidatorSyncs() async throws {
            let chain = try ConsensusTestChain(validators: 4)
            defer { chain.removeFiles() }
            try await withEngineNetwork([]) { start in
                // Three of four hold 3/4 of the power: they commit without the fourth.
                let first = try await launchNodes(chain, keys: (0..<3).map { ("node\($0)", chain.validatorKeys[$0]) }, start: start)
                try await eventually("six blocks without the fourth validator") { first.allSatisfy { $0.height >= 6 } }
                let seeds = try await first.asyncMap { try await $0.address() }
                let late = try await launchNodes(chain, keys: [("node3", chain.validatorKeys[3])], extraSeeds: seeds, start: start)[0]
                let target = first[0].height
                try await eventually("the late validator reaches height \(target)") { late.height >= target }
                #expect(await late.engine.statistics.blocksSynced > 0)
                // It rejoined consensus: a transaction sent to it commits everywhere.
                let tx = try chain.transfer(from: 0, nonce: 0)
                #expect(await late.node.submit(transaction: tx.canonicalBytes) == .accepted(hash: tx.id.hex))
                let all = first + [late]
                try await eventually("the transfer sent to the late validator commits everywhere") {
                    try all.allSatisfy { try $0.isCommitted(tx.id) }
                }
                try await eventually("the late validator signs again") { await late.engine.statistics.signed > 0 }
                try expectAgreement(all)
            }
        }

        @Test("a node whose key is not a validator follows the chain, relays transactions and never signs")
        func fullNodeFollows() async throws {
            let chain = try ConsensusTestChain(validators: 4)
            defer { chain.removeFiles() }
            try await withEngineNetwork([]) { start in
                var keys = chain.validatorKeys.enumerated().map { ("node\($0.offset)", $0.element) }
                keys.append(("full", Schnorr.PrivateKey()))
                let nodes = try await launchNodes(chain, keys: keys, start: start)
                let full = nodes[4]
                let tx = try chain.transfer(from: 1, nonce: 0)
                #expect(await full.node.submit(transaction: tx.canonicalBytes) == .accepted(hash: tx.id.hex))
                try await eventually("the transfer sent to the full node commits on every node") {
                    try nodes.allSatisfy { try $0.isCommitted(tx.id) }
                }
                try await eventually("the full node follows to height 4") { full.height >= 4 }
                try expectAgreement(nodes)
                #expect(await full.engine.statistics.signed == 0)
                #expect(try await full.node.status().isValidator == false)
            }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
