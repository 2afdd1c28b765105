import DVPNCrypto
import Testing
@testable import DVPNTunnel

/// The per-peer inner byte counters and forwarding limit an exit meters paid sessions with
/// (docs/operator.md): inner IP bytes are counted both ways, and once the limit is reached the
/// peer's packets are held (dropped, counted) in both directions until it is raised.
@Suite struct InnerByteLimitTests {
    @Test func countsInnerBytesAndHoldsPacketsAtTheLimit() throws {
        var net = try TwoPeers()
        net.handshake()
        let received = net.bReceived.count
        let start = try #require(net.b.peer(net.aKey.publicKey))
        let up = TwoPeers.aToB(IPPackets.payload(100))
        let down = TwoPeers.bToA(IPPackets.payload(300))
        net.sendFromA(up)
        net.sendFromB(down)
        net.deliverAll()
        var status = try #require(net.b.peer(net.aKey.publicKey))
        #expect(status.innerRxBytes == start.innerRxBytes + UInt64(up.count))
        #expect(status.innerTxBytes == start.innerTxBytes + UInt64(down.count))
        let used = status.innerRxBytes + status.innerTxBytes

        // Room for exactly one more upstream packet.
        let set = net.b.setInnerByteLimit(used + UInt64(up.count), for: net.aKey.publicKey)
        #expect(set)
        net.sendFromA(up)
        net.deliverAll()
        #expect(net.bReceived.count == received + 2)
        let aReceived = net.aReceived.count
        net.sendFromA(up)
        net.sendFromB(down)
        net.deliverAll()
        status = try #require(net.b.peer(net.aKey.publicKey))
        #expect(net.bReceived.count == received + 2, "the upstream packet over the limit is not written")
        #expect(net.aReceived.count == aReceived, "the downstream packet over the limit is not sent")
        #expect(status.heldPackets == 2, "one packet each way held")
        #expect(status.innerRxBytes + status.innerTxBytes == used + UInt64(up.count))
        #expect(status.innerByteLimit == used + UInt64(up.count))

        // Raising the limit lets traffic through again; clearing it removes the bound.
        let cleared = net.b.setInnerByteLimit(nil, for: net.aKey.publicKey)
        #expect(cleared)
        net.sendFromA(up)
        net.deliverAll()
        #expect(net.bReceived.count == received + 3)
        let unknown = net.b.setInnerByteLimit(1, for: X25519.PrivateKey().publicKey)
        #expect(!unknown, "unknown peer")
    }
}
