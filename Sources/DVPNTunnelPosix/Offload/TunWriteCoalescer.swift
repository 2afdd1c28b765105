/// Writes decrypted packets to a TUN device that has offloads, joining consecutive TCP packets of
/// one flow into one large segment the kernel takes whole (receive-side coalescing, the mirror of
/// `TCPSegmenter`; Linux's `tcp_gro_receive` rules, as wireguard-go's `tun/offload_linux.go`).
///
/// A bulk transfer arrives as a run of full-sized, in-order packets of one connection; writing
/// them as one segment saves the kernel a trip through IP and TCP per packet (and the peer most
/// of its ACKs). Packets join the open segment only when nothing is lost by it: same addresses,
/// ports, acknowledgement number, header length and options, IPv4 TOS/TTL/DF, the next sequence
/// number, only ACK (and PSH, which closes the segment) set, every piece but the last of the same
/// size, and a valid TCP checksum (a damaged packet is written alone, for the kernel to drop).
/// Anything else is written as it is, after the open segment, so order is kept.
///
/// Event-loop bound, not Sendable.
final class TunWriteCoalescer {
    private let tun: TunDevice
    /// `virtio_net_hdr` then the segment being built.
    private let buffer: UnsafeMutableRawBufferPointer
    private var open: OpenSegment?
    /// Packets the TUN device refused (queue full).
    private(set) var writeFailures: UInt64 = 0

    private struct OpenSegment {
        var isIPv4: Bool
        var l4: Int
        var headerLength: Int
        var segmentSize: Int
        var count: Int
        /// Bytes after the virtio header.
        var total: Int
        var nextSequence: UInt32
        /// A shorter piece or PSH ended it.
        var closed: Bool
    }

    static let maximumSegment = 65_535
    private static let header = VirtioNetHeader.byteCount

    init(tun: TunDevice) {
        self.tun = tun
        buffer = .allocate(byteCount: Self.header + Self.maximumSegment, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    func write(_ packet: UnsafeRawBufferPointer) {
        guard let info = TCPInfo(packet), info.payload > 0, info.flagsAllowCoalescing, info.hasValidChecksum(packet) else {
            flush()
            writePlain(packet)
            return
        }
        if var segment = open, joins(info, packet, segment) {
            let end = Self.header + segment.total
            UnsafeMutableRawBufferPointer(rebasing: buffer[end..<(end + info.payload)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[info.headerLength...]))
            segment.total += info.payload
            segment.count += 1
            segment.nextSequence = info.sequence &+ UInt32(info.payload)
            // The latest window and PSH are the ones that count.
            let l4 = Self.header + segment.l4
            buffer.storeBytes(of: packet.loadUnaligned(fromByteOffset: info.l4 + 14, as: UInt16.self), toByteOffset: l4 + 14, as: UInt16.self)
            if info.flags & 0x08 != 0 { buffer[l4 + 13] |= 0x08 }
            segment.closed = info.payload < segment.segmentSize || info.flags & 0x08 != 0
            open = segment
            return
        }
        flush()
        UnsafeMutableRawBufferPointer(rebasing: buffer[Self.header..<(Self.header + packet.count)]).copyMemory(from: packet)
        open = OpenSegment(
            isIPv4: info.isIPv4, l4: info.l4, headerLength: info.headerLength, segmentSize: info.payload, count: 1,
            total: packet.count, nextSequence: info.sequence &+ UInt32(info.payload), closed: info.flags & 0x08 != 0)
    }

    private func joins(_ info: TCPInfo, _ packet: UnsafeRawBufferPointer, _ segment: OpenSegment) -> Bool {
        guard !segment.closed, info.isIPv4 == segment.isIPv4, info.headerLength == segment.headerLength,
              info.sequence == segment.nextSequence, info.payload <= segment.segmentSize,
              segment.total + info.payload <= Self.maximumSegment
        else { return false }
        let held = UnsafeRawBufferPointer(rebasing: buffer[Self.header..<(Self.header + segment.headerLength)])
        let l4 = info.l4
        // Addresses; IPv4 TOS, DF and TTL (IPv6 traffic class and hop limit are in 0..<8 and 8).
        let sameIP = info.isIPv4
            ? held[1] == packet[1] && held[6] & 0x40 == packet[6] & 0x40 && held[8] == packet[8]
                && memoryEqual(held, packet, 12..<20)
            : memoryEqual(held, packet, 0..<4) && held[7] == packet[7] && memoryEqual(held, packet, 8..<40)
        // Ports, acknowledgement number, and options (timestamps included), as tcp_gro_receive.
        return sameIP && memoryEqual(held, packet, l4..<(l4 + 4)) && memoryEqual(held, packet, (l4 + 8)..<(l4 + 12))
            && memoryEqual(held, packet, (l4 + 20)..<info.headerLength)
    }

    /// Writes the open segment, as one packet or as a coalesced segment for the kernel.
    func flush() {
        guard let segment = open else { return }
        open = nil
        let bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(Self.header + segment.total)])
        var header = VirtioNetHeader()
        if segment.count > 1 {
            let ip = UnsafeMutableRawBufferPointer(rebasing: bytes[Self.header...])
            let l4 = segment.l4
            if segment.isIPv4 {
                ip.storeBytes(of: UInt16(segment.total).bigEndian, toByteOffset: 2, as: UInt16.self)
                ip.storeBytes(of: UInt16(0), toByteOffset: 10, as: UInt16.self)
                let checksum = InternetChecksum.checksum(UnsafeRawBufferPointer(rebasing: ip[0..<20]))
                ip.storeBytes(of: checksum.bigEndian, toByteOffset: 10, as: UInt16.self)
            } else {
                ip.storeBytes(of: UInt16(segment.total - 40).bigEndian, toByteOffset: 4, as: UInt16.self)
            }
            // The TCP checksum field holds the pseudo-header sum; the kernel trusts a partial
            // checksum it is told about (CHECKSUM_PARTIAL), as it does for its own segments.
            var sum: UInt64 = 0
            InternetChecksum.add(UnsafeRawBufferPointer(rebasing: segment.isIPv4 ? ip[12..<20] : ip[8..<40]), to: &sum)
            InternetChecksum.add(word: 6, to: &sum)
            InternetChecksum.add(word: UInt16(segment.total - l4), to: &sum)
            ip.storeBytes(of: (~InternetChecksum.finish(sum)).bigEndian, toByteOffset: l4 + 16, as: UInt16.self)
            header.flags = VirtioNetHeader.flagNeedsChecksum
            header.gsoType = segment.isIPv4 ? VirtioNetHeader.gsoTCPv4 : VirtioNetHeader.gsoTCPv6
            header.headerLength = UInt16(segment.headerLength)
            header.gsoSize = UInt16(segment.segmentSize)
            header.checksumStart = UInt16(l4)
            header.checksumOffset = 16
        }
        header.write(to: bytes)
        if !tun.write(UnsafeRawBufferPointer(bytes)) { writeFailures &+= 1 }
    }

    /// One packet behind an all-zero header ("nothing to do").
    private func writePlain(_ packet: UnsafeRawBufferPointer) {
        let total = Self.header + packet.count
        guard total <= buffer.count else { return }
        VirtioNetHeader().write(to: buffer)
        UnsafeMutableRawBufferPointer(rebasing: buffer[Self.header..<total]).copyMemory(from: packet)
        if !tun.write(UnsafeRawBufferPointer(rebasing: buffer[0..<total])) { writeFailures &+= 1 }
    }

    private func memoryEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        memcmp(a.baseAddress! + range.lowerBound, b.baseAddress! + range.lowerBound, range.count) == 0
    }
}

@available(*, unavailable)
extension TunWriteCoalescer: Sendable {}

/// What the coalescer needs to know about a packet: whether it is a plain TCP packet (IPv4 without
/// options or fragments, or IPv6 without extension headers), and where its parts are.
struct TCPInfo {
    let isIPv4: Bool
    let l4: Int
    let headerLength: Int
    let payload: Int
    let sequence: UInt32
    let flags: UInt8

    init?(_ p: UnsafeRawBufferPointer) {
        guard p.count >= 40 else { return nil }
        switch p[0] >> 4 {
        case 4:
            // IHL 5, TCP, neither MF nor a fragment offset, and a total length that is the packet.
            guard p[0] == 0x45, p[9] == 6, p[6] & 0x3F == 0, p[7] == 0,
                  Int(p[2]) << 8 | Int(p[3]) == p.count
            else { return nil }
            isIPv4 = true
            l4 = 20
        case 6:
            guard p.count >= 60, p[6] == 6, Int(p[4]) << 8 | Int(p[5]) + 40 == p.count else { return nil }
            isIPv4 = false
            l4 = 40
        default:
            return nil
        }
        let tcpHeader = Int(p[l4 + 12] >> 4) * 4
        guard tcpHeader >= 20, l4 + tcpHeader <= p.count else { return nil }
        headerLength = l4 + tcpHeader
        payload = p.count - headerLength
        sequence = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: l4 + 4, as: UInt32.self))
        flags = p[l4 + 13]
    }

    /// ACK, optionally PSH; nothing else (SYN, FIN, RST, URG, ECE, CWR end coalescing).
    var flagsAllowCoalescing: Bool { flags & ~0x08 == 0x10 }

    func hasValidChecksum(_ p: UnsafeRawBufferPointer) -> Bool {
        var sum: UInt64 = 0
        InternetChecksum.add(UnsafeRawBufferPointer(rebasing: isIPv4 ? p[12..<20] : p[8..<40]), to: &sum)
        InternetChecksum.add(word: 6, to: &sum)
        InternetChecksum.add(word: UInt16(p.count - l4), to: &sum)
        InternetChecksum.add(UnsafeRawBufferPointer(rebasing: p[l4...]), to: &sum)
        return InternetChecksum.finish(sum) == 0
    }
}

#if canImport(Glibc)
import Glibc
#endif
