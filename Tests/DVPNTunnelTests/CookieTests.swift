import DVPNCrypto
import Testing
@testable import DVPNTunnel

@Suite struct CookieTests {
    @Test func underLoadTheResponderAnswersWithACookieAndTheInitiatorRetriesWithMAC2() throws {
        var net = try TwoPeers()
        net.b.isUnderLoad = true
        net.sendFromA(TwoPeers.aToB([1]))
        let first = try #require(net.aOut.drain().datagrams.first)
        #expect(first.bytes[132..<148].allSatisfy { $0 == 0 }, "no cookie yet")
        net.b.receive(first.bytes, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        // b spends no DH on it: a 64-byte cookie reply to the sender index, and nothing else.
        let reply = try #require(net.bOut.drain().datagrams.first)
        #expect(reply.bytes.count == 64 && reply.type == 3)
        #expect(reply.destination == TwoPeers.aEndpoint)
        #expect(Array(reply.bytes[4..<8]) == Array(first.bytes[4..<8]))
        #expect(net.b.statistics.cookieRepliesSent == 1)
        #expect(net.b.peers()[0].endpoint == nil, "an unverified message teaches b nothing")

        net.a.receive(reply.bytes, from: TwoPeers.bEndpoint, now: net.now, output: &net.aOut)
        #expect(net.a.statistics.cookieRepliesReceived == 1)
        #expect(net.aOut.datagrams.isEmpty, "the cookie is used by the next retransmission")
        // The same reply again is refused: it answered the last MAC1, which is used up.
        net.a.receive(reply.bytes, from: TwoPeers.bEndpoint, now: net.now, output: &net.aOut)
        #expect(net.a.statistics.invalidCookieReplies == 1)

        // After REKEY_TIMEOUT a retransmits with MAC2, and b (still under load) completes.
        net.run(for: 6, deliver: true, step: 0.1)
        #expect(net.b.statistics.cookieRepliesSent == 1)
        #expect(net.a.peers()[0].lastHandshake != nil)
        #expect(net.bReceived == [TwoPeers.aToB([1])])
    }

    @Test func responsesAreCheckedForMAC2Too() throws {
        // a is under load when b's response arrives: a answers with a cookie, b retries later.
        var net = try TwoPeers()
        net.sendFromA(TwoPeers.aToB([1]))
        net.a.isUnderLoad = true
        net.deliverAll()
        #expect(net.a.statistics.cookieRepliesSent == 1)
        #expect(net.b.statistics.cookieRepliesReceived == 1)
        #expect(net.a.peers()[0].lastHandshake == nil)
        // a's retransmission gets a new response, which now carries MAC2.
        net.run(for: 6, deliver: true, step: 0.1)
        #expect(net.a.peers()[0].lastHandshake != nil)
        #expect(net.a.statistics.cookieRepliesSent == 1)
    }

    @Test func cookiesAreBoundToTheSourceAddressAndExpire() throws {
        var net = try TwoPeers()
        net.b.isUnderLoad = true
        net.sendFromA(TwoPeers.aToB([1]))
        let first = try #require(net.aOut.drain().datagrams.first)
        net.b.receive(first.bytes, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        let reply = try #require(net.bOut.drain().datagrams.first)
        net.a.receive(reply.bytes, from: TwoPeers.bEndpoint, now: net.now, output: &net.aOut)
        net.clock.advance(seconds: 5.5)
        net.a.handleTimers(now: net.now, output: &net.aOut)
        let withMAC2 = try #require(net.aOut.drain().datagrams.first)
        #expect(!withMAC2.bytes[132..<148].allSatisfy { $0 == 0 })
        // From another address the MAC2 does not verify: another cookie reply.
        var copy = net.b
        var copyOut = CapturedOutput()
        copy.receive(withMAC2.bytes, from: try Endpoint(parsing: "192.0.2.1:51821"), now: net.now, output: &copyOut)
        #expect(copyOut.count(ofType: 3) == 1)
        // After the secret rotates (two minutes), the old cookie is stale too.
        copyOut = CapturedOutput()
        copy.receive(withMAC2.bytes, from: TwoPeers.aEndpoint, now: net.now.advanced(byNanoseconds: 121_000_000_000), output: &copyOut)
        #expect(copyOut.count(ofType: 3) == 1)
        // From the right address, in time, it is accepted.
        net.b.receive(withMAC2.bytes, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        #expect(net.bOut.count(ofType: 2) == 1)
    }

    @Test func rateLimiterAllowsBurstsThenTwentyPerSecond() {
        var limiter = RateLimiter()
        let source = IPAddress.v4(IPv4Address(192, 0, 2, 1))
        var now = TunnelInstant(nanoseconds: 5_000_000_000, unixNanoseconds: 0)
        var allowed = 0
        for _ in 0..<10 {
            now = now.advanced(byNanoseconds: 1)
            if limiter.allow(source, now: now) { allowed += 1 }
        }
        #expect(allowed == 5, "a burst of five")
        let other = limiter.allow(.v4(IPv4Address(192, 0, 2, 2)), now: now)
        #expect(other, "other sources have their own bucket")
        allowed = 0
        for _ in 0..<1000 {
            now = now.advanced(byNanoseconds: 1_000_000)
            if limiter.allow(source, now: now) { allowed += 1 }
        }
        #expect((19...21).contains(allowed), "about twenty a second, got \(allowed)")
    }

    @Test func invalidMAC1IsDroppedBeforeAnyWork() throws {
        var net = try TwoPeers()
        net.sendFromA(TwoPeers.aToB([1]))
        var initiation = try #require(net.aOut.drain().datagrams.first).bytes
        initiation[120] ^= 0x80
        net.b.receive(initiation, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        #expect(net.b.statistics.invalidMAC1 == 1)
        #expect(net.bOut.datagrams.isEmpty)
    }
}
