import DVPNTunnel
import Logging
import NIOCore

/// Drives one `WireGuardDevice` from one event loop: packets read from the TUN device and
/// datagrams read from the UDP socket go in, the core's output goes to a `DatagramBatch` and to
/// the TUN device, and the core's timers run as a scheduled task at `nextTimerDeadline`.
///
/// Everything here happens on `eventLoop`, so the core (a value type with no locks) has exactly
/// one writer, like cometbft's `receiveRoutine`. Work comes in bursts (NIO reads up to a batch of
/// packets per wake-up); the end of a burst flushes the UDP batch and re-arms the timer, so the
/// per-packet work is the core's own plus two copies.
///
/// The hot path allocates nothing per packet: the two scratch buffers are allocated once, the
/// clock is read once per burst, and the UDP batch reuses its storage.
final class TunnelDriver {
    let eventLoop: any EventLoop
    let tun: TunDevice
    let logger: Logger
    var device: WireGuardDevice
    /// Set once the UDP channel is bound (see `attach(_:)`).
    private(set) var udp: (any Channel)?
    private var batch: DatagramBatch?
    /// The port the UDP socket is bound to (the configured one, or the kernel's choice).
    private(set) var boundPort: UInt16 = 0
    var firewallMark: UInt32 = 0
    /// Whether `isUnderLoad` is pinned on for tests (`DVPN_TUNNEL_FORCE_UNDER_LOAD=1`).
    let forcedUnderLoad: Bool
    /// Called when `set=1` changes the listen port; rebinding is the service's job.
    var onListenPortChange: ((UInt16) -> Void)?

    /// Outgoing packets are copied here with room for the transport header before and padding and
    /// tag after, then encrypted in place.
    private let outgoingScratch: UnsafeMutableRawBufferPointer
    /// Incoming datagrams (or GRO segments) are copied here and decrypted in place.
    private let incomingScratch: UnsafeMutableRawBufferPointer
    /// Writes decrypted packets when the TUN has offloads, joining TCP runs.
    private let coalescer: TunWriteCoalescer
    static let maximumPacket = 65_535
    /// The largest TUN read: a 64 KiB TSO segment behind its `virtio_net_hdr`, with room to spare.
    static let maximumRead = 70_000

    private var burstNow: TunnelInstant?
    private var timer: Scheduled<Void>?
    private var timerDeadline: TunnelInstant?
    private var load = HandshakeLoadMeter()
    /// The order allowed IPs were given in, for `wg show` (see `AllowedIPsOrder`).
    var allowedIPsOrder = AllowedIPsOrder()

    /// Packets the TUN device refused (queue full): lost like on a congested link.
    private(set) var tunWriteFailures: UInt64 = 0
    var totalTunWriteFailures: UInt64 { tunWriteFailures &+ coalescer.writeFailures }
    /// Reads from the TUN device that the segmenter could not parse (dropped).
    private(set) var malformedTunReads: UInt64 = 0

    init(device: WireGuardDevice, tun: TunDevice, eventLoop: any EventLoop, forcedUnderLoad: Bool, logger: Logger) {
        self.device = device
        self.tun = tun
        self.eventLoop = eventLoop
        self.logger = logger
        self.forcedUnderLoad = forcedUnderLoad
        self.device.isUnderLoad = forcedUnderLoad
        outgoingScratch = .allocate(
            byteCount: WireGuardDevice.outgoingHeadroom + Self.maximumPacket + WireGuardDevice.outgoingTailroom,
            alignment: 16)
        incomingScratch = .allocate(byteCount: Self.maximumPacket + 64, alignment: 16)
        coalescer = TunWriteCoalescer(tun: tun)
    }

    deinit {
        outgoingScratch.deallocate()
        incomingScratch.deallocate()
    }

    /// Sends through `bound` from now on (at start, and when `wg` changes the listen port).
    func attach(_ bound: TunnelIO.BoundUDP) {
        eventLoop.preconditionInEventLoop()
        batch?.flush()
        udp = bound.channel
        boundPort = bound.port
        batch = DatagramBatch(descriptor: bound.descriptor, family: bound.family, useSegmentation: bound.segmentation)
        device.setListenPort(bound.port)
    }

    /// The UDP channel `channel` closed: if it is the current one, stop sending on its descriptor.
    func udpClosed(_ channel: any Channel) {
        guard let udp, udp === channel else { return }
        batch = nil
        self.udp = nil
        logger.error("the UDP socket closed; no datagrams are sent until the listen port is set again")
    }

    /// The time for the current burst, read once.
    private var now: TunnelInstant {
        if let burstNow { return burstNow }
        let wall = BootClock.wallClock()
        let instant = TunnelInstant(
            nanoseconds: BootClock.nanoseconds(),
            unixNanoseconds: UInt64(max(0, wall.seconds)) &* 1_000_000_000 &+ UInt64(max(0, wall.nanoseconds)))
        burstNow = instant
        return instant
    }

    // MARK: Data path

    /// One read from the TUN device: an IP packet, or with offloads a `virtio_net_hdr` and either a
    /// packet or a large TCP segment to cut into packets first.
    func outgoing(_ read: ByteBuffer) {
        guard let batch else { return }
        let headroom = WireGuardDevice.outgoingHeadroom
        let tailroom = WireGuardDevice.outgoingTailroom
        var output = DriverOutput(batch: batch, tun: tun, coalescer: coalescer)
        let instant = now
        read.withUnsafeReadableBytes { bytes in
            var packet = bytes
            var header = VirtioNetHeader()
            if tun.hasVirtioHeader {
                guard bytes.count > VirtioNetHeader.byteCount else { return }
                header = VirtioNetHeader(reading: bytes)
                packet = UnsafeRawBufferPointer(rebasing: bytes[VirtioNetHeader.byteCount...])
            }
            let count = packet.count
            guard count > 0, count <= Self.maximumPacket else { return }
            if header.isTCPSegmentation {
                do {
                    try TCPSegmenter.segment(packet, header: header, into: outgoingScratch, headroom: headroom) { length in
                        let region = UnsafeMutableRawBufferPointer(rebasing: outgoingScratch[0..<(headroom + length + tailroom)])
                        device.handleOutgoingIPPacket(inPlace: region, packetCount: length, now: instant, output: &output)
                    }
                } catch {
                    malformedTunReads &+= 1
                }
                return
            }
            let inPlace = UnsafeMutableRawBufferPointer(rebasing: outgoingScratch[headroom..<(headroom + count)])
            inPlace.copyMemory(from: packet)
            if header.needsChecksum {
                do {
                    try TCPSegmenter.completeChecksum(
                        inPlace, start: Int(header.checksumStart), offset: Int(header.checksumOffset))
                } catch {
                    malformedTunReads &+= 1
                    return
                }
            }
            let region = UnsafeMutableRawBufferPointer(rebasing: outgoingScratch[0..<(headroom + count + tailroom)])
            device.handleOutgoingIPPacket(inPlace: region, packetCount: count, now: instant, output: &output)
        }
        tunWriteFailures &+= output.tunWriteFailures
    }

    /// One datagram from the UDP socket; with receive offload it may hold several segments of
    /// `segmentSize` bytes (the last may be shorter), each a datagram of its own.
    func incoming(_ envelope: AddressedEnvelope<ByteBuffer>) {
        guard let batch, let source = Endpoint(envelope.remoteAddress) else { return }
        let data = envelope.data
        let total = data.readableBytes
        let segment = envelope.metadata?.segmentSize ?? total
        guard segment > 0 else { return }
        var output = DriverOutput(batch: batch, tun: tun, coalescer: coalescer)
        let instant = now
        data.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < total {
                let length = min(segment, total - offset, incomingScratch.count)
                let datagram = UnsafeMutableRawBufferPointer(rebasing: incomingScratch[0..<length])
                datagram.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
                if length > 0, bytes[offset] == 1 || bytes[offset] == 2 { noteHandshake(at: instant) }
                device.handleDatagram(datagram, from: source, now: instant, output: &output)
                offset += segment
            }
        }
        tunWriteFailures &+= output.tunWriteFailures
    }

    /// The end of a burst of reads (or of a timer or configuration change): send what the core
    /// produced and re-arm the timer.
    func endOfBurst() {
        coalescer.flush()
        batch?.flush()
        rescheduleTimer()
        burstNow = nil
    }

    private func noteHandshake(at instant: TunnelInstant) {
        guard !forcedUnderLoad else { return }
        let underLoad = load.record(at: instant)
        if underLoad != device.isUnderLoad {
            device.isUnderLoad = underLoad
            logger.notice("handshake load \(underLoad ? "high: answering with cookies" : "normal again")")
        }
    }

    // MARK: Timers

    private func rescheduleTimer() {
        guard let deadline = device.nextTimerDeadline else { return }
        if let timerDeadline, timerDeadline <= deadline { return }
        timer?.cancel()
        let delay = deadline.nanoseconds(since: now)
        timerDeadline = deadline
        timer = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(min(delay, UInt64(Int64.max))))) {
            self.fireTimer()
        }
    }

    private func fireTimer() {
        timer = nil
        timerDeadline = nil
        guard let batch else { return }
        var output = DriverOutput(batch: batch, tun: tun, coalescer: coalescer)
        device.handleTimers(now: now, output: &output)
        tunWriteFailures &+= output.tunWriteFailures
        endOfBurst()
    }

    /// Stops the timer and lets go of the UDP socket (on shutdown); returns it for closing.
    func stop() -> (any Channel)? {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        onListenPortChange = nil
        let sendFailures = batch?.sendFailures ?? 0
        logger.info(
            "dropped on the way: \(totalTunWriteFailures) TUN writes, \(sendFailures) UDP sends, \(malformedTunReads) malformed TUN reads; core: \(device.statistics)")
        // An exit's policy counters, one line per peer that had packets refused.
        for peer in device.peers() where peer.refusedPackets > 0 {
            logger.info("peer \(peer.publicKey.base64): \(peer.refusedPackets) packet(s) refused by the destination policy")
        }
        batch = nil
        defer { udp = nil }
        return udp
    }
}

@available(*, unavailable)
extension TunnelDriver: Sendable {}
