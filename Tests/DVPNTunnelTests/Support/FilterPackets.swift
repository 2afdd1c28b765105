import DVPNTunnel

/// IP packets with a transport header for the destination-filter tests: IPv4 or IPv6, a
/// protocol, a destination port, and optionally IPv6 extension headers or an IPv4 fragment offset.
enum FilterPackets {
    /// A TCP (6) or UDP (17) header's first four bytes (source port 40000, `port`) and padding.
    static func ports(_ port: UInt16) -> [UInt8] {
        [0x9C, 0x40, UInt8(port >> 8), UInt8(port & 0xFF)] + [UInt8](repeating: 0, count: 16)
    }

    static func v4(to destination: String, protocol transport: UInt8, port: UInt16, fragmentOffset: UInt16 = 0,
                   from source: String = "10.9.0.1") -> [UInt8] {
        var packet = IPPackets.v4(from: source, to: destination, payload: ports(port))
        packet[9] = transport
        packet[6] = UInt8(fragmentOffset >> 8) & 0x1F
        packet[7] = UInt8(fragmentOffset & 0xFF)
        return packet
    }

    /// `extensions`: (next-header value of the extension itself, its bytes), in order.
    static func v6(to destination: String, protocol transport: UInt8, port: UInt16,
                   extensions: [(type: UInt8, bytes: [UInt8])] = [], from source: String = "fd00::1") -> [UInt8] {
        var body: [UInt8] = []
        let chain = extensions.map(\.type) + [transport]
        for (i, header) in extensions.enumerated() {
            var bytes = header.bytes
            bytes[0] = chain[i + 1]
            body += bytes
        }
        body += ports(port)
        var packet = IPPackets.v6(from: source, to: destination, payload: body)
        packet[6] = chain[0]
        return packet
    }

    /// An 8-byte hop-by-hop or destination-options header (next header filled in by `v6`).
    static let optionsHeader: [UInt8] = [0, 0, 1, 4, 0, 0, 0, 0]
    /// A fragment header with the given offset in 8-byte units.
    static func fragmentHeader(offset: UInt16) -> [UInt8] {
        [0, 0, UInt8(offset >> 5), UInt8((offset << 3) & 0xF8), 0, 0, 0, 1]
    }
    /// A type-4 (segment routing) routing header with no segments left.
    static let routingHeader: [UInt8] = [0, 0, 4, 0, 0, 0, 0, 0]
}
