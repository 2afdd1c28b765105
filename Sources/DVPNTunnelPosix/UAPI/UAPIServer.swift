import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The UAPI socket `/var/run/wireguard/NAME.sock` that `wg` talks to, set up as wireguard-go's
/// `ipc/uapi_unix.go` does: the directory is created 0755, the socket is created under umask 077
/// (so only root can configure the tunnel), a stale socket left by a crashed process is replaced,
/// and a socket some live process still answers on is an error rather than stolen.
enum UAPIServer {
    static let socketDirectory = "/var/run/wireguard"

    static func socketPath(interface: String) -> String {
        "\(socketDirectory)/\(interface).sock"
    }

    /// Binds the socket on `eventLoop` (the tunnel's loop, so handlers reach the core directly).
    static func bind<Target: UAPIConfigurable>(
        interface: String, on eventLoop: any EventLoop, target: NIOLoopBound<Target>
    ) async throws -> any Channel {
        let path = socketPath(interface: interface)
        mkdir(socketDirectory, 0o755)
        if socketIsAnswering(path) {
            throw TunnelIOError(.system, "\(path) is in use by another process (is \(interface) already up?)")
        }
        unlink(path)
        let bootstrap = ServerBootstrap(group: eventLoop)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UAPIConnectionHandler(target: target.value))
                }
            }
        // umask is per process: 077 for the moment of bind(2) makes the socket srwx------.
        let previous = umask(0o077)
        defer { umask(previous) }
        return try await bootstrap.bind(unixDomainSocketPath: path).get()
    }

    /// Removes the socket file (on shutdown; the channel's close does not).
    static func removeSocket(interface: String) {
        unlink(socketPath(interface: interface))
    }

    /// True when something accepts connections on `path`.
    private static func socketIsAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return rc == 0
    }
}
