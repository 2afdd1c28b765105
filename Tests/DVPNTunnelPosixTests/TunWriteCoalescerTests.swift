import Glibc
import Testing

@testable import DVPNTunnelPosix

/// Coalesced writes must be exactly what the kernel would have built by GRO: cutting the coalesced
/// segment again with `TCPSegmenter` gives back the packets that went in.
@Suite struct TunWriteCoalescerTests {
    /// A coalescer writing into one end of a SOCK_SEQPACKET pair; the other end reads the writes.
    final class Harness {
        let reader: CInt
        let coalescer: TunWriteCoalescer

        init() {
            var fds: [CInt] = [0, 0]
            precondition(socketpair(AF_UNIX, CInt(SOCK_SEQPACKET.rawValue), 0, &fds) == 0)
            reader = fds[0]
            coalescer = TunWriteCoalescer(tun: TunDevice(adopting: fds[1], name: "test", hasVirtioHeader: true))
        }

        deinit { close(reader) }

        /// Every write so far, as (virtio header, packet bytes).
        func writes() -> [(VirtioNetHeader, [UInt8])] {
            var result: [(VirtioNetHeader, [UInt8])] = []
            var buffer = [UInt8](repeating: 0, count: 70_000)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(reader, $0.baseAddress, $0.count, CInt(MSG_DONTWAIT)) }
                if n <= 0 { return result }
                let header = buffer.withUnsafeBytes { VirtioNetHeader(reading: $0) }
                result.append((header, Array(buffer[VirtioNetHeader.byteCount..<n])))
            }
        }
    }

    /// The MTU-sized pieces of one TCP packet with `payload` bytes.
    func pieces(ipv6: Bool, payload: Int, size: Int = 1400, flags: UInt8 = 0x18) throws -> [[UInt8]] {
        let packet = TCPSegmenterTests().tcpPacket(ipv6: ipv6, payload: payload, flags: flags)
        var header = VirtioNetHeader()
        header.gsoType = ipv6 ? VirtioNetHeader.gsoTCPv6 : VirtioNetHeader.gsoTCPv4
        header.gsoSize = UInt16(size)
        header.checksumStart = ipv6 ? 40 : 20
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 70_000, alignment: 16)
        defer { scratch.deallocate() }
        var result: [[UInt8]] = []
        try packet.withUnsafeBytes { raw in
            try TCPSegmenter.segment(raw, header: header, into: scratch, headroom: 0) { result.append(Array(scratch[0..<$0])) }
        }
        return result
    }

    @Test(arguments: [false, true])
    func runOfOneFlowBecomesOneSegmentThatCutsBackIntoThePieces(ipv6: Bool) throws {
        let harness = Harness()
        let input = try pieces(ipv6: ipv6, payload: 4000)
        for p in input { p.withUnsafeBytes { harness.coalescer.write($0) } }
        harness.coalescer.flush()
        let writes = harness.writes()
        try #require(writes.count == 1)
        let (header, segment) = writes[0]
        #expect(header.isTCPSegmentation)
        #expect(header.needsChecksum)
        #expect(header.gsoSize == 1400)
        #expect(Int(header.checksumStart) == (ipv6 ? 40 : 20))
        #expect(header.checksumOffset == 16)
        var again: [[UInt8]] = []
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 70_000, alignment: 16)
        defer { scratch.deallocate() }
        try segment.withUnsafeBytes { raw in
            try TCPSegmenter.segment(raw, header: header, into: scratch, headroom: 0) { again.append(Array(scratch[0..<$0])) }
        }
        #expect(again == input)
    }

    @Test func gapsOtherFlowsAndBadChecksumsAreWrittenApart() throws {
        let harness = Harness()
        let input = try pieces(ipv6: false, payload: 5600)  // four full pieces
        // Out of order: 0, 2 (gap), 3.
        for i in [0, 2, 3] { input[i].withUnsafeBytes { harness.coalescer.write($0) } }
        // A corrupted copy of piece 1 (payload byte flipped, checksum now wrong).
        var damaged = input[1]
        damaged[damaged.count - 1] ^= 0xFF
        damaged.withUnsafeBytes { harness.coalescer.write($0) }
        harness.coalescer.flush()
        let writes = harness.writes()
        // Piece 0 alone, pieces 2+3 together, the damaged one alone and untouched.
        #expect(writes.map { $0.1.count } == [input[0].count, input[2].count + input[3].count - 40, damaged.count])
        #expect(!writes[0].0.isTCPSegmentation)
        #expect(writes[0].1 == input[0])
        #expect(writes[1].0.isTCPSegmentation)
        #expect(!writes[2].0.isTCPSegmentation)
        #expect(writes[2].1 == damaged)
    }

    @Test func nonTCPAndControlPacketsPassThrough() throws {
        let harness = Harness()
        let syn = try pieces(ipv6: false, payload: 100, flags: 0x02)[0]
        var udp = syn
        udp[9] = 17
        for p in [syn, udp] { p.withUnsafeBytes { harness.coalescer.write($0) } }
        harness.coalescer.flush()
        let writes = harness.writes()
        #expect(writes.map(\.1) == [syn, udp])
        #expect(writes.allSatisfy { !$0.0.isTCPSegmentation && !$0.0.needsChecksum })
    }
}
