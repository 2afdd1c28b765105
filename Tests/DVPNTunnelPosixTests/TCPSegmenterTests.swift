import DVPNTunnel
import Testing

@testable import DVPNTunnelPosix

/// The pieces of a TUN offload read must be packets the receiving kernel accepts: valid IP and TCP
/// checksums, consecutive sequence numbers, the right lengths and flags.
@Suite struct TCPSegmenterTests {
    @Test func rfc1071Example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement), checksum 220d.
        let bytes: [UInt8] = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7]
        #expect(bytes.withUnsafeBytes { InternetChecksum.checksum($0) } == 0x220D)
        // An odd length pads with a zero byte.
        let odd: [UInt8] = [0x00, 0x01, 0xF2]
        #expect(odd.withUnsafeBytes { InternetChecksum.checksum($0) } == ~UInt16(0xF201))
    }

    @Test func checksumMatchesANaiveSumOnRandomData() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 3, 15, 16, 17, 1399, 1500, 9001] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var naive: UInt32 = 0
            for i in stride(from: 0, to: length, by: 2) {
                naive += UInt32(bytes[i]) << 8 | (i + 1 < length ? UInt32(bytes[i + 1]) : 0)
            }
            while naive > 0xFFFF { naive = (naive & 0xFFFF) + (naive >> 16) }
            #expect(bytes.withUnsafeBytes { InternetChecksum.checksum($0) } == ~UInt16(naive), "length \(length)")
        }
    }

    /// An IPv4/TCP packet with `payload` bytes, as the kernel would hand it over with TSO.
    func tcpPacket(ipv6: Bool, payload: Int, flags: UInt8) -> [UInt8] {
        let ipHeader = ipv6 ? 40 : 20
        var p = [UInt8](repeating: 0, count: ipHeader + 20 + payload)
        if ipv6 {
            p[0] = 0x60
            p[4] = UInt8((20 + payload) >> 8); p[5] = UInt8((20 + payload) & 0xFF)
            p[6] = 6; p[7] = 64
            for i in 0..<16 { p[8 + i] = UInt8(i); p[24 + i] = UInt8(0xF0 + i) }
        } else {
            p[0] = 0x45
            let total = p.count
            p[2] = UInt8(total >> 8); p[3] = UInt8(total & 0xFF)
            p[4] = 0x12; p[5] = 0x34
            p[6] = 0x40; p[8] = 64; p[9] = 6
            p[12...15] = [203, 0, 113, 1]; p[16...19] = [203, 0, 113, 2]
        }
        let t = ipHeader
        p[t] = 0x13; p[t + 1] = 0x89; p[t + 2] = 0xC0; p[t + 3] = 0x01
        p[t + 4...t + 7] = [0xFF, 0xFF, 0xFF, 0x00]  // sequence near wrap-around
        p[t + 12] = 0x50; p[t + 13] = flags
        p[t + 14] = 0xFF; p[t + 15] = 0xFF
        for i in 0..<payload { p[t + 20 + i] = UInt8(truncatingIfNeeded: i &* 7) }
        return p
    }

    func verifyTCPChecksum(_ s: [UInt8], ipv6: Bool) -> Bool {
        let l4 = ipv6 ? 40 : 20
        var sum: UInt64 = 0
        s.withUnsafeBytes { raw in
            InternetChecksum.add(UnsafeRawBufferPointer(rebasing: ipv6 ? raw[8..<40] : raw[12..<20]), to: &sum)
            InternetChecksum.add(word: 6, to: &sum)
            InternetChecksum.add(word: UInt16(s.count - l4), to: &sum)
            InternetChecksum.add(UnsafeRawBufferPointer(rebasing: raw[l4...]), to: &sum)
        }
        return InternetChecksum.finish(sum) == 0
    }

    @Test(arguments: [false, true])
    func segmentsAreValidPackets(ipv6: Bool) throws {
        let l4 = ipv6 ? 40 : 20
        let packet = tcpPacket(ipv6: ipv6, payload: 3000, flags: 0x18 | 0x01 | 0x80)  // PSH ACK FIN CWR
        var header = VirtioNetHeader()
        header.flags = VirtioNetHeader.flagNeedsChecksum
        header.gsoType = ipv6 ? VirtioNetHeader.gsoTCPv6 : VirtioNetHeader.gsoTCPv4
        header.gsoSize = 1400
        header.checksumStart = UInt16(l4)
        header.checksumOffset = 16
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_600, alignment: 16)
        defer { scratch.deallocate() }
        var segments: [[UInt8]] = []
        try packet.withUnsafeBytes { raw in
            try TCPSegmenter.segment(raw, header: header, into: scratch, headroom: 16) { length in
                segments.append(Array(scratch[16..<(16 + length)]))
            }
        }
        #expect(segments.map(\.count) == [l4 + 20 + 1400, l4 + 20 + 1400, l4 + 20 + 200])
        var payload: [UInt8] = []
        for (i, s) in segments.enumerated() {
            if ipv6 {
                #expect(Int(s[4]) << 8 | Int(s[5]) == s.count - 40)
            } else {
                #expect(Int(s[2]) << 8 | Int(s[3]) == s.count)
                #expect(Int(s[4]) << 8 | Int(s[5]) == 0x1234 + i)
                #expect(s.withUnsafeBytes { InternetChecksum.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<20])) } == 0)
            }
            let sequence = UInt32(s[l4 + 4]) << 24 | UInt32(s[l4 + 5]) << 16 | UInt32(s[l4 + 6]) << 8 | UInt32(s[l4 + 7])
            #expect(sequence == 0xFFFF_FF00 &+ UInt32(i * 1400))
            let flags = s[l4 + 13]
            #expect(flags & 0x10 != 0)
            #expect((flags & 0x09 != 0) == (i == 2), "FIN/PSH only on the last")
            #expect((flags & 0x80 != 0) == (i == 0), "CWR only on the first")
            #expect(verifyTCPChecksum(s, ipv6: ipv6))
            payload += s[(l4 + 20)...]
        }
        #expect(payload == Array(packet[(l4 + 20)...]))
    }

    @Test func malformedReadsThrow() {
        var header = VirtioNetHeader()
        header.gsoType = VirtioNetHeader.gsoTCPv4
        header.gsoSize = 1400
        header.checksumStart = 20
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
        defer { scratch.deallocate() }
        for packet in [[UInt8](), [0x45] + [UInt8](repeating: 0, count: 30), [0x75] + [UInt8](repeating: 0, count: 60)] {
            #expect(throws: TCPSegmenter.Failure.self) {
                try packet.withUnsafeBytes { try TCPSegmenter.segment($0, header: header, into: scratch, headroom: 16) { _ in } }
            }
        }
    }

    @Test func completesAPartialChecksum() throws {
        // A UDP/IPv4 packet whose checksum field holds the pseudo-header sum, as the kernel leaves it.
        var p = [UInt8](repeating: 0, count: 20 + 8 + 5)
        p[0] = 0x45; p[9] = 17
        p[12...15] = [203, 0, 113, 1]; p[16...19] = [203, 0, 113, 2]
        p[20...23] = [0x30, 0x39, 0x00, 0x35]; p[24] = 0; p[25] = 13
        p[28...32] = [104, 101, 108, 108, 111]
        var pseudo: UInt64 = 0
        p.withUnsafeBytes { InternetChecksum.add(UnsafeRawBufferPointer(rebasing: $0[12..<20]), to: &pseudo) }
        InternetChecksum.add(word: 17, to: &pseudo)
        InternetChecksum.add(word: 13, to: &pseudo)
        let partial = ~InternetChecksum.finish(pseudo)
        p[26] = UInt8(partial >> 8); p[27] = UInt8(partial & 0xFF)
        try p.withUnsafeMutableBytes { try TCPSegmenter.completeChecksum($0, start: 20, offset: 6) }
        var sum: UInt64 = 0
        p.withUnsafeBytes { raw in
            InternetChecksum.add(UnsafeRawBufferPointer(rebasing: raw[12..<20]), to: &sum)
            InternetChecksum.add(word: 17, to: &sum)
            InternetChecksum.add(word: 13, to: &sum)
            InternetChecksum.add(UnsafeRawBufferPointer(rebasing: raw[20...]), to: &sum)
        }
        #expect(InternetChecksum.finish(sum) == 0)
    }
}

/// When the device counts as under load (whitepaper §5.3): more than 128 handshake messages in a
/// second, and for a second after.
@Suite struct HandshakeLoadMeterTests {
    @Test func thresholdAndHoldTime() {
        var meter = HandshakeLoadMeter()
        let start: UInt64 = 10_000_000_000
        func at(_ ns: UInt64) -> DVPNTunnel.TunnelInstant { .init(nanoseconds: start + ns, unixNanoseconds: 0) }
        var answers: [Bool] = []
        for i in 0..<128 { answers.append(meter.record(at: at(UInt64(i) * 1_000_000))) }
        #expect(answers.allSatisfy { !$0 })
        let overThreshold = meter.record(at: at(200_000_000))  // the 129th in the same second
        let held = meter.record(at: at(1_100_000_000))  // a new window, but within the hold time
        let released = meter.record(at: at(1_300_000_000))  // hold time over, one message in this window
        #expect(overThreshold)
        #expect(held)
        #expect(!released)
    }
}
