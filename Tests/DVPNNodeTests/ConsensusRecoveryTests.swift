import DVPNConsensus
import DVPNCrypto
import DVPNGossip
import DVPNLedger
import Foundation
import Testing
@testable import DVPNNode

/// Never sign twice, and never need a WAL repaired (issue 7, item 2): restarts from the WAL and
/// the sign guard, and a torn WAL tail.
@Suite("Consensus engine recovery", .serialized, .timeLimit(.minutes(2)))
struct ConsensusRecoveryTests {
    @Test("a validator restarted from its WAL and sign guard rejoins and never signs a conflicting message")
    func restartRejoins() async throws {
        let chain = try ConsensusTestChain(validators: 4)
        defer { chain.removeFiles() }
        try await withEngineNetwork([]) { start in
            let nodes = try await launchNodes(chain, keys: chain.validatorKeys.enumerated().map { ("node\($0.offset)", $0.element) }, start: start)
            try await eventually("three blocks") { nodes.allSatisfy { $0.height >= 3 } }
            // Stop node 3 at whatever point of a height it is, twice, so the WAL is replayed mid-height.
            var victim = nodes[3]
            let seeds = try await Array(nodes[0..<3]).asyncMap { try await $0.address() }
            for round in 0..<2 {
                await victim.stopAndWait()
                let stoppedAt = victim.height
                try await eventually("the others commit without node 3") { nodes[0..<3].allSatisfy { $0.height >= stoppedAt + 2 } }
                victim = try EngineTestNode(name: "node3", key: chain.validatorKeys[3], chain: chain, seeds: seeds)
                start(victim)
                let target = nodes[0].height
                try await eventually("restart \(round + 1): node 3 catches up to \(target)") { victim.height >= target }
                let restarted = victim
                try await eventually("restart \(round + 1): node 3 signs again") { await restarted.engine.statistics.signed > 0 }
                #expect(await victim.engine.statistics.guardRefusedConflict == 0)
            }
            let tx = try chain.transfer(from: 3, nonce: 0)
            #expect(await victim.node.submit(transaction: tx.canonicalBytes) == .accepted(hash: tx.id.hex))
            let all = Array(nodes[0..<3]) + [victim]
            try await eventually("a transfer sent to the restarted node commits everywhere") { try all.allSatisfy { try $0.isCommitted(tx.id) } }
            try expectAgreement(all)
            for node in all { #expect(await node.engine.statistics.guardRefusedConflict == 0) }
            // The guard on disk names the latest signature, at or above the height it rejoined.
            let guardBytes = try Data(contentsOf: chain.root.appendingPathComponent("node3").appendingPathComponent(ConsensusFileNames.signGuard))
            let stored = try SignGuard(canonicalBytes: Array(guardBytes))
            #expect((stored.lastSigned?.height ?? 0) >= 3)
        }
    }

    @Test("a torn WAL tail is truncated with a log line and the node starts and commits")
    func tornTailIsTruncated() async throws {
        let chain = try ConsensusTestChain(validators: 1)
        defer { chain.removeFiles() }
        let solo = EngineConfiguration.solo(emptyBlockInterval: .milliseconds(100))
        let key = chain.validatorKeys[0]
        try await withEngineNetwork([]) { start in
            let first = try EngineTestNode(name: "solo", key: key, chain: chain, seeds: [], configuration: solo)
            start(first)
            try await eventually("two blocks") { first.height >= 2 }
            await first.stopAndWait()
            let stoppedAt = first.height
            // Half of a frame, as SIGKILL during a write leaves it.
            let walPath = chain.root.appendingPathComponent("solo").appendingPathComponent(ConsensusFileNames.wal).path
            let frame = WALFrame.encode(.timeout(Timeout(height: stoppedAt + 1, round: 0, step: .propose)))
            let handle = try #require(FileHandle(forWritingAtPath: walPath))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(frame.prefix(frame.count / 2)))
            try handle.close()
            let second = try EngineTestNode(name: "solo", key: key, chain: chain, seeds: [], configuration: solo)
            #expect(WALFrame.decode(Array(try Data(contentsOf: URL(fileURLWithPath: walPath)))).tail == .clean)
            start(second)
            try await eventually("two more blocks after the restart") { second.height >= stoppedAt + 2 }
            #expect(await second.engine.statistics.guardRefusedConflict == 0)
        }
    }

    @Test("a one-validator chain commits a waiting transaction within a few hundred milliseconds")
    func soloLatency() async throws {
        let chain = try ConsensusTestChain(validators: 1)
        defer { chain.removeFiles() }
        try await withEngineNetwork([]) { start in
            let node = try EngineTestNode(
                name: "solo", key: chain.validatorKeys[0], chain: chain, seeds: [],
                configuration: .solo(emptyBlockInterval: .seconds(3)))
            start(node)
            try await eventually("the first block, at once") { node.height >= 1 }
            let tx = try chain.transfer(from: 0, nonce: 0)
            let submitted = ContinuousClock.now
            #expect(await node.node.submit(transaction: tx.canonicalBytes) == .accepted(hash: tx.id.hex))
            try await eventually("the transfer commits", timeout: .seconds(5)) { try node.isCommitted(tx.id) }
            let latency = ContinuousClock.now - submitted
            #expect(latency < .seconds(1), "commit took \(latency)")
            // No empty blocks in between: the interval is 3 s.
            #expect(node.height <= 3)
        }
    }
}
