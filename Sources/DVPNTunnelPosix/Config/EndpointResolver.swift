import DVPNTunnel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension WgQuickConfiguration {
    /// This configuration with every host-name endpoint looked up (`getaddrinfo`, IPv4 preferred
    /// as wg(8) does), so that the core only ever sees addresses. Blocking: call it before the
    /// tunnel starts, off any event loop.
    public func resolvingEndpoints(fileName: String) throws(TunnelIOError) -> WgQuickConfiguration {
        var resolved = self
        for index in resolved.peers.indices {
            guard let (host, port) = resolved.peers[index].unresolvedEndpoint else { continue }
            guard let address = EndpointResolver.resolve(host) else {
                throw TunnelIOError(.invalidConfiguration, "\(fileName): Endpoint: cannot resolve host '\(host)'")
            }
            resolved.peers[index].configuration.endpoint = Endpoint(address: address, port: port)
            resolved.peers[index].unresolvedEndpoint = nil
        }
        return resolved
    }
}

enum EndpointResolver {
    /// The first IPv4 address of `host`, else its first IPv6 address, else nil.
    static func resolve(_ host: String) -> IPAddress? {
        var hints = addrinfo()
        hints.ai_socktype = CInt(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        var v6: IPAddress?
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let sockaddr = entry.pointee.ai_addr {
                switch entry.pointee.ai_family {
                case AF_INET:
                    let sin = UnsafeRawPointer(sockaddr).loadUnaligned(as: sockaddr_in.self)
                    return .v4(IPv4Address(value: UInt32(bigEndian: sin.sin_addr.s_addr)))
                case AF_INET6 where v6 == nil:
                    let sin6 = UnsafeRawPointer(sockaddr).loadUnaligned(as: sockaddr_in6.self)
                    v6 = withUnsafeBytes(of: sin6.sin6_addr) { IPAddress(bytes: $0) }
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return v6
    }
}
