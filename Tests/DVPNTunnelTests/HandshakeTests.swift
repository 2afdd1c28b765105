import DVPNCrypto
import Testing
@testable import DVPNTunnel

@Suite struct HandshakeTests {
    @Test func noiseConstantsAreWireGuards() {
        // HASH("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s") and HASH(that ‖ "WireGuard v1 zx2c4 Jason@zx2c4.com"),
        // the values every WireGuard implementation starts from.
        #expect(hex(NoiseConstants.initialChainingKey) == "60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36")
        #expect(hex(NoiseConstants.initialHash) == "2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3")
    }

    @Test(arguments: [false, true])
    func handshakeThenDataBothWays(withPresharedKey: Bool) throws {
        var net = try TwoPeers(presharedKey: withPresharedKey ? SecureBytes(randomCount: 32) : nil)
        let first = TwoPeers.aToB(IPPackets.payload(100))
        net.sendFromA(first)
        // No session yet: the packet waits and an initiation goes out.
        let initiation = net.aOut.datagrams
        #expect(initiation.count == 1)
        #expect(initiation[0].bytes.count == 148 && initiation[0].type == 1)
        #expect(initiation[0].destination == TwoPeers.bEndpoint)

        net.deliverAll()
        #expect(net.bReceived == [first])
        #expect(net.a.peers()[0].lastHandshake == net.now)
        #expect(net.b.peers()[0].lastHandshake == net.now)
        // b learned a's endpoint from the authenticated initiation.
        #expect(net.b.peers()[0].endpoint == TwoPeers.aEndpoint)

        let reply = TwoPeers.bToA(IPPackets.payload(1000, seed: 7))
        net.sendFromB(reply)
        net.deliverAll()
        #expect(net.aReceived == [reply])

        for i in 0..<50 {
            let ab = TwoPeers.aToB(IPPackets.payload(i * 29, seed: UInt8(i)))
            let ba = TwoPeers.bToA(IPPackets.payload(i * 17 + 3, seed: UInt8(i)))
            net.sendFromA(ab)
            net.sendFromB(ba)
            net.deliverAll()
            #expect(net.bReceived.last == ab)
            #expect(net.aReceived.last == ba)
        }
        #expect(net.a.statistics == TunnelStatistics())
        #expect(net.b.statistics == TunnelStatistics())
        #expect(net.a.peers()[0].presharedKeySet == withPresharedKey)
    }

    @Test func mismatchedPresharedKeysNeverComplete() throws {
        var net = try TwoPeers(presharedKey: SecureBytes(randomCount: 32))
        var bPeer = try #require(net.b.peerConfiguration(for: net.aKey.publicKey))
        bPeer.presharedKey = SecureBytes(randomCount: 32)
        try net.b.addOrUpdatePeer(bPeer)
        net.handshake()
        // b accepted the initiation and answered, but a cannot authenticate the response.
        #expect(net.a.statistics.invalidResponses == 1)
        #expect(net.a.peers()[0].lastHandshake == nil)
        #expect(net.bReceived.isEmpty)
    }

    @Test func ipv6InnerPackets() throws {
        var net = try TwoPeers()
        let ab = IPPackets.v6(from: "fd00::1", to: "fd00::2", payload: IPPackets.payload(300))
        net.sendFromA(ab)
        net.deliverAll()
        let ba = IPPackets.v6(from: "fd00::2", to: "fd00::1", payload: IPPackets.payload(1200))
        net.sendFromB(ba)
        net.deliverAll()
        #expect(net.bReceived == [ab])
        #expect(net.aReceived == [ba])
    }

    @Test func messageSizesAndPadding() throws {
        var net = try TwoPeers()
        net.handshake()
        for payloadCount in [0, 1, 15, 16, 17, 100, 1380] {
            let packet = TwoPeers.aToB(IPPackets.payload(payloadCount))
            net.sendFromA(packet)
            let datagram = try #require(net.aOut.datagrams.last)
            let padded = (packet.count + 15) / 16 * 16
            #expect(datagram.type == 4)
            #expect(datagram.bytes.count == 16 + padded + 16)
            net.deliverAll()
            #expect(net.bReceived.last == packet)
        }
        // Padding stops at the MTU.
        net.a.mtu = 1420
        let full = TwoPeers.aToB(IPPackets.payload(1420 - 20 - 2))
        net.sendFromA(full)
        #expect(net.aOut.datagrams.last?.bytes.count == 16 + 1418 + 16 + 2)
        net.deliverAll()
        #expect(net.bReceived.last == full)
    }

    @Test func handshakeMessageLayout() throws {
        var net = try TwoPeers()
        net.sendFromA(TwoPeers.aToB([9]))
        let initiation = try #require(net.aOut.datagrams.first).bytes
        #expect(Array(initiation[0..<4]) == [1, 0, 0, 0])
        // MAC1 is keyed with HASH("mac1----" ‖ responder public key) over everything before it.
        let mac1Key = BLAKE2s.hash(Array("mac1----".utf8) + net.bKey.publicKey.rawRepresentation)
        let mac1 = try BLAKE2s.hash(Array(initiation[0..<116]), key: mac1Key, outputByteCount: 16)
        #expect(Array(initiation[116..<132]) == mac1)
        #expect(initiation[132..<148].allSatisfy { $0 == 0 }, "no cookie yet: MAC2 is zero")
        net.deliverAll()
        let senderIndex = Array(initiation[4..<8])
        // b's response is addressed to a's sender index.
        var net2 = try TwoPeers()
        net2.sendFromA(TwoPeers.aToB([9]))
        let init2 = try #require(net2.aOut.drain().datagrams.first)
        net2.b.receive(init2.bytes, from: TwoPeers.aEndpoint, now: net2.now, output: &net2.bOut)
        let response = try #require(net2.bOut.datagrams.first).bytes
        #expect(response.count == 92)
        #expect(Array(response[0..<4]) == [2, 0, 0, 0])
        #expect(Array(response[8..<12]) == Array(init2.bytes[4..<8]))
        #expect(senderIndex.count == 4)
    }

    @Test func responderKeysAreConfirmedByTheFirstTransportPacket() throws {
        var net = try TwoPeers()
        net.sendFromA(TwoPeers.aToB([1]))
        let initiation = net.aOut.drain().datagrams
        for d in initiation { net.b.receive(d.bytes, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut) }
        // b answered; its new keys wait in `next` and it does not send with them yet.
        let bID = try #require(net.b.peerTable.id(for: net.aKey.publicKey))
        #expect(net.b.peerTable[bID].keypairs.next != nil)
        #expect(net.b.peerTable[bID].keypairs.current == nil)
        #expect(net.b.peers()[0].lastHandshake == nil)
        let early = TwoPeers.bToA([42])
        net.sendFromB(early)
        #expect(net.bOut.count(ofType: 4) == 0, "b must not send under unconfirmed keys")
        #expect(net.bOut.count(ofType: 1) == 0, "nor start a handshake within REKEY_TIMEOUT of its response")

        // a consumes the response and sends its queued packet; b confirms on receipt and then
        // flushes what it queued.
        let response = net.bOut.drain().datagrams
        for d in response { net.a.receive(d.bytes, from: TwoPeers.bEndpoint, now: net.now, output: &net.aOut) }
        #expect(net.aOut.count(ofType: 4) == 1)
        net.deliverAll()
        #expect(net.b.peerTable[bID].keypairs.current != nil)
        #expect(net.b.peerTable[bID].keypairs.next == nil)
        #expect(net.b.peers()[0].lastHandshake == net.now)
        #expect(net.aReceived == [early])
    }

    @Test func rotationKeepsPreviousKeysForPacketsInFlight() throws {
        var net = try TwoPeers()
        net.handshake()
        // A packet sent under the first session but delivered after the second handshake.
        net.sendFromA(TwoPeers.aToB([7, 7]))
        let inFlight = net.aOut.drain().datagrams
        net.clock.advance(seconds: 121)
        net.sendFromA(TwoPeers.aToB([8]))  // sent under the old keys, then triggers a rekey
        #expect(net.aOut.count(ofType: 1) == 1)
        net.deliverAll()
        for d in inFlight { net.b.receive(d.bytes, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut) }
        #expect(net.bOut.tunPackets == [TwoPeers.aToB([7, 7])])
        // Nothing was dropped; the only extra is a's keepalive confirming the new keys.
        var expected = TunnelStatistics()
        expected.keepalivesReceived = 1
        #expect(net.b.statistics == expected)
    }

    @Test func endpointRoamsToTheSourceOfAuthenticatedPackets() throws {
        var net = try TwoPeers()
        net.handshake()
        let roamed = try Endpoint(parsing: "[2001:db8::7]:4000")
        net.sendFromA(TwoPeers.aToB([5]))
        for d in net.aOut.drain().datagrams { net.b.receive(d.bytes, from: roamed, now: net.now, output: &net.bOut) }
        #expect(net.b.peers()[0].endpoint == roamed)
        net.sendFromB(TwoPeers.bToA([6]))
        #expect(net.bOut.datagrams.last?.destination == roamed)
        // An unauthenticated packet from elsewhere does not move it.
        var forged = [UInt8](repeating: 0, count: 64)
        forged[0] = 4
        net.b.receive(forged, from: try Endpoint(parsing: "198.51.100.1:1"), now: net.now, output: &net.bOut)
        #expect(net.b.peers()[0].endpoint == roamed)
    }

    @Test func transferCountersCountWholeDatagrams() throws {
        var net = try TwoPeers()
        net.handshake()
        // Initiation 148 + keepalive? no: a's queued packet (3-byte payload → 23 bytes, padded 32) → 64.
        #expect(net.a.peers()[0].txBytes == 148 + 64)
        #expect(net.b.peers()[0].rxBytes == 148 + 64)
        #expect(net.b.peers()[0].txBytes == 92)
        #expect(net.a.peers()[0].rxBytes == 92)
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
