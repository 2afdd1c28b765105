import DVPNClient
import Testing

/// When `dvpn connect` moves to the next offer (issue 8 item 9), with a fake clock: silence of
/// the session API, a one-way tunnel, no handshake; an idle tunnel is not a failure.
@Suite struct ConnectFailoverTests {
    @Test func aNodeThatKeepsAnsweringIsHealthy() {
        var monitor = FailoverMonitor(startedAt: 0)
        for second in 1...60 {
            let now = UInt64(second) * 1_000
            monitor.replied(at: now)
            monitor.tunnel(rxBytes: UInt64(second) * 10_000, txBytes: UInt64(second) * 1_000, handshakeCompleted: true, at: now)
            #expect(monitor.check(now: now + 999) == .healthy)
        }
    }

    @Test func silenceOfTheSessionAPIFailsOverAfterFiveSeconds() {
        var monitor = FailoverMonitor(startedAt: 0)
        monitor.tunnel(rxBytes: 0, txBytes: 0, handshakeCompleted: true, at: 0)
        monitor.replied(at: 10_000)
        #expect(monitor.check(now: 14_999) == .healthy)
        #expect(monitor.check(now: 15_000) == .failover("no session reply for 5 s"))
        monitor.replied(at: 9_000)
        #expect(monitor.check(now: 15_000) == .failover("no session reply for 5 s"), "an older reply does not move time back")
        // A reply resets it.
        monitor.replied(at: 15_000)
        #expect(monitor.check(now: 19_999) == .healthy)
    }

    @Test func aOneWayTunnelFailsOverEvenWhenTheAPIAnswers() {
        var monitor = FailoverMonitor(startedAt: 0)
        monitor.tunnel(rxBytes: 5_000, txBytes: 1_000, handshakeCompleted: true, at: 1_000)
        for second in 2...17 {
            let now = UInt64(second) * 1_000
            monitor.replied(at: now)
            // Sending, nothing back.
            monitor.tunnel(rxBytes: 5_000, txBytes: 1_000 + UInt64(second) * 500, handshakeCompleted: true, at: now)
        }
        #expect(monitor.check(now: 15_999) == .healthy)
        #expect(monitor.check(now: 16_000) == .failover("the tunnel sent for 15 s and received nothing"))
        // Something came back: healthy again.
        monitor.tunnel(rxBytes: 6_000, txBytes: 5_000, handshakeCompleted: true, at: 17_000)
        #expect(monitor.check(now: 17_500) == .healthy)
    }

    /// Traffic the exit refuses (port 25, a private range) is dropped there and never answered;
    /// the node is alive (its API answers, and WireGuard would send a keepalive within 10 s of
    /// data it received). Seen in the testbed's policy check: a 5 s window left a healthy node.
    @Test func refusedTrafficForLessThanTheKeepaliveWindowIsNotAFailure() {
        var monitor = FailoverMonitor(startedAt: 0)
        monitor.tunnel(rxBytes: 5_000, txBytes: 1_000, handshakeCompleted: true, at: 0)
        for second in 1...9 {
            let now = UInt64(second) * 1_000
            monitor.replied(at: now)
            monitor.tunnel(rxBytes: 5_000, txBytes: 1_000 + UInt64(second) * 60, handshakeCompleted: true, at: now)
            #expect(monitor.check(now: now) == .healthy)
        }
        // The peer's passive keepalive arrives (32 bytes): still healthy, and the window restarts.
        monitor.tunnel(rxBytes: 5_032, txBytes: 1_600, handshakeCompleted: true, at: 10_000)
        for second in 11...24 {
            let now = UInt64(second) * 1_000
            monitor.replied(at: now)
            monitor.tunnel(rxBytes: 5_032, txBytes: 1_600 + UInt64(second) * 60, handshakeCompleted: true, at: now)
        }
        #expect(monitor.check(now: 24_999) == .healthy)
        #expect(monitor.check(now: 25_000) == .failover("the tunnel sent for 15 s and received nothing"))
    }

    @Test func anIdleTunnelIsNotAFailure() {
        var monitor = FailoverMonitor(startedAt: 0)
        for second in 1...30 {
            let now = UInt64(second) * 1_000
            monitor.replied(at: now)
            monitor.tunnel(rxBytes: 0, txBytes: 0, handshakeCompleted: false, at: now)
            #expect(monitor.check(now: now) == .healthy)
        }
    }

    @Test func noHandshakeForTrafficThatWantsOut() {
        var monitor = FailoverMonitor(startedAt: 0, silenceMilliseconds: 60_000, handshakeTimeoutMilliseconds: 10_000)
        // Handshake initiations go out (tx rises), no response: the WireGuard path is dead.
        for second in 1...11 {
            let now = UInt64(second) * 1_000
            monitor.replied(at: now)
            monitor.tunnel(rxBytes: 0, txBytes: UInt64(second) * 148, handshakeCompleted: false, at: now)
        }
        #expect(monitor.check(now: 9_999) == .healthy)
        #expect(monitor.check(now: 10_000) == .failover("no WireGuard handshake within 10 s"))
    }
}
