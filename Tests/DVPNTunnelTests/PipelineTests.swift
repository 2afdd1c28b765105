import DVPNCrypto
import Dispatch
import Testing
@testable import DVPNTunnel

/// The split data path (prepare on the device, seal/open anywhere, complete on the device), as a
/// multi-threaded I/O layer would use it.
@Suite struct PipelineTests {
    /// A sink that ignores everything (prepared transport packets are not sent by the core).
    struct Discard: TunnelOutput {
        var datagrams = 0
        mutating func sendDatagram(_ datagram: UnsafeRawBufferPointer, to endpoint: Endpoint) { datagrams += 1 }
        mutating func writeToTUN(_ packet: UnsafeRawBufferPointer) {}
    }

    @Test func sealAndOpenOnOtherThreadsInAnyOrder() throws {
        var net = try TwoPeers()
        net.handshake()
        let count = 2_000
        let packets = (0..<count).map { TwoPeers.aToB(IPPackets.payload(40 + $0 % 1300, seed: UInt8($0 % 251))) }
        let stride = 16 + 1400 + 32
        let buffers = UnsafeMutableRawBufferPointer.allocate(byteCount: stride * count, alignment: 16)
        defer { buffers.deallocate() }
        func buffer(_ i: Int) -> UnsafeMutableRawBufferPointer {
            UnsafeMutableRawBufferPointer(rebasing: buffers[(i * stride)..<((i + 1) * stride)])
        }

        // Prepare on "the event loop"…
        var aOut = Discard()
        var seals: [PendingSeal] = []
        for (i, packet) in packets.enumerated() {
            packet.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer(i)[16...]).copyMemory(from: $0) }
            let pending = net.a.prepareOutgoingIPPacket(
                inPlace: UnsafeMutableRawBufferPointer(rebasing: buffer(i)[..<(16 + packet.count + 32)]),
                packetCount: packet.count, now: net.now, output: &aOut)
            seals.append(try #require(pending))
            #expect(seals[i].endpoint == TwoPeers.bEndpoint)
        }
        #expect(aOut.datagrams == 0)
        // …seal on worker threads…
        let lengths = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { lengths.deallocate() }
        let sealing = seals
        nonisolated(unsafe) let unsafeBuffers = buffers
        nonisolated(unsafe) let unsafeLengths = lengths
        DispatchQueue.concurrentPerform(iterations: count) { i in
            let region = UnsafeMutableRawBufferPointer(rebasing: unsafeBuffers[(i * stride)..<((i + 1) * stride)])
            unsafeLengths[i] = sealing[i].seal(region).count
        }
        // …and receive them in reverse order, also opened on worker threads.
        var bOut = CapturedOutput()
        var opens: [(index: Int, pending: PendingOpen)] = []
        for i in (0..<count).reversed() {
            let datagram = UnsafeMutableRawBufferPointer(rebasing: buffer(i)[..<lengths[i]])
            if let pending = net.b.prepareDatagram(datagram, from: TwoPeers.aEndpoint, now: net.now, output: &bOut) {
                opens.append((i, pending))
            }
        }
        #expect(opens.count == count)
        let plaintextCounts = UnsafeMutableBufferPointer<Int?>.allocate(capacity: count)
        defer { plaintextCounts.deallocate() }
        nonisolated(unsafe) let unsafeCounts = plaintextCounts
        let opening = opens
        DispatchQueue.concurrentPerform(iterations: opening.count) { j in
            let i = opening[j].index
            let datagram = UnsafeMutableRawBufferPointer(rebasing: unsafeBuffers[(i * stride)..<(i * stride + unsafeLengths[i])])
            unsafeCounts[j] = opening[j].pending.open(datagram)
        }
        for (j, open) in opens.enumerated() {
            let datagram = UnsafeMutableRawBufferPointer(rebasing: buffer(open.index)[..<lengths[open.index]])
            net.b.completeDatagram(open.pending, plaintextCount: plaintextCounts[j], datagram: datagram, from: TwoPeers.aEndpoint, now: net.now, output: &bOut)
        }
        #expect(bOut.tunPackets == packets.reversed())
        #expect(net.b.statistics.replayedPackets == 0 && net.b.statistics.decryptionFailures == 0)
        #expect(net.a.peers()[0].txBytes == net.b.peers()[0].rxBytes)

        // Completing one twice is a replay.
        let last = try #require(opens.last)
        let datagram = UnsafeMutableRawBufferPointer(rebasing: buffer(last.index)[..<lengths[last.index]])
        net.b.completeDatagram(last.pending, plaintextCount: plaintextCounts[opens.count - 1], datagram: datagram, from: TwoPeers.aEndpoint, now: net.now, output: &bOut)
        #expect(net.b.statistics.replayedPackets == 1)
    }

    @Test func aKeyPairRotatedOutBetweenTheHalvesIsDropped() throws {
        var net = try TwoPeers()
        net.handshake()
        net.sendFromA(TwoPeers.aToB([1]))
        var datagram = try #require(net.aOut.drain().datagrams.first).bytes
        try datagram.withUnsafeMutableBytes { buffer in
            let pending = try #require(net.b.prepareDatagram(buffer, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut))
            let count = pending.open(buffer)
            // Meanwhile b's keys are zeroed.
            net.b.removeAllPeers()
            net.b.completeDatagram(pending, plaintextCount: count, datagram: buffer, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        }
        #expect(net.bOut.tunPackets.isEmpty)
        #expect(net.b.statistics.unknownReceiverIndex == 1)
    }
}
