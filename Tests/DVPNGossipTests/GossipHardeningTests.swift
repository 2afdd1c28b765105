import DVPNCrypto
import DVPNLedger
import NIOCore
import NIOPosix
import Testing
@testable import DVPNGossip

/// The hardening of docs/p2p.md on real loopback services: handshakes in progress capped per
/// host, a peer that reads nothing costing at most its queue's byte budget, and periodic PEX that
/// ignores unsolicited answers. Bounded in time; every node and connection closed at the end.
@Suite("Gossip hardening on loopback", .serialized, .timeLimit(.minutes(2)))
struct GossipHardeningTests {
    @Test func handshakesInProgressAreCappedPerHost() async throws {
        try await Cluster.run { cluster in
            let node = try await cluster.node { $0.maxInboundHandshakesPerHost = 2; $0.handshakeTimeout = .seconds(60) }
            let port = Int(try node.address.port)
            // Five connections from 127.0.0.1 that never start the handshake.
            var stalled: [any Channel] = []
            do {
                for _ in 0..<5 {
                    stalled.append(try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get())
                }
                try await eventually("refused") { node.service.statistics.handshakesRefused == 3 }
                // The three past the cap are closed by the node at once; two hold their slots.
                try await eventually("closed by the node") { stalled.filter { !$0.isActive }.count == 3 }
                let held = node.service.state.withLock { $0.handshakes.inProgress(from: "127.0.0.1") }
                #expect(held == 2)
            } catch {
                for channel in stalled { try? await channel.close() }
                throw error
            }
            for channel in stalled where channel.isActive { try? await channel.close() }
            // Ended handshakes give their slots back, and an honest peer from the same host links.
            try await eventually("slots released") { node.service.state.withLock { $0.handshakes.total } == 0 }
            let honest = try await cluster.node(seeds: [try node.address])
            try await eventually("honest link") { node.service.connectedPeers.contains(honest.peerID) }
        }
    }

    @Test func aPeerThatReadsNothingCostsAtMostItsQueueByteBudget() async throws {
        try await Cluster.run { cluster in
            let node = try await cluster.node { $0.maxFrameByteCount = 4096; $0.outboundQueueByteLimit = 8192 }
            let identity = LinkIdentity(ledgerKey: Schnorr.PrivateKey())
            try await HostilePeer.connect(to: try node.address) { hostile in
                try await hostile.handshake(identity: identity, chainID: "dvpn-test-1")
                try await eventually("link") { node.service.connectedPeers.contains(identity.peerID) }
                // 40 MB of gossip towards a peer that never reads: far beyond what the socket
                // buffers of both ends hold, so the link's queue must overflow.
                var most = 0
                for i in 0..<40_000 {
                    let payload = [UInt8(i & 0xFF), UInt8(i >> 8 & 0xFF)] + [UInt8](repeating: 0xA5, count: 998)
                    node.service.broadcast(GossipEnvelope(kind: .transaction, payload: payload))
                    if i % 1000 == 0 {
                        most = max(most, node.service.state.withLock { $0.links[identity.peerID]?.queue.byteCount ?? 0 })
                        await Task.yield()
                    }
                }
                try await eventually("drops") { node.service.statistics.outboundDropped > 0 }
                let queued = node.service.state.withLock { $0.links[identity.peerID]?.queue.byteCount }
                #expect(queued != nil, "a slow peer loses old items, not its link")
                #expect((queued ?? .max) <= 8192 && most <= 8192)
            }
        }
    }

    @Test func peersAreAskedForAddressesEveryInterval() async throws {
        try await Cluster.run { cluster in
            let node = try await cluster.node { $0.peerBook.pexInterval = .milliseconds(300) }
            try await HostilePeer.connect(to: try node.address) { peer in
                try await peer.handshake(identity: LinkIdentity(ledgerKey: Schnorr.PrivateKey()), chainID: "dvpn-test-1")
                let start = ContinuousClock.now
                var requests = 0
                while requests < 3, ContinuousClock.now - start < .seconds(10) {
                    guard let envelope = try await peer.receiveEnvelope() else { break }
                    if envelope.kind == .pexRequest { requests += 1 }
                }
                #expect(requests == 3)
                // At link-up, then twice 300 ms later each.
                #expect(ContinuousClock.now - start >= .milliseconds(550))
            }
        }
    }

    @Test func unsolicitedPexAnswersAreIgnored() async throws {
        try await Cluster.run { cluster in
            let node = try await cluster.node()
            let identity = LinkIdentity(ledgerKey: Schnorr.PrivateKey())
            let known = { node.service.state.withLock { $0.book.knownAddressCount } }
            try await HostilePeer.connect(to: try node.address) { peer in
                try await peer.handshake(identity: identity, chainID: "dvpn-test-1")
                var asked = false
                while !asked, let envelope = try await peer.receiveEnvelope() { asked = envelope.kind == .pexRequest }
                #expect(asked)
                let answer = PeerAddressList([try PeerAddress(parsing: "10.1.0.1:1")])
                try await peer.sendSealed(GossipEnvelope(kind: .pexResponse, payload: answer.canonicalBytes).canonicalBytes)
                try await eventually("answer taken") { known() == 1 }
                // A second answer nobody asked for (the next request is 30 s away).
                let stuffing = PeerAddressList(try (1...64).map { try PeerAddress(host: "10.2.0.\($0)", port: 1) })
                try await peer.sendSealed(GossipEnvelope(kind: .pexResponse, payload: stuffing.canonicalBytes).canonicalBytes)
                // Frames of one peer are handled in order: once this arrives, the answer was handled.
                let marker = GossipEnvelope(kind: .transaction, payload: [0x33])
                try await peer.sendSealed(marker.canonicalBytes)
                try await eventually("marker") { await node.delegate.count(of: marker) == 1 }
                #expect(known() == 1)
                #expect(node.service.connectedPeers.contains(identity.peerID), "ignored, not penalised")
            }
        }
    }
}
