import DVPNCrypto
import Foundation
import Testing
@testable import DVPNTunnel

/// Cost of the transport path per packet, against the bare AEAD it wraps. Run it in release:
/// `DVPN_TUNNEL_BENCH=1 swift test -c release --filter TransportBenchmark`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["DVPN_TUNNEL_BENCH"] != nil, "set DVPN_TUNNEL_BENCH=1 to run"))
struct TransportBenchmark {
    /// Remembers where the last datagram is instead of copying it, as a batching I/O layer would.
    struct InPlaceOutput: TunnelOutput {
        var lastDatagram = UnsafeRawBufferPointer(start: nil, count: 0)
        var tunBytes = 0
        mutating func sendDatagram(_ datagram: UnsafeRawBufferPointer, to endpoint: Endpoint) { lastDatagram = datagram }
        mutating func writeToTUN(_ packet: UnsafeRawBufferPointer) { tunBytes &+= packet.count }
    }

    @Test(arguments: [1420, 512, 64])
    func transportPath(packetSize: Int) throws {
        var net = try TwoPeers()
        net.handshake()
        let packet = TwoPeers.aToB(IPPackets.payload(packetSize - 20))
        let iterations = 300_000
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 + packet.count + 32, alignment: 16)
        defer { buffer.deallocate() }
        let now = net.now
        var aOut = InPlaceOutput()
        var bOut = InPlaceOutput()

        let sealOnly = measure(iterations) {
            packet.withUnsafeBytes { (buffer.baseAddress! + 16).copyMemory(from: $0.baseAddress!, byteCount: packet.count) }
            net.a.handleOutgoingIPPacket(inPlace: buffer, packetCount: packet.count, now: now, output: &aOut)
        }
        let roundTrip = measure(iterations) {
            packet.withUnsafeBytes { (buffer.baseAddress! + 16).copyMemory(from: $0.baseAddress!, byteCount: packet.count) }
            net.a.handleOutgoingIPPacket(inPlace: buffer, packetCount: packet.count, now: now, output: &aOut)
            net.b.handleDatagram(UnsafeMutableRawBufferPointer(mutating: aOut.lastDatagram), from: TwoPeers.aEndpoint, now: now, output: &bOut)
        }
        #expect(bOut.tunBytes == iterations * packet.count)
        #expect(net.b.statistics.decryptionFailures == 0 && net.b.statistics.replayedPackets == 0)

        // The bare AEAD on the same sizes.
        let key = SecureBytes(randomCount: 32)
        let padded = (packet.count + 15) / 16 * 16
        var counter: UInt64 = 0
        let bareSeal = measure(iterations) {
            counter &+= 1
            _ = key.withUnsafeBytes { k in
                ChaChaPoly.sealInPlace(
                    UnsafeMutableRawBufferPointer(rebasing: buffer[16..<(16 + padded + 16)]),
                    plaintextCount: padded, key: k, counter: counter)
            }
        }
        let bareRoundTrip = measure(iterations) {
            counter &+= 1
            _ = key.withUnsafeBytes { k in
                let sealed = ChaChaPoly.sealInPlace(
                    UnsafeMutableRawBufferPointer(rebasing: buffer[16..<(16 + padded + 16)]),
                    plaintextCount: padded, key: k, counter: counter)
                return ChaChaPoly.openInPlace(
                    UnsafeMutableRawBufferPointer(rebasing: buffer[16..<(16 + sealed)]), key: k, counter: counter)
            }
        }
        let perPacket = { (total: Double) in total / Double(iterations) }
        let overheadSend = perPacket(sealOnly) - perPacket(bareSeal)
        let overheadReceive = (perPacket(roundTrip) - perPacket(sealOnly)) - (perPacket(bareRoundTrip) - perPacket(bareSeal))
        print("""
            transport \(packet.count) B: send \(format(perPacket(sealOnly))) ns, receive \(format(perPacket(roundTrip) - perPacket(sealOnly))) ns; \
            bare AEAD seal \(format(perPacket(bareSeal))) ns, open \(format(perPacket(bareRoundTrip) - perPacket(bareSeal))) ns; \
            core overhead send \(format(overheadSend)) ns, receive \(format(overheadReceive)) ns
            """)
    }

    /// CPU time of this thread (not wall time, so other processes on a busy machine count less).
    private func measure(_ iterations: Int, _ body: () -> Void) -> Double {
        func cpuNanoseconds() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
        }
        let start = cpuNanoseconds()
        for _ in 0..<iterations { body() }
        return cpuNanoseconds() - start
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
