import DVPNTunnel
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The channels around one `TunnelDriver`: the UDP socket, the TUN descriptor and the UAPI
/// socket, all on one event loop. `TunnelService` creates one, starts it, waits, and stops it.
struct TunnelIO {
    let tun: TunDevice
    let loop: any EventLoop
    let logger: Logger
    private var driver: NIOLoopBound<TunnelDriver>?
    private var tunChannel: (any Channel)?
    private var uapi: (any Channel)?
    private var control: TunnelControl?

    /// How many datagrams one `recvmmsg` asks for.
    static let vectorReadCount = 16

    init(tun: TunDevice, loop: any EventLoop, logger: Logger) {
        self.tun = tun
        self.loop = loop
        self.logger = logger
    }

    mutating func start(configuration: WgQuickConfiguration, mtu: Int, options: TunnelService.Options) async throws {
        let tun = self.tun
        let logger = self.logger
        let loop = self.loop
        let driver = try await loop.submit {
            var device = WireGuardDevice(configuration: configuration.interface.configuration, logger: logger)
            device.mtu = mtu
            device.destinationFilter = options.destinationFilter
            for peer in configuration.peers { try device.addOrUpdatePeer(peer.configuration) }
            let driver = TunnelDriver(
                device: device, tun: tun, eventLoop: loop, forcedUnderLoad: options.forceUnderLoad, logger: logger)
            driver.firewallMark = configuration.interface.firewallMark
            for peer in configuration.peers {
                driver.allowedIPsOrder.add(peer.configuration.allowedIPs, for: peer.configuration.publicKey, replacing: true)
            }
            return NIOLoopBound(driver, eventLoop: loop)
        }.get()
        self.driver = driver
        control = options.control
        if options.forceUnderLoad { logger.warning("forced under-load state: every handshake gets a cookie reply first") }

        let settings = UDPSettings(offloads: options.useOffloads, mark: configuration.interface.firewallMark, logger: logger)
        let bound = try await Self.bindUDP(port: configuration.interface.listenPort ?? 0, driver: driver, settings: settings).get()
        try await loop.submit {
            driver.value.attach(bound)
            // `wg set NAME listen-port P`: bind the new port first, then let go of the old one, so
            // that a port already in use leaves the tunnel as it was.
            driver.value.onListenPortChange = { port in
                Self.bindUDP(port: port, driver: driver, settings: settings).whenComplete { result in
                    switch result {
                    case .success(let bound):
                        let previous = driver.value.udp
                        driver.value.attach(bound)
                        previous?.close(promise: nil)
                        logger.info("UDP port changed to \(bound.port)")
                    case .failure(let error):
                        logger.error("cannot listen on UDP port \(port): \(error)")
                    }
                }
            }
        }.get()

        // A second descriptor for NIO to own and read from; the TunDevice keeps the first for
        // writes, and the interface lives until both are closed.
        let readDescriptor = dup(tun.fileDescriptor)
        guard readDescriptor >= 0 else { throw TunnelIOError.system("dup", errno: errno) }
        do {
            tunChannel = try await NIOPipeBootstrap(group: loop)
                .channelOption(.maxMessagesPerRead, value: 64)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: TunnelDriver.maximumRead))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(TunReadHandler(driver: driver.value))
                    }
                }
                .takingOwnershipOfDescriptor(input: readDescriptor).get()
        } catch {
            close(readDescriptor)
            throw error
        }
        uapi = try await UAPIServer.bind(interface: tun.name, on: loop, target: driver)
        control?.connect(driver)
    }

    /// How every UDP socket of this tunnel is set up.
    struct UDPSettings: Sendable {
        var offloads: Bool
        var mark: UInt32
        var logger: Logger
    }

    /// A bound UDP socket and what the driver needs to know about it.
    struct BoundUDP: Sendable {
        var channel: any Channel
        /// The channel's descriptor, on which `DatagramBatch` sends.
        var descriptor: CInt
        var port: UInt16
        var family: CInt
        var segmentation: Bool
    }

    /// Opens the UDP socket (`UDPSocket`) and hands it to NIO for receiving: vector reads always,
    /// GRO when the kernel has it. Sending bypasses the channel (see `DatagramBatch`).
    static func bindUDP(port: UInt16, driver: NIOLoopBound<TunnelDriver>, settings: UDPSettings) -> EventLoopFuture<BoundUDP> {
        let loop = driver.eventLoop
        let receiveOffload = settings.offloads && System.supportsUDPReceiveOffload
        let segmentation = settings.offloads && System.supportsUDPSegmentationOffload
        let opened: (descriptor: CInt, family: CInt)
        do {
            opened = try UDPSocket.open(port: port, mark: settings.mark)
        } catch {
            return loop.makeFailedFuture(error)
        }
        // With GRO one read may carry up to 64 KiB of coalesced datagrams.
        let slot = receiveOffload ? 65_536 : 2_048
        var bootstrap = DatagramBootstrap(group: loop)
            .channelOption(.datagramVectorReadMessageCount, value: vectorReadCount)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: vectorReadCount * slot))
            .channelOption(.maxMessagesPerRead, value: 4)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPReadHandler(driver: driver.value))
                }
            }
        if receiveOffload {
            bootstrap = bootstrap
                .channelOption(ChannelOptions.datagramReceiveOffload, value: true)
                .channelOption(ChannelOptions.datagramReceiveSegmentSize, value: true)
        }
        let logger = settings.logger
        return bootstrap.withBoundSocket(opened.descriptor).map { channel in
            let actual = UDPSocket.boundPort(opened.descriptor)
            logger.debug("UDP bound to port \(actual) (GRO \(receiveOffload), GSO \(segmentation))")
            // Once NIO closes the descriptor it may be reused: stop sending on it.
            channel.closeFuture.whenComplete { _ in driver.value.udpClosed(channel) }
            return BoundUDP(
                channel: channel, descriptor: opened.descriptor, port: actual, family: opened.family,
                segmentation: segmentation)
        }.flatMapErrorThrowing { error in
            // NIO did not take the descriptor.
            close(opened.descriptor)
            throw error
        }
    }

    func listenPort() async throws -> UInt16 {
        guard let driver else { return 0 }
        return try await loop.submit { driver.value.boundPort }.get()
    }

    func setFirewallMark(_ mark: UInt32) async throws {
        guard let driver, let udp = try await loop.submit({ driver.value.udp }).get() else { return }
        try await udp.setOption(ChannelOptions.Types.SocketOption.raw(SOL_SOCKET, SO_MARK), value: SocketOptionValue(mark)).get()
        try await loop.submit { driver.value.firewallMark = mark }.get()
    }

    /// Returns when graceful shutdown starts or the task is cancelled; throws when the TUN device
    /// closes under us.
    func waitUntilShutdown() async throws {
        guard let tunChannel else { return }
        let outcome = FirstOutcome(loop.makePromise(of: Void.self))
        tunChannel.closeFuture.whenComplete { _ in outcome.fail(TunnelIOError(.system, "the TUN device closed")) }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await outcome.future.get()
            } onGracefulShutdown: {
                outcome.succeed()
            }
        } onCancel: {
            outcome.succeed()
        }
    }

    /// Closes the UAPI socket (and removes its file), stops the timers, closes the channels.
    func stop() async {
        control?.connect(nil)
        if let uapi { try? await uapi.close() }
        UAPIServer.removeSocket(interface: tun.name)
        var udp: (any Channel)?
        if let driver { udp = (try? await loop.submit { driver.value.stop() }.get()) ?? nil }
        if let tunChannel { try? await tunChannel.close() }
        if let udp { try? await udp.close() }
    }
}

/// A promise completed by whichever of several events comes first; the later ones are ignored
/// (completing a NIO promise twice would trap).
private final class FirstOutcome: Sendable {
    private let promise: EventLoopPromise<Void>
    /// Whether the promise was completed; guards against a second completion from another thread.
    private let completed = Mutex(false)

    init(_ promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    var future: EventLoopFuture<Void> { promise.futureResult }

    func succeed() {
        if claim() { promise.succeed(()) }
    }

    func fail(_ error: any Error) {
        if claim() { promise.fail(error) }
    }

    private func claim() -> Bool {
        completed.withLock { done in
            defer { done = true }
            return !done
        }
    }
}

extension ChannelOptions.Types.SocketOption {
    /// A socket option by its C level and name (`SOL_SOCKET`, `SO_MARK`…).
    static func raw(_ level: CInt, _ name: CInt) -> Self {
        Self(level: NIOBSDSocket.OptionLevel(rawValue: level), name: NIOBSDSocket.Option(rawValue: name))
    }
}
