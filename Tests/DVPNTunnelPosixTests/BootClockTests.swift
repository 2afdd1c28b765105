import Foundation
import Testing

@testable import DVPNTunnelPosix

/// The tunnel's clocks: boot time only moves forward; wall time is the Unix epoch `wg` expects.
@Suite struct BootClockTests {
    @Test func bootTimeIsMonotonicAndAdvances() throws {
        let first = BootClock.nanoseconds()
        var previous = first
        for _ in 0..<10_000 {
            let now = BootClock.nanoseconds()
            #expect(now >= previous)
            previous = now
        }
        Thread.sleep(forTimeInterval: 0.02)
        #expect(BootClock.nanoseconds() - first >= 20_000_000)
    }

    @Test func wallClockIsTheUnixEpoch() {
        let (seconds, nanoseconds) = BootClock.wallClock()
        #expect(abs(Double(seconds) - Date().timeIntervalSince1970) < 5)
        #expect((0..<1_000_000_000).contains(nanoseconds))
    }
}
