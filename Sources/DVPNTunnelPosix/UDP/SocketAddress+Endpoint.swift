import DVPNTunnel
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Conversions between the core's `Endpoint` and socket addresses (NIO's `SocketAddress` on
/// receive, a raw `sockaddr` on send), without text on the way: they run for every batch.
extension Endpoint {
    /// The endpoint a datagram came from. A dual-stack socket reports IPv4 peers as
    /// `::ffff:a.b.c.d`; those become plain IPv4 endpoints, as `wg show` prints them.
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            let sin = v4.address
            self.init(
                address: .v4(IPv4Address(value: UInt32(bigEndian: sin.sin_addr.s_addr))),
                port: UInt16(bigEndian: sin.sin_port))
        case .v6(let v6):
            let sin6 = v6.address
            // Two big-endian loads instead of a byte loop: this runs for every received batch.
            let ip = withUnsafeBytes(of: sin6.sin6_addr) { raw in
                IPv6Address(
                    high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                    low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
            self.init(address: IPAddress.v6(ip).unmappingIPv4, port: UInt16(bigEndian: sin6.sin6_port))
        case .unixDomainSocket:
            return nil
        }
    }

    /// Writes the `sockaddr` to send to from a socket of `family` into `storage` (at least a
    /// `sockaddr_in6`) and returns its length. On the dual-stack `AF_INET6` socket IPv4 endpoints
    /// are written as IPv4-mapped IPv6 addresses.
    func writeSocketAddress(into storage: UnsafeMutableRawBufferPointer, family: CInt) -> socklen_t {
        switch (address, family) {
        case (.v4(let v4), AF_INET):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = v4.value.bigEndian
            storage.storeBytes(of: sin, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        case (.v4(let v4), _):
            let mapped = IPv6Address(high: 0, low: 0xFFFF_0000_0000 | UInt64(v4.value))
            return Endpoint(address: .v6(mapped), port: port).writeSocketAddress(into: storage, family: AF_INET6)
        case (.v6(let v6), _):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
                raw.storeBytes(of: v6.high.bigEndian, as: UInt64.self)
                raw.storeBytes(of: v6.low.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            storage.storeBytes(of: sin6, as: sockaddr_in6.self)
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }
}
