internal import CTunLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A Linux TUN interface (`/dev/net/tun`, `IFF_TUN | IFF_NO_PI`): every `read` returns one IP
/// packet the kernel routed to the interface, every `write` injects one IP packet as if it had
/// arrived on it. No packet-information header, so a read starts at the IP version nibble.
///
/// The interface exists as long as its descriptor is open: closing it (in `deinit`) removes the
/// interface and every address and route on it, which is how `tunnel up` cleans up even when it
/// is killed.
///
/// Sendable: the descriptor and the name never change; `read(2)` and `write(2)` on a TUN
/// descriptor are safe from any thread (the kernel queues each packet whole).
public final class TunDevice: Sendable {
    /// The interface name the kernel gave (the requested one, or `tunN` when none was asked).
    public let name: String
    /// The open `/dev/net/tun` descriptor, non-blocking.
    public let fileDescriptor: CInt
    /// Whether every read and write starts with a `virtio_net_hdr` (`IFF_VNET_HDR` with TSO and
    /// checksum offload on): reads may then be TCP segments of up to 64 KiB (see `TCPSegmenter`).
    public let hasVirtioHeader: Bool

    /// Creates (or attaches to) interface `name` and sets its MTU. The interface stays down until
    /// `setUp(true)`. With `offload`, asks for `IFF_VNET_HDR` and TCP segmentation offload, and
    /// falls back to plain packets where the kernel refuses.
    public init(name: String, mtu: Int, offload: Bool = false) throws(TunnelIOError) {
        guard !name.isEmpty, name.utf8.count < 16, !name.contains("/"), !name.contains(" ") else {
            throw TunnelIOError(.system, "'\(name)' is not a valid interface name (1 to 15 characters, no '/' or space)")
        }
        var kernelName = [CChar](repeating: 0, count: 16)
        var fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .system("open /dev/net/tun", errno: errno) }
        var virtio = false
        if offload {
            if dvpn_tun_attach_offload(fd, name, &kernelName) == 0 {
                virtio = true
            } else {
                // The flags of a descriptor cannot change after TUNSETIFF: start again without.
                close(fd)
                fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK)
                guard fd >= 0 else { throw .system("open /dev/net/tun", errno: errno) }
            }
        }
        if !virtio {
            let rc = dvpn_tun_attach(fd, name, 0, &kernelName)
            guard rc == 0 else {
                close(fd)
                throw .system("TUNSETIFF \(name)", errno: -rc)
            }
        }
        self.fileDescriptor = fd
        self.hasVirtioHeader = virtio
        self.name = String(decoding: kernelName.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try setMTU(mtu)
    }

    /// Wraps an open descriptor that behaves like a TUN one (tests use a `SOCK_SEQPACKET` socket
    /// pair, which keeps packet boundaries); takes ownership of it.
    init(adopting fileDescriptor: CInt, name: String, hasVirtioHeader: Bool) {
        self.fileDescriptor = fileDescriptor
        self.name = name
        self.hasVirtioHeader = hasVirtioHeader
    }

    deinit {
        close(fileDescriptor)
    }

    /// The interface MTU: the largest IP packet the kernel hands us.
    public func mtu() throws(TunnelIOError) -> Int {
        var value: CInt = 0
        let rc = dvpn_tun_get_mtu(name, &value)
        guard rc == 0 else { throw .system("SIOCGIFMTU \(name)", errno: -rc) }
        return Int(value)
    }

    public func setMTU(_ mtu: Int) throws(TunnelIOError) {
        guard (576...65_535).contains(mtu) else {
            throw TunnelIOError(.system, "MTU \(mtu) is out of range (576...65535)")
        }
        let rc = dvpn_tun_set_mtu(name, CInt(mtu))
        guard rc == 0 else { throw .system("SIOCSIFMTU \(name) \(mtu)", errno: -rc) }
    }

    /// Brings the interface up (or down).
    public func setUp(_ up: Bool) throws(TunnelIOError) {
        let rc = dvpn_tun_set_up(name, up ? 1 : 0)
        guard rc == 0 else { throw .system("SIOCSIFFLAGS \(name)", errno: -rc) }
    }

    /// Reads one packet into `buffer`. Returns its length, 0 when none is waiting (`EAGAIN`), or
    /// a negative errno.
    @inline(__always)
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = Glibc.read(fileDescriptor, buffer.baseAddress, buffer.count)
        if n >= 0 { return n }
        let e = errno
        return e == EAGAIN || e == EWOULDBLOCK ? 0 : -Int(e)
    }

    /// Writes one IP packet. Returns false when the kernel refused it (queue full, interface
    /// down); the packet is then lost, as on a congested link, and the caller counts it.
    @inline(__always)
    @discardableResult
    public func write(_ packet: UnsafeRawBufferPointer) -> Bool {
        Glibc.write(fileDescriptor, packet.baseAddress, packet.count) == packet.count
    }
}
