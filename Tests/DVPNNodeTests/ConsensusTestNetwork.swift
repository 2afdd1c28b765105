import DVPNConsensus
import DVPNCrypto
import DVPNGossip
import DVPNLedger
import DVPNNodeAPI
import Foundation
import Logging
import Synchronization
@testable import DVPNNode

/// A test failure with a message.
struct ConsensusTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Validators, senders and a genesis for in-process engine tests on loopback.
struct ConsensusTestChain: Sendable {
    let validatorKeys: [Schnorr.PrivateKey]
    /// Funded accounts, one per node, so that transactions sent to different nodes never race
    /// on one nonce.
    let senders: [Schnorr.PrivateKey]
    let genesis: Genesis
    let root: URL

    init(validators: Int, senders: Int = 4) throws {
        validatorKeys = (0..<validators).map { _ in Schnorr.PrivateKey() }
        self.senders = (0..<senders).map { _ in Schnorr.PrivateKey() }
        genesis = try Genesis(
            chainID: "dvpn-engine-test", genesisTime: Timestamp(millisecondsSince1970: 1_700_000_000_000),
            validators: ValidatorSet(validators: validatorKeys.map { Validator(publicKey: $0.publicKey, power: 10) }),
            balances: (self.senders + validatorKeys).map {
                GenesisBalance(address: AccountAddress(publicKey: $0.publicKey), amount: Amount(udvpn: 1_000 * Amount.udvpnPerDVPN))
            },
            contracts: [], params: .devnet)
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-engine-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func directory(_ name: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func removeFiles() { try? FileManager.default.removeItem(at: root) }

    /// A signed transfer of 1 udvpn from sender `i`.
    func transfer(from i: Int, nonce: UInt64) throws -> Transaction {
        try TransactionBody(
            chainID: genesis.chainID, sender: senders[i].publicKey, nonce: nonce, fee: genesis.params.minFee,
            payload: .transfer(to: AccountAddress(publicKey: senders[(i + 1) % senders.count].publicKey), amount: Amount(udvpn: 1))
        ).signed(with: senders[i])
    }

    /// Timeouts short enough for tests, the same shape as `EngineConfiguration.network`.
    static func engineConfiguration() -> EngineConfiguration {
        .network(emptyBlockInterval: .milliseconds(200))
    }
}

/// One node of a test network: ledger, gossip on a loopback port, engine. `run()` serves until
/// `stop()`; then the store is closed, so another instance may reopen the directory (a restart).
final class EngineTestNode: Sendable {
    let name: String
    let key: Schnorr.PrivateKey
    let node: LedgerNode
    let gossip: GossipService
    let engine: ConsensusEngine
    private let stopSignal: AsyncStream<Void>
    private let stopContinuation: AsyncStream<Void>.Continuation
    private let stoppedSignal: AsyncStream<Void>
    private let stoppedContinuation: AsyncStream<Void>.Continuation

    init(name: String, key: Schnorr.PrivateKey, chain: ConsensusTestChain, seeds: [PeerAddress],
         configuration: EngineConfiguration = ConsensusTestChain.engineConfiguration()) throws {
        self.name = name
        self.key = key
        let directory = try chain.directory(name)
        var logger = Logger(label: "engine-test.\(name)")
        logger.logLevel = .warning
        node = try LedgerNode(
            databasePath: directory.appendingPathComponent("ledger.sqlite").path, genesis: chain.genesis, contracts: [],
            nodeKey: key, logger: logger)
        let reference = EngineReference()
        var gossipConfiguration = GossipConfiguration(
            chainID: chain.genesis.chainID, identity: LinkIdentity(ledgerKey: key), listenHost: "127.0.0.1", listenPort: 0, seeds: seeds)
        gossipConfiguration.logger = logger
        gossip = try GossipService(configuration: gossipConfiguration, delegate: EngineGossipDelegate(node: node, engine: reference))
        node.network.attach(gossip)
        engine = try ConsensusEngine(
            node: node, key: key, configuration: configuration, dataDirectory: directory.path, gossip: gossip, logger: logger)
        reference.set(engine)
        (stopSignal, stopContinuation) = AsyncStream.makeStream(of: Void.self)
        (stoppedSignal, stoppedContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    /// Serves until `stop()`, then closes the store.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await self.gossip.run() }
            group.addTask { try? await self.engine.run() }
            for await _ in stopSignal {}
            group.cancelAll()
        }
        node.close()
        stoppedContinuation.finish()
    }

    func stop() { stopContinuation.finish() }

    /// Stops the node and waits until its store is closed.
    func stopAndWait() async {
        stop()
        for await _ in stoppedSignal {}
    }

    var height: UInt64 { node.height }

    /// Its P2P address, once listening.
    func address() async throws -> PeerAddress {
        for _ in 0..<500 {
            if let port = gossip.listeningPort { return try PeerAddress(host: "127.0.0.1", port: UInt16(port)) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ConsensusTestFailure("\(name) never listened")
    }

    func blockHash(at height: UInt64) throws -> Hash256? { try node.ledger.store.header(at: height)?.hash }

    func isCommitted(_ id: Hash256) throws -> Bool { try node.ledger.store.transactionLocation(id) != nil }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw ConsensusTestFailure("timed out waiting for \(what)")
}

/// Every pair of nodes agrees on the block hash at every height both have.
func expectAgreement(_ nodes: [EngineTestNode]) throws {
    let common = nodes.map(\.height).min() ?? 0
    guard common >= 1 else { return }
    for height in 1...common {
        let hashes = Set(try nodes.map { try $0.blockHash(at: height) })
        guard hashes.count == 1 else { throw ConsensusTestFailure("nodes disagree at height \(height): \(hashes)") }
    }
}

/// Runs `nodes` (and any started later through `start`) on loopback until `body` returns; every
/// node is stopped and its store closed even when `body` throws.
func withEngineNetwork(
    _ nodes: [EngineTestNode],
    _ body: @Sendable (_ start: @Sendable (EngineTestNode) -> Void) async throws -> Void
) async throws {
    let (launches, launch) = AsyncStream.makeStream(of: EngineTestNode.self)
    let running = RunningNodes()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            await withTaskGroup(of: Void.self) { nodesGroup in
                for await node in launches {
                    running.add(node)
                    nodesGroup.addTask { await node.run() }
                }
                // No more launches: stop every node, including one launched at the last moment.
                running.stopAll()
            }
        }
        for node in nodes { launch.yield(node) }
        do {
            try await body { launch.yield($0) }
        } catch {
            launch.finish()
            try await group.waitForAll()
            throw error
        }
        launch.finish()
        try await group.waitForAll()
    }
}

/// The nodes launched so far, to stop them all at the end.
final class RunningNodes: Sendable {
    private let nodes = Mutex<[EngineTestNode]>([])
    func add(_ node: EngineTestNode) { nodes.withLock { $0.append(node) } }
    func stopAll() { for node in nodes.withLock({ $0 }) { node.stop() } }
}

/// Creates and launches one node per key, each seeded with the P2P addresses of the nodes
/// before it (and of `extraSeeds`), so that together they form a full mesh.
func launchNodes(
    _ chain: ConsensusTestChain, keys: [(name: String, key: Schnorr.PrivateKey)], extraSeeds: [PeerAddress] = [],
    configuration: EngineConfiguration = ConsensusTestChain.engineConfiguration(),
    start: @Sendable (EngineTestNode) -> Void
) async throws -> [EngineTestNode] {
    var nodes: [EngineTestNode] = []
    var seeds = extraSeeds
    for (name, key) in keys {
        let node = try EngineTestNode(name: name, key: key, chain: chain, seeds: seeds, configuration: configuration)
        start(node)
        nodes.append(node)
        seeds.append(try await node.address())
    }
    return nodes
}
