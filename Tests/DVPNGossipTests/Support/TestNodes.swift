import DVPNCrypto
import DVPNLedger
import Logging
import Testing
@testable import DVPNGossip

/// Collects what a node's delegate receives; payloads starting with 0xFF are judged invalid.
actor RecordingDelegate: GossipDelegate {
    private(set) var received: [(GossipEnvelope, PeerID)] = []

    func gossipReceived(_ envelope: GossipEnvelope, from peer: PeerID) async -> GossipVerdict {
        received.append((envelope, peer))
        return envelope.payload.first == 0xFF ? .invalid("test marks 0xFF as invalid") : .accept
    }

    func count(of envelope: GossipEnvelope) -> Int {
        received.filter { $0.0 == envelope }.count
    }

    var total: Int { received.count }
}

/// A `GossipService` on a free loopback port, running in a task that `stop()` cancels.
final class TestNode: Sendable {
    let service: GossipService
    let delegate: RecordingDelegate
    let identity: LinkIdentity
    private let task: Task<Void, any Error>

    init(chainID: String = "dvpn-test-1", seeds: [PeerAddress] = [], tweak: (inout GossipConfiguration) -> Void = { _ in })
        async throws
    {
        identity = LinkIdentity(ledgerKey: Schnorr.PrivateKey())
        var configuration = GossipConfiguration(chainID: chainID, identity: identity, listenPort: 0, seeds: seeds)
        configuration.dialInterval = .milliseconds(50)
        configuration.peerBook.initialBackoff = .milliseconds(100)
        configuration.logger = Logger(label: "test.gossip")
        tweak(&configuration)
        delegate = RecordingDelegate()
        let service = try GossipService(configuration: configuration, delegate: delegate)
        self.service = service
        task = Task { try await service.run() }
        try await eventually("listening") { service.listeningPort != nil }
    }

    var address: PeerAddress {
        get throws { try PeerAddress(host: "127.0.0.1", port: UInt16(service.listeningPort ?? 0)) }
    }

    var peerID: PeerID { identity.peerID }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every 20 ms for up to `seconds`.
func eventually(_ what: String, seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TimedOut(what: what)
}

/// The nodes of one test, stopped when the test ends, whether it passed or threw.
final class Cluster {
    private(set) var nodes: [TestNode] = []

    func node(chainID: String = "dvpn-test-1", seeds: [PeerAddress] = [], tweak: (inout GossipConfiguration) -> Void = { _ in })
        async throws -> TestNode
    {
        let node = try await TestNode(chainID: chainID, seeds: seeds, tweak: tweak)
        nodes.append(node)
        return node
    }

    func stop() async {
        for node in nodes { await node.stop() }
    }

    static func run(_ body: (Cluster) async throws -> Void) async throws {
        let cluster = Cluster()
        do {
            try await body(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }
}
