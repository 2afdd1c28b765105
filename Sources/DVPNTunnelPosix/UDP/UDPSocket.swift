#if canImport(Glibc)
import Glibc
#endif

/// Creates the tunnel's UDP socket, bound and configured, for NIO to adopt
/// (`DatagramBootstrap.withBoundSocket`) while `DatagramBatch` sends on the same descriptor.
///
/// Dual-stack `[::]:port` (IPv4 peers appear as `::ffff:a.b.c.d`), or `0.0.0.0:port` where IPv6
/// is disabled. Socket buffers of 7 MiB as wireguard-go asks for (`conn/bind_std.go`), forced past
/// `rmem_max` since we run as root, so bursts are not dropped; the firewall mark when one is set.
enum UDPSocket {
    static let bufferBytes: CInt = 7 << 20

    /// Returns the descriptor and its address family.
    static func open(port: UInt16, mark: UInt32) throws(TunnelIOError) -> (descriptor: CInt, family: CInt) {
        do {
            return (try open(family: AF_INET6, port: port, mark: mark), AF_INET6)
        } catch where error.errno == EAFNOSUPPORT || error.errno == EADDRNOTAVAIL {
            return (try open(family: AF_INET, port: port, mark: mark), AF_INET)
        }
    }

    private static func open(family: CInt, port: UInt16, mark: UInt32) throws(TunnelIOError) -> CInt {
        let fd = socket(family, CInt(SOCK_DGRAM.rawValue) | CInt(SOCK_NONBLOCK.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno: errno) }
        do throws(TunnelIOError) {
            if family == AF_INET6 { try set(fd, CInt(IPPROTO_IPV6), IPV6_V6ONLY, 0, "IPV6_V6ONLY") }
            // Best effort: without CAP_NET_ADMIN the kernel's limits apply.
            if (try? set(fd, SOL_SOCKET, SO_RCVBUFFORCE, bufferBytes, "SO_RCVBUFFORCE")) == nil {
                try? set(fd, SOL_SOCKET, SO_RCVBUF, bufferBytes, "SO_RCVBUF")
            }
            if (try? set(fd, SOL_SOCKET, SO_SNDBUFFORCE, bufferBytes, "SO_SNDBUFFORCE")) == nil {
                try? set(fd, SOL_SOCKET, SO_SNDBUF, bufferBytes, "SO_SNDBUF")
            }
            if mark != 0 { try set(fd, SOL_SOCKET, SO_MARK, CInt(bitPattern: mark), "SO_MARK") }
            var storage = sockaddr_in6()
            let length: socklen_t
            if family == AF_INET6 {
                storage.sin6_family = sa_family_t(AF_INET6)
                storage.sin6_port = port.bigEndian
                length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            } else {
                withUnsafeMutableBytes(of: &storage) { raw in
                    var sin = sockaddr_in()
                    sin.sin_family = sa_family_t(AF_INET)
                    sin.sin_port = port.bigEndian
                    raw.storeBytes(of: sin, as: sockaddr_in.self)
                }
                length = socklen_t(MemoryLayout<sockaddr_in>.size)
            }
            let rc = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard rc == 0 else { throw TunnelIOError.system("bind UDP port \(port)", errno: errno) }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    private static func set(_ fd: CInt, _ level: CInt, _ name: CInt, _ value: CInt, _ what: String) throws(TunnelIOError) {
        var v = value
        guard setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<CInt>.size)) == 0 else {
            throw .system("setsockopt \(what)", errno: errno)
        }
    }

    /// The port the socket is bound to (the kernel's choice when 0 was asked).
    static func boundPort(_ fd: CInt) -> UInt16 {
        var storage = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return 0 }
        // sin_port and sin6_port sit at the same offset.
        return UInt16(bigEndian: storage.sin6_port)
    }
}
