import DVPNTunnel
import NIOCore

/// Collects the datagrams the core produces during one burst of work and hands them to the UDP
/// channel in as few system calls as the kernel allows.
///
/// Consecutive datagrams to the same endpoint whose sizes are equal (the last may be shorter) are
/// packed into one buffer sent with UDP generic segmentation offload (`UDP_SEGMENT`, Linux 4.18):
/// one `sendmsg` and one trip through the stack for up to `maximumSegments` datagrams, which the
/// kernel splits as late as it can. Separate runs are written together and flushed once, which
/// NIO turns into one `sendmmsg`. A bulk TCP transfer through the tunnel is a stream of
/// MTU-sized packets to one peer, so most of it travels in full runs.
///
/// Event-loop bound, not Sendable.
final class DatagramBatch {
    /// Linux accepts at most 64 segments per GSO send (UDP_MAX_SEGMENTS), and 64 KiB in total.
    static let maximumSegments = 64
    static let maximumRunBytes = 65_000

    /// Past this many bytes the batch is flushed before it grows further.
    static let capacity = 192 * 1024

    private let channel: any Channel
    private let useSegmentation: Bool
    private let family: CInt
    /// Datagrams of the current batch, runs back to back.
    private var buffer: ByteBuffer
    private var run = Run()
    /// Runs closed and waiting for `flush`.
    private var envelopes: [AddressedEnvelope<ByteBuffer>] = []
    /// The last endpoint converted, since a burst usually goes to one peer.
    private var lastEndpoint: Endpoint?
    private var lastAddress: SocketAddress?

    private struct Run {
        var start = 0
        var count = 0
        var segmentSize = 0
        var bytes = 0
        var endpoint: Endpoint?
        /// A shorter datagram ended the run: nothing more may join it.
        var closed = false
    }

    init(channel: any Channel, family: CInt, useSegmentation: Bool) {
        self.channel = channel
        self.family = family
        self.useSegmentation = useSegmentation
        self.buffer = channel.allocator.buffer(capacity: Self.capacity + 2 * Self.maximumRunBytes)
        self.envelopes.reserveCapacity(64)
    }

    var isEmpty: Bool { run.count == 0 && envelopes.isEmpty }

    /// Copies `datagram` into the batch.
    func append(_ datagram: UnsafeRawBufferPointer, to endpoint: Endpoint) {
        let size = datagram.count
        if buffer.writerIndex > Self.capacity { flush() }
        let joins = useSegmentation && run.count > 0 && !run.closed && run.endpoint == endpoint
            && size <= run.segmentSize && run.count < Self.maximumSegments && run.bytes + size <= Self.maximumRunBytes
        if !joins {
            closeRun()
            run = Run(start: buffer.writerIndex, count: 0, segmentSize: size, bytes: 0, endpoint: endpoint)
        }
        buffer.writeBytes(datagram)
        run.count += 1
        run.bytes += size
        if size < run.segmentSize { run.closed = true }
    }

    /// Writes every pending datagram to the channel and flushes it.
    func flush() {
        closeRun()
        guard !envelopes.isEmpty else { return }
        for envelope in envelopes {
            channel.write(envelope, promise: nil)
        }
        channel.flush()
        envelopes.removeAll(keepingCapacity: true)
        // The envelopes share the buffer's storage until the kernel has them. Usually the flush
        // wrote them all and released it, and `clear()` reuses it; otherwise it gives the batch
        // fresh storage instead of overwriting what is still queued.
        buffer.clear()
    }

    private func closeRun() {
        guard run.count > 0, let endpoint = run.endpoint else { return }
        let data = buffer.getSlice(at: run.start, length: run.bytes)!
        let metadata = run.count > 1
            ? AddressedEnvelope<ByteBuffer>.Metadata(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: run.segmentSize)
            : nil
        envelopes.append(AddressedEnvelope(remoteAddress: address(for: endpoint), data: data, metadata: metadata))
        run = Run()
    }

    private func address(for endpoint: Endpoint) -> SocketAddress {
        if endpoint == lastEndpoint, let lastAddress { return lastAddress }
        let address = endpoint.socketAddress(family: family)
        lastEndpoint = endpoint
        lastAddress = address
        return address
    }
}

@available(*, unavailable)
extension DatagramBatch: Sendable {}
