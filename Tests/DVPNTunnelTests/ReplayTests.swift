import DVPNCrypto
import DVPNTestSupport
import Testing
@testable import DVPNTunnel

@Suite struct ReplayWindowTests {
    private static let limit = ProtocolConstants.rejectAfterMessages

    /// Feeds `counters` to `window` and returns which were accepted.
    private static func feed(_ window: inout ReplayWindow, _ counters: [UInt64]) -> [Bool] {
        counters.map { window.validate($0, limit: limit) }
    }

    @Test func acceptsEachCounterOnce() {
        var window = ReplayWindow()
        let counters = Array(0..<5000 as Range<UInt64>)
        #expect(Self.feed(&window, counters).allSatisfy { $0 })
        #expect(Self.feed(&window, counters).allSatisfy { !$0 })
    }

    @Test func outOfOrderWithinTheWindow() {
        var window = ReplayWindow()
        let edge = 10_000 - ReplayWindow.windowSize
        // Anything within the window size behind the highest counter is accepted once; 2047
        // behind is the whitepaper's minimum window. A big jump forward clears the whole ring.
        let results = Self.feed(&window, [10_000, edge, edge, edge - 1, 9_999, 7_953, 10_000, 1_000_000, 9_999, 999_999])
        #expect(results == [true, true, false, false, true, true, false, true, false, true])
    }

    @Test func matchesAReferenceModel() {
        // A set of seen counters and "highest − counter ≤ window size" is the specification.
        var window = ReplayWindow()
        var seen = Set<UInt64>()
        var highest: UInt64 = 0
        var rng = Fuzzer(seed: 42)
        var base: UInt64 = 0
        var mismatches = 0
        for _ in 0..<200_000 {
            let r = rng.next()
            if r % 50 == 0 { base += r % 20_000 }
            let counter = base &+ (r >> 8) % 9_000
            let expected = !seen.contains(counter) && (counter > highest || highest - counter <= ReplayWindow.windowSize)
            if window.validate(counter, limit: Self.limit) != expected { mismatches += 1 }
            if expected {
                seen.insert(counter)
                highest = max(highest, counter)
            }
        }
        #expect(mismatches == 0)
        #expect(seen.count > 50_000)
    }

    @Test func rejectsCountersAtTheLimit() {
        var window = ReplayWindow()
        #expect(Self.feed(&window, [Self.limit, .max, Self.limit - 1]) == [false, false, true])
    }
}

@Suite struct ReplayedMessageTests {
    @Test func replayedTransportPacketIsDroppedAndCounted() throws {
        var net = try TwoPeers()
        net.handshake()
        let packet = TwoPeers.aToB([1, 2, 3, 4])
        net.sendFromA(packet)
        let datagram = try #require(net.aOut.drain().datagrams.first)
        for _ in 0..<3 { net.b.receive(datagram.bytes, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut) }
        #expect(net.bOut.tunPackets == [packet])
        #expect(net.b.statistics.replayedPackets == 2)
        // A replay from another address does not move the endpoint either.
        let elsewhere = try Endpoint(parsing: "203.0.113.9:9")
        net.b.receive(datagram.bytes, from: elsewhere, now: net.now, output: &net.bOut)
        #expect(net.b.statistics.replayedPackets == 3)
        #expect(net.b.peers()[0].endpoint == TwoPeers.aEndpoint)
    }

    @Test func tamperedTransportPacketFailsAuthentication() throws {
        var net = try TwoPeers()
        net.handshake()
        net.sendFromA(TwoPeers.aToB([1, 2, 3]))
        var datagram = try #require(net.aOut.drain().datagrams.first).bytes
        datagram[20] ^= 1
        net.b.receive(datagram, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        #expect(net.b.statistics.decryptionFailures == 1)
        datagram[20] ^= 1
        datagram[8] ^= 1  // the counter is authenticated as the nonce
        net.b.receive(datagram, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        #expect(net.b.statistics.decryptionFailures == 2)
        datagram[8] ^= 1
        datagram[4] ^= 1  // unknown receiver
        net.b.receive(datagram, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        #expect(net.b.statistics.unknownReceiverIndex == 1)
        #expect(net.bOut.tunPackets.isEmpty)
    }

    @Test func replayedInitiationIsDroppedAndCounted() throws {
        var net = try TwoPeers()
        net.sendFromA(TwoPeers.aToB([1]))
        let initiation = try #require(net.aOut.drain().datagrams.first).bytes
        net.b.receive(initiation, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        #expect(net.bOut.drain().datagrams.count == 1)
        // The same initiation later (past the flood interval): same timestamp, so a replay.
        net.clock.advance(seconds: 1)
        net.b.receive(initiation, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        #expect(net.bOut.datagrams.isEmpty)
        #expect(net.b.statistics.replayedInitiations == 1)
    }

    @Test func olderInitiationIsDropped() throws {
        var net = try TwoPeers()
        net.sendFromA(TwoPeers.aToB([1]))
        let older = try #require(net.aOut.drain().datagrams.first).bytes
        net.clock.advance(seconds: 6)
        net.a.handleTimers(now: net.now, output: &net.aOut)  // retransmission: a newer timestamp
        let newer = try #require(net.aOut.drain().datagrams.first).bytes
        net.b.receive(newer, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        #expect(net.bOut.drain().datagrams.count == 1)
        net.clock.advance(seconds: 1)
        net.b.receive(older, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        #expect(net.bOut.datagrams.isEmpty)
        #expect(net.b.statistics.replayedInitiations == 1)
    }

    @Test func initiationsCloserThan20msAreDropped() throws {
        // Two initiators with a's key (as if a restarted), whose wall clocks are 50 ms apart so the
        // timestamps increase, arriving at b 10 ms apart.
        let net = try TwoPeers()
        var b = net.b
        var out = CapturedOutput()
        func initiation(unixOffsetMilliseconds: UInt64) throws -> [UInt8] {
            var a = WireGuardDevice(configuration: InterfaceConfiguration(privateKey: net.aKey))
            try a.addOrUpdatePeer(PeerConfiguration(
                publicKey: net.bKey.publicKey, endpoint: TwoPeers.bEndpoint,
                allowedIPs: [try IPPrefix(parsing: "10.9.0.2/32")]))
            var clock = net.clock
            clock.now.unixNanoseconds += unixOffsetMilliseconds * 1_000_000
            var aOut = CapturedOutput()
            a.send(TwoPeers.aToB([1]), now: clock.now, output: &aOut)
            return try #require(aOut.datagrams.first).bytes
        }
        let first = try initiation(unixOffsetMilliseconds: 0)
        let second = try initiation(unixOffsetMilliseconds: 50)
        let third = try initiation(unixOffsetMilliseconds: 100)
        var now = net.now
        b.receive(first, from: TwoPeers.aEndpoint, now: now, output: &out)
        now = now.advanced(byNanoseconds: 10_000_000)
        b.receive(second, from: TwoPeers.aEndpoint, now: now, output: &out)
        #expect(b.statistics.floodedInitiations == 1)
        now = now.advanced(byNanoseconds: 10_000_000)  // exactly 20 ms after the first: still a flood
        b.receive(third, from: TwoPeers.aEndpoint, now: now, output: &out)
        #expect(b.statistics.floodedInitiations == 2)
        now = now.advanced(byNanoseconds: 1)
        b.receive(third, from: TwoPeers.aEndpoint, now: now, output: &out)
        #expect(b.statistics.floodedInitiations == 2)
        #expect(out.count(ofType: 2) == 2, "the first and the last were answered")
    }

    @Test func peerWithTheWrongKeyNeverCompletes() throws {
        // b expects some other key than a's: a's initiations authenticate (MAC1 is b's) but name
        // an unknown peer.
        var net = try TwoPeers(bExpects: X25519.PrivateKey().publicKey)
        net.sendFromA(TwoPeers.aToB([1]))
        net.run(for: 120, deliver: true, step: 0.5)
        #expect(net.a.peers()[0].lastHandshake == nil)
        #expect(net.b.peers()[0].lastHandshake == nil)
        #expect(net.b.statistics.invalidInitiations == 20)
        #expect(net.bReceived.isEmpty)

        // a has the wrong key for b: its MAC1 is for someone else, b drops it before any DH.
        var other = try TwoPeers()
        var aPeer = try #require(other.a.peerConfiguration(for: other.bKey.publicKey))
        other.a.removePeer(other.bKey.publicKey)
        aPeer.publicKey = X25519.PrivateKey().publicKey
        try other.a.addOrUpdatePeer(aPeer)
        other.sendFromA(TwoPeers.aToB([1]))
        other.run(for: 30, deliver: true)
        #expect(other.b.statistics.invalidMAC1 >= 5)
        #expect(other.a.peers()[0].lastHandshake == nil)
    }
}
