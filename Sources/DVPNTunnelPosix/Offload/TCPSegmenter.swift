/// Turns what a TUN descriptor with offloads returns into the IP packets WireGuard encrypts, as
/// the kernel's own `tcp_gso_segment` and `skb_checksum_help` would (after wireguard-go's
/// `tun/offload_linux.go`, which does the same for the same reason).
///
/// A TCP segment of up to 64 KiB becomes MTU-sized packets: each gets a copy of the IP and TCP
/// headers with its own IPv4 total length, identification and header checksum (or IPv6 payload
/// length), its own sequence number, FIN and PSH only on the last and CWR only on the first, and a
/// full TCP checksum. Letting the kernel hand over large segments saves it (and us) one trip
/// through the stack and one system call per packet, which is most of the cost of a tunnel.
enum TCPSegmenter {
    enum Failure: Error { case malformed }

    /// Finishes a partial checksum in place (`NEEDS_CSUM` without segmentation): the sum over
    /// `packet[start...]` (which holds the pseudo-header sum in its checksum field) is stored at
    /// `start + offset`.
    static func completeChecksum(_ packet: UnsafeMutableRawBufferPointer, start: Int, offset: Int) throws(Failure) {
        guard start + offset + 2 <= packet.count else { throw .malformed }
        var sum: UInt64 = 0
        InternetChecksum.add(UnsafeRawBufferPointer(rebasing: packet[start...]), to: &sum)
        var checksum = InternetChecksum.finish(sum)
        // UDP sends a computed zero as all ones (RFC 768); offset 6 is the UDP checksum field.
        if checksum == 0, offset == 6 { checksum = 0xFFFF }
        packet.storeBytes(of: checksum.bigEndian, toByteOffset: start + offset, as: UInt16.self)
    }

    /// Cuts the TCP segment `packet` (IP header, TCP header, payload; described by `header`) into
    /// packets of at most `header.gsoSize` payload bytes, writing each at `scratch[headroom...]`
    /// and calling `body` with its length. Headers are rewritten in `scratch` only; `packet` is
    /// not modified.
    static func segment(
        _ packet: UnsafeRawBufferPointer, header: VirtioNetHeader, into scratch: UnsafeMutableRawBufferPointer,
        headroom: Int, _ body: (Int) -> Void
    ) throws(Failure) {
        let l4 = Int(header.checksumStart)
        let gsoSize = Int(header.gsoSize)
        guard packet.count > 0, l4 + 20 <= packet.count, gsoSize > 0 else { throw .malformed }
        let version = packet[0] >> 4
        let isIPv4 = version == 4
        guard isIPv4 || version == 6, !isIPv4 || l4 >= 20, isIPv4 || l4 >= 40 else { throw .malformed }
        let tcpHeaderLength = Int(packet[l4 + 12] >> 4) * 4
        let headerLength = l4 + tcpHeaderLength
        guard tcpHeaderLength >= 20, headerLength <= packet.count else { throw .malformed }
        let payloadLength = packet.count - headerLength
        guard headerLength + gsoSize + headroom <= scratch.count else { throw .malformed }

        let firstSequence = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: l4 + 4, as: UInt32.self))
        let firstID = isIPv4 ? UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 4, as: UInt16.self)) : 0
        let flags = packet[l4 + 13]
        let headers = UnsafeRawBufferPointer(rebasing: packet[0..<headerLength])

        var offset = 0
        var index = 0
        while offset < payloadLength || (payloadLength == 0 && index == 0) {
            let chunk = min(gsoSize, payloadLength - offset)
            let isLast = offset + chunk >= payloadLength
            let total = headerLength + chunk
            let out = UnsafeMutableRawBufferPointer(rebasing: scratch[headroom..<(headroom + total)])
            out.copyMemory(from: headers)
            UnsafeMutableRawBufferPointer(rebasing: out[headerLength...])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[(headerLength + offset)..<(headerLength + offset + chunk)]))

            if isIPv4 {
                out.storeBytes(of: UInt16(total).bigEndian, toByteOffset: 2, as: UInt16.self)
                out.storeBytes(of: (firstID &+ UInt16(truncatingIfNeeded: index)).bigEndian, toByteOffset: 4, as: UInt16.self)
                out.storeBytes(of: UInt16(0), toByteOffset: 10, as: UInt16.self)
                let ipChecksum = InternetChecksum.checksum(UnsafeRawBufferPointer(rebasing: out[0..<l4]))
                out.storeBytes(of: ipChecksum.bigEndian, toByteOffset: 10, as: UInt16.self)
            } else {
                out.storeBytes(of: UInt16(total - 40).bigEndian, toByteOffset: 4, as: UInt16.self)
            }
            let sequence = firstSequence &+ UInt32(truncatingIfNeeded: offset)
            out.storeBytes(of: sequence.bigEndian, toByteOffset: l4 + 4, as: UInt32.self)
            var segmentFlags = flags
            if !isLast { segmentFlags &= ~0x09 }  // FIN and PSH travel on the last piece only
            if index > 0 { segmentFlags &= ~0x80 }  // CWR on the first only
            out[l4 + 13] = segmentFlags

            // TCP checksum: pseudo-header (addresses, protocol, TCP length) + segment.
            out.storeBytes(of: UInt16(0), toByteOffset: l4 + 16, as: UInt16.self)
            var sum: UInt64 = 0
            if isIPv4 {
                InternetChecksum.add(UnsafeRawBufferPointer(rebasing: out[12..<20]), to: &sum)
            } else {
                InternetChecksum.add(UnsafeRawBufferPointer(rebasing: out[8..<40]), to: &sum)
            }
            InternetChecksum.add(word: 6, to: &sum)
            InternetChecksum.add(word: UInt16(total - l4), to: &sum)
            InternetChecksum.add(UnsafeRawBufferPointer(rebasing: out[l4..<total]), to: &sum)
            out.storeBytes(of: InternetChecksum.finish(sum).bigEndian, toByteOffset: l4 + 16, as: UInt16.self)

            body(total)
            offset += chunk
            index += 1
            if payloadLength == 0 { break }
        }
    }
}
