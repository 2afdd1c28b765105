public import DVPNTunnel
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// A running WireGuard interface: the TUN device, the UDP socket, the UAPI socket for `wg`, the
/// addresses and routes of a wg-quick file, and the core between them on one event loop.
///
/// `run()` brings everything up, then waits for graceful shutdown (SIGINT/SIGTERM through a
/// `ServiceGroup`) or cancellation, and on the way out removes what it added, whether it ends
/// normally or by an error: routes, addresses, the UAPI socket file, the interface itself.
public struct TunnelService: Service {
    public struct Options: Sendable {
        /// Pin the core's "under load" state on, so every handshake without a valid MAC2 is answered
        /// with a cookie reply. For the interop tests only (`DVPN_TUNNEL_FORCE_UNDER_LOAD=1`).
        public var forceUnderLoad = false
        /// Receive with UDP GRO and send with UDP GSO when the kernel supports them.
        public var useOffloads = true
        /// An exit's destination policy for the core (`WireGuardDevice.destinationFilter`): what
        /// clients may reach through this interface. nil: everything (a client, a plain tunnel).
        public var destinationFilter: DestinationFilter?
        /// Called on the event loop once the interface is up and configured.
        public var onReady: (@Sendable (_ interface: String, _ listenPort: UInt16) -> Void)?
        /// Connected to the running tunnel (peers added and removed at runtime, counters, limits).
        public var control: TunnelControl?

        public init(forceUnderLoad: Bool = false, useOffloads: Bool = true) {
            self.forceUnderLoad = forceUnderLoad
            self.useOffloads = useOffloads
        }
    }

    public let configuration: WgQuickConfiguration
    public let interfaceName: String
    public let options: Options
    let logger: Logger

    /// `configuration` must have its endpoints resolved (`resolvingEndpoints(fileName:)`).
    public init(configuration: WgQuickConfiguration, interfaceName: String, options: Options = Options(), logger: Logger) {
        self.configuration = configuration
        self.interfaceName = interfaceName
        self.options = options
        self.logger = logger
    }

    /// wireguard-go's default MTU, also wg-quick's for most paths.
    public static let defaultMTU = 1420

    public func run() async throws {
        let mtu = configuration.interface.mtu ?? Self.defaultMTU
        let tun = try TunDevice(name: interfaceName, mtu: mtu, offload: options.useOffloads)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let configurator = InterfaceConfigurator(
            interface: tun.name, firewallMark: configuration.interface.firewallMark, logger: logger)
        var io = TunnelIO(tun: tun, loop: loop, logger: logger)
        do {
            try await io.start(configuration: configuration, mtu: mtu, options: options)
            try tun.setUp(true)
            for address in configuration.interface.addresses { try configurator.addAddress(address) }
            var needsMark = false
            if configuration.interface.addsRoutes {
                for peer in configuration.peers {
                    for prefix in peer.configuration.allowedIPs where try configurator.addRoute(prefix) { needsMark = true }
                }
            }
            if needsMark, configuration.interface.firewallMark == 0 {
                try await io.setFirewallMark(configurator.defaultRouteTable)
            }
            let port = try await io.listenPort()
            logger.info("\(tun.name) is up: UDP port \(port), MTU \(mtu), \(configuration.peers.count) peer(s)")
            if let onReady = options.onReady { onReady(tun.name, port) }
            try await io.waitUntilShutdown()
        } catch {
            logger.error("\(tun.name): \(error)")
            await io.stop()
            configurator.undo()
            try? await group.shutdownGracefully()
            throw error
        }
        logger.info("\(tun.name): shutting down")
        await io.stop()
        configurator.undo()
        try? tun.setUp(false)
        try await group.shutdownGracefully()
    }
}
