/// Where an IP packet goes, as far as an exit policy cares: the destination address, the
/// transport protocol and the TCP/UDP destination port, read straight from the packet (RFC 791,
/// RFC 8200, RFC 9293 §3.1, RFC 768) without copying it.
///
/// Conservative where the headers are unusual:
/// - a later fragment (IPv4 offset ≠ 0, or an IPv6 fragment header with offset ≠ 0) and a packet
///   too short for its ports have an unknown port, which every denying port rule matches;
/// - IPv6 extension headers are followed through hop-by-hop, destination options, fragment and
///   AH headers, at most 8 of them; a routing header (whose real destination is elsewhere),
///   more than 8 headers, or a header that runs past the packet make the packet unreadable, and
///   an unreadable packet is refused.
struct PacketDestination {
    /// The destination address left-aligned in 128 bits (IPv4 in the top 32).
    var key: UInt128
    var isIPv6: Bool
    /// The IANA protocol number of the transport (after the IPv6 extension headers).
    var transport: UInt8
    /// The destination port, or `unknownPort`.
    var port: Int32

    static let unknownPort: Int32 = -1
    static let maximumExtensionHeaders = 8

    @inline(__always)
    init?(_ packet: UnsafeRawBufferPointer) {
        guard !packet.isEmpty else { return nil }
        switch packet[0] >> 4 {
        case 4:
            guard packet.count >= IPHeader.v4MinimumByteCount else { return nil }
            let headerLength = Int(packet[0] & 0x0F) * 4
            guard headerLength >= IPHeader.v4MinimumByteCount, headerLength <= packet.count else { return nil }
            key = UInt128(packet.loadBigEndianUInt32(at: IPHeader.v4DestinationOffset)) << 96
            isIPv6 = false
            transport = packet[9]
            let fragmentOffset = packet.loadBigEndianUInt16(at: 6) & 0x1FFF
            port = fragmentOffset == 0 ? Self.port(in: packet, at: headerLength, transport: transport) : Self.unknownPort
        case 6:
            guard packet.count >= IPHeader.v6ByteCount else { return nil }
            key = UInt128(packet.loadBigEndianUInt64(at: IPHeader.v6DestinationOffset)) << 64
                | UInt128(packet.loadBigEndianUInt64(at: IPHeader.v6DestinationOffset + 8))
            isIPv6 = true
            var next = packet[6]
            var offset = IPHeader.v6ByteCount
            var isLaterFragment = false
            var headers = 0
            walk: while true {
                switch next {
                case 0, 60, 51: // hop-by-hop options, destination options, AH
                    headers += 1
                    guard headers <= Self.maximumExtensionHeaders, offset + 2 <= packet.count else { return nil }
                    let length = next == 51 ? (Int(packet[offset + 1]) + 2) * 4 : (Int(packet[offset + 1]) + 1) * 8
                    next = packet[offset]
                    offset += length
                case 44: // fragment
                    headers += 1
                    guard headers <= Self.maximumExtensionHeaders, offset + 8 <= packet.count else { return nil }
                    if packet.loadBigEndianUInt16(at: offset + 2) >> 3 != 0 { isLaterFragment = true }
                    next = packet[offset]
                    offset += 8
                case 43: // routing: the destination field is not where the packet ends up
                    return nil
                default:
                    break walk
                }
            }
            transport = next
            port = isLaterFragment ? Self.unknownPort : Self.port(in: packet, at: offset, transport: next)
        default:
            return nil
        }
    }

    /// The destination port of a TCP or UDP header at `offset` (bytes 2–3 in both), unknown when
    /// the packet ends before it or the protocol has no ports.
    @inline(__always)
    private static func port(in packet: UnsafeRawBufferPointer, at offset: Int, transport: UInt8) -> Int32 {
        guard transport == TCPUDP.tcp || transport == TCPUDP.udp, offset + 4 <= packet.count else { return unknownPort }
        return Int32(packet.loadBigEndianUInt16(at: offset + 2))
    }
}
