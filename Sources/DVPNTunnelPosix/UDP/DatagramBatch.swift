internal import CUDPLinux
import DVPNTunnel

#if canImport(Glibc)
import Glibc
#endif

/// Collects the datagrams the core produces during one burst of work and sends them in as few
/// system calls as the kernel allows, straight on the UDP socket's descriptor.
///
/// Consecutive datagrams to the same endpoint whose sizes are equal (the last may be shorter) are
/// packed into one message sent with UDP generic segmentation offload (`UDP_SEGMENT`, Linux 4.18):
/// one trip through the stack for up to `maximumSegments` datagrams, which the kernel splits as
/// late as it can. All messages of a burst go out in one `sendmmsg`. A bulk TCP transfer through
/// the tunnel is a stream of MTU-sized packets to one peer, so most of it travels in full runs.
///
/// Sending here rather than through NIO's channel is deliberate: a NIO datagram channel closes
/// itself on most send errors, but a tunnel must outlive a peer that is unreachable for a while
/// (`ENETUNREACH`, `EHOSTUNREACH`, `EPERM` from a firewall, `ENOBUFS`). Here such a datagram is
/// dropped and counted, as wireguard-go does, and the socket stays. NIO keeps the receive side.
/// If the kernel refuses segmentation (`EIO`: the route's device cannot checksum), it is switched
/// off for good and the datagrams go one by one.
///
/// Event-loop bound, not Sendable. The descriptor is owned by the NIO channel.
final class DatagramBatch {
    /// Linux accepts at most 64 segments per GSO send (UDP_MAX_SEGMENTS), and 64 KiB in total.
    static let maximumSegments = 64
    static let maximumRunBytes = 65_000
    /// Bytes and messages collected before a flush is forced.
    static let capacity = 256 * 1024
    static let maximumMessages = 128

    private let descriptor: CInt
    private let family: CInt
    private(set) var useSegmentation: Bool

    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    private var runs: [Run] = []
    private var run = Run()
    private let messages: UnsafeMutablePointer<dvpn_udp_message>
    private let addresses: UnsafeMutablePointer<sockaddr_in6>
    /// The last endpoint converted, since a burst usually goes to one peer.
    private var lastEndpoint: Endpoint?
    private var lastAddress = sockaddr_in6()
    private var lastAddressLength: socklen_t = 0

    /// Datagrams the kernel refused (unreachable, filtered, buffer full): lost, as on a bad link.
    private(set) var sendFailures: UInt64 = 0

    private struct Run {
        var start = 0
        var count = 0
        var segmentSize = 0
        var bytes = 0
        var endpoint: Endpoint?
        /// A shorter datagram ended the run: nothing more may join it.
        var closed = false
    }

    init(descriptor: CInt, family: CInt, useSegmentation: Bool) {
        self.descriptor = descriptor
        self.family = family
        self.useSegmentation = useSegmentation
        buffer = .allocate(byteCount: Self.capacity + 2 * Self.maximumRunBytes, alignment: 16)
        messages = .allocate(capacity: Self.maximumMessages)
        addresses = .allocate(capacity: Self.maximumMessages)
        runs.reserveCapacity(Self.maximumMessages)
    }

    deinit {
        buffer.deallocate()
        messages.deallocate()
        addresses.deallocate()
    }

    var isEmpty: Bool { run.count == 0 && runs.isEmpty }

    /// Copies `datagram` into the batch.
    func append(_ datagram: UnsafeRawBufferPointer, to endpoint: Endpoint) {
        let size = datagram.count
        if used > Self.capacity || runs.count >= Self.maximumMessages - 1 { flush() }
        let joins = useSegmentation && run.count > 0 && !run.closed && run.endpoint == endpoint
            && size <= run.segmentSize && run.count < Self.maximumSegments && run.bytes + size <= Self.maximumRunBytes
        if !joins {
            closeRun()
            run = Run(start: used, count: 0, segmentSize: size, bytes: 0, endpoint: endpoint)
        }
        UnsafeMutableRawBufferPointer(rebasing: buffer[used..<(used + size)]).copyMemory(from: datagram)
        used += size
        run.count += 1
        run.bytes += size
        if size < run.segmentSize { run.closed = true }
    }

    private func closeRun() {
        if run.count > 0 { runs.append(run) }
        run = Run()
    }

    /// Sends every collected datagram.
    func flush() {
        closeRun()
        guard !runs.isEmpty else { return }
        for i in runs.indices {
            let r = runs[i]
            let addressLength = fillAddress(&addresses[i], for: r.endpoint!)
            messages[i] = dvpn_udp_message(
                data: UnsafeRawPointer(buffer.baseAddress! + r.start), length: r.bytes,
                address: UnsafeRawPointer(addresses + i).assumingMemoryBound(to: sockaddr.self),
                addressLength: addressLength, segmentSize: r.count > 1 ? UInt16(r.segmentSize) : 0)
        }
        send(count: runs.count)
        runs.removeAll(keepingCapacity: true)
        used = 0
    }

    private func send(count: Int) {
        var next = 0
        while next < count {
            let sent = dvpn_udp_sendmmsg(descriptor, messages + next, CInt(count - next))
            if sent > 0 {
                next += Int(sent)
                continue
            }
            if -sent == EIO, useSegmentation, messages[next].segmentSize != 0 {
                // The kernel cannot segment on this route: send this run one datagram at a time.
                useSegmentation = false
                sendOneByOne(runs[next])
            } else {
                sendFailures &+= UInt64(runs[next].count)
            }
            next += 1
        }
    }

    private func sendOneByOne(_ r: Run) {
        var address = sockaddr_in6()
        let length = fillAddress(&address, for: r.endpoint!)
        var offset = 0
        while offset < r.bytes {
            let size = min(r.segmentSize, r.bytes - offset)
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, buffer.baseAddress! + r.start + offset, size, 0, $0, length)
                }
            }
            if rc < 0 { sendFailures &+= 1 }
            offset += size
        }
    }

    /// Writes the socket address for `endpoint` (IPv4-mapped on a dual-stack socket).
    private func fillAddress(_ storage: inout sockaddr_in6, for endpoint: Endpoint) -> socklen_t {
        if endpoint == lastEndpoint {
            storage = lastAddress
            return lastAddressLength
        }
        var address = sockaddr_in6()
        let length = withUnsafeMutableBytes(of: &address) { raw in
            endpoint.writeSocketAddress(into: raw, family: family)
        }
        lastEndpoint = endpoint
        lastAddress = address
        lastAddressLength = length
        storage = address
        return length
    }
}

@available(*, unavailable)
extension DatagramBatch: Sendable {}
