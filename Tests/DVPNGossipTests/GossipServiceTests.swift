import DVPNCrypto
import DVPNLedger
import Testing
@testable import DVPNGossip

/// Real nodes on loopback: in-process `GossipService`s on free ports, bounded in time, stopped
/// at the end of every test (also when it fails).
@Suite("Gossip service on loopback", .serialized, .timeLimit(.minutes(2)))
struct GossipServiceTests {
    @Test func twoNodesLinkAndExchangeBothWays() async throws {
        try await Cluster.run { cluster in
            let a = try await cluster.node()
            let b = try await cluster.node(seeds: [try a.address])
            try await eventually("link") { a.service.connectedPeers == [b.peerID] && b.service.connectedPeers == [a.peerID] }
            let tx = GossipEnvelope(kind: .transaction, payload: [1, 2, 3])
            #expect(a.service.broadcast(tx) == 1)
            try await eventually("b receives") { await b.delegate.count(of: tx) == 1 }
            let vote = GossipEnvelope(kind: .vote, payload: [9])
            b.service.broadcast(vote)
            try await eventually("a receives") { await a.delegate.count(of: vote) == 1 }
            // Point to point: a block sync request reaches only its addressee.
            let request = GossipEnvelope(kind: .blockSyncRequest, payload: try BlockRange(from: 1, to: 5).canonicalBytes)
            #expect(b.service.send(request, to: a.peerID))
            try await eventually("request") { await a.delegate.count(of: request) == 1 }
            // Neither side got back its own broadcast.
            #expect(await a.delegate.count(of: tx) == 0)
            #expect(await b.delegate.count(of: vote) == 0)
        }
    }

    @Test func threeNodesRelayOnceAndDeduplicate() async throws {
        // a — b — c in a line (c learns of a through PEX, so the line may become a triangle:
        // either way every node handles each item exactly once).
        try await Cluster.run { cluster in
            let a = try await cluster.node()
            let b = try await cluster.node(seeds: [try a.address])
            let c = try await cluster.node(seeds: [try b.address])
            try await eventually("links") { b.service.connectedPeers.count == 2 && c.service.connectedPeers.count >= 1 }
            let items = (0..<20).map { GossipEnvelope(kind: .transaction, payload: [UInt8($0), 0xAB]) }
            for item in items { a.service.broadcast(item) }
            // The same item broadcast twice is still handled once.
            a.service.broadcast(items[0])
            for item in items {
                try await eventually("c receives \(item.payload)") { await c.delegate.count(of: item) == 1 }
                #expect(await b.delegate.count(of: item) == 1)
            }
            // PEX: c learnt a's address from b and linked to it.
            try await eventually("pex link") { c.service.connectedPeers.contains(a.peerID) }
            let late = GossipEnvelope(kind: .proposal, payload: [0x42])
            c.service.broadcast(late)
            try await eventually("a and b receive") {
                let (atA, atB) = (await a.delegate.count(of: late), await b.delegate.count(of: late))
                return atA == 1 && atB == 1
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(await a.delegate.count(of: late) == 1)
            #expect(await b.delegate.count(of: late) == 1)
            #expect(await c.delegate.count(of: late) == 0)
            #expect(a.service.statistics.duplicatesDropped + b.service.statistics.duplicatesDropped > 0)
        }
    }

    @Test func nodesOfAnotherChainNeverLink() async throws {
        try await Cluster.run { cluster in
            let a = try await cluster.node(chainID: "dvpn-test-1")
            let b = try await cluster.node(chainID: "dvpn-other-1", seeds: [try a.address])
            try await eventually("failed handshakes") { a.service.statistics.handshakesFailed >= 1 && b.service.statistics.handshakesFailed >= 1 }
            #expect(a.service.connectedPeers.isEmpty && b.service.connectedPeers.isEmpty)
        }
    }

    @Test func aPeerThatCannotProveItsLedgerIdentityGetsNoLink() async throws {
        try await Cluster.run { cluster in
            let node = try await cluster.node()
            try await HostilePeer.connect(to: try node.address) { hostile in
                var noise = try NoiseHandshakeState(
                    pattern: .XX, role: .initiator, prologue: LinkHandshake.prologue(chainID: "dvpn-test-1"),
                    localStatic: X25519.PrivateKey())
                try await hostile.sendFrame(try noise.writeMessage())
                let second = try #require(try await hostile.readFrame())
                _ = try noise.readMessage(second)
                // A proof that signs for another Noise key.
                let key = Schnorr.PrivateKey()
                let message = LinkProof.signedMessage(
                    chainID: "dvpn-test-1", noiseStatic: X25519.PrivateKey().publicKey, handshakeHash: noise.handshakeHash)
                let proof = LinkProof(ledgerKey: key.publicKey, signature: try key.signature(for: message))
                try await hostile.sendFrame(try noise.writeMessage(payload: proof.canonicalBytes))
                #expect(await hostile.isClosedByNode())
            }
            #expect(node.service.connectedPeers.isEmpty)
            try await eventually("counted") { node.service.statistics.handshakesFailed == 1 }
            // Another chain's handshake: message 2 does not decrypt at the hostile side, and the
            // node hears nothing it could accept.
            try await HostilePeer.connect(to: try node.address) { other in
                await #expect(throws: GossipError.self) {
                    try await other.handshake(identity: LinkIdentity(ledgerKey: Schnorr.PrivateKey()), chainID: "dvpn-other-1")
                }
            }
            try await eventually("counted") { node.service.statistics.handshakesFailed == 2 }
            #expect(node.service.connectedPeers.isEmpty)
        }
    }

    /// A peer that completes the handshake, then misbehaves: the node stays up, closes the link,
    /// bans the peer, and keeps serving an honest peer.
    static func misbehaves(_ act: (HostilePeer) async throws -> Void, tweak: (inout GossipConfiguration) -> Void = { _ in })
        async throws
    {
        try await Cluster.run { cluster in
            let node = try await cluster.node(tweak: tweak)
            let honest = try await cluster.node(seeds: [try node.address])
            let identity = LinkIdentity(ledgerKey: Schnorr.PrivateKey())
            try await HostilePeer.connect(to: try node.address) { hostile in
                try await hostile.handshake(identity: identity, chainID: "dvpn-test-1")
                try await eventually("hostile link") { node.service.connectedPeers.contains(identity.peerID) }
                // The node may close the link part way: later writes then fail, which is the point.
                try? await act(hostile)
                #expect(await hostile.isClosedByNode())
            }
            try await eventually("ban") { node.service.isBanned(identity.peerID) }
            try await eventually("unlinked") { !node.service.connectedPeers.contains(identity.peerID) }
            // Banned: a new link with the same ledger identity is refused after its handshake.
            try await HostilePeer.connect(to: try node.address) { again in
                try await again.handshake(identity: identity, chainID: "dvpn-test-1")
                #expect(await again.isClosedByNode())
            }
            try await eventually("not linked again") { !node.service.connectedPeers.contains(identity.peerID) }
            // The honest peer is still served.
            try await eventually("honest link") { node.service.connectedPeers.contains(honest.peerID) }
            let tx = GossipEnvelope(kind: .transaction, payload: [0x77])
            node.service.broadcast(tx)
            try await eventually("honest receives") { await honest.delegate.count(of: tx) == 1 }
            // Nothing the node judged invalid was relayed.
            #expect(await honest.delegate.received.allSatisfy { $0.0.payload.first != 0xFF })
            #expect(node.service.statistics.bans >= 1)
        }
    }

    @Test func garbageFramesBan() async throws {
        try await Self.misbehaves { peer in try await peer.sendFrame([UInt8](repeating: 0x5A, count: 100)) }
    }

    @Test func anOversizedFrameBansBeforeItsBodyIsRead() async throws {
        try await Self.misbehaves({ peer in try await peer.sendRaw([0x00, 0x10, 0x00, 0x01]) }, tweak: { $0.maxFrameByteCount = 1 << 20 })
    }

    @Test func undecodableEnvelopesBan() async throws {
        try await Self.misbehaves { peer in
            for i in 0..<5 { try await peer.sendSealed([0xEE, UInt8(i)]) }
        }
    }

    @Test func invalidItemsBanAndAreNotRelayed() async throws {
        try await Self.misbehaves { peer in
            for i in 0..<10 { try await peer.sendSealed(GossipEnvelope(kind: .vote, payload: [0xFF, UInt8(i)]).canonicalBytes) }
        }
    }

    @Test func floodsBan() async throws {
        try await Self.misbehaves({ peer in
            for i in 0..<400 {
                try await peer.sendSealed(GossipEnvelope(kind: .transaction, payload: [UInt8(i % 256), UInt8(i / 256)]).canonicalBytes)
            }
        }, tweak: { $0.peerBook.messagesPerSecond = 20; $0.peerBook.messageBurst = 50 })
    }
}
