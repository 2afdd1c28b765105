public import DVPNNodeAPI
public import DVPNTunnel
public import DVPNTunnelPosix
public import Logging
public import ServiceLifecycle

/// What an exit runs: a WireGuard interface, its destination policy, and the egress for NAT.
public struct ExitConfiguration: Sendable {
    /// The wg-quick configuration of the interface, endpoints resolved.
    public var tunnel: WgQuickConfiguration
    public var interfaceName: String
    /// The interface towards the internet; nil: the one of the default route.
    public var egressInterface: String?
    /// The operator's `--allow` rules.
    public var allow: [DestinationRule]
    /// The operator's `--deny` rules.
    public var deny: [DestinationRule]
    /// Where the crash-recovery state file lives (`ExitHostSetup`).
    public var stateDirectory: String
    /// Options for the tunnel; its `destinationFilter` is set by the service from the policy.
    public var tunnelOptions: TunnelService.Options

    public init(
        tunnel: WgQuickConfiguration, interfaceName: String, egressInterface: String? = nil,
        allow: [DestinationRule] = [], deny: [DestinationRule] = [], stateDirectory: String = "/run/dvpn",
        tunnelOptions: TunnelService.Options = TunnelService.Options()
    ) {
        self.tunnel = tunnel
        self.interfaceName = interfaceName
        self.egressInterface = egressInterface
        self.allow = allow
        self.deny = deny
        self.stateDirectory = stateDirectory
        self.tunnelOptions = tunnelOptions
    }

    /// Whether `name` can be an interface name (what the kernel accepts, and safe to quote in an
    /// nft script): 1 to 15 of `a-z A-Z 0-9 _ = + . -`.
    public static func isValidInterfaceName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 15
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_=+.-".contains($0)) }
    }
}

/// An operator's exit on its own (issue 8 items 2 and 7; `docs/exit.md`): forwarding and NAT out
/// of the egress interface, the destination policy in the tunnel core, and the WireGuard
/// interface, all brought up by `run()` and all removed when it ends (graceful shutdown through a
/// `ServiceGroup`, cancellation, or an error). A previous crashed run of the same interface is
/// cleaned up first.
public struct ExitService: Service {
    public let configuration: ExitConfiguration
    let logger: Logger

    public init(configuration: ExitConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The policy for this host: the operator's rules and every address the host holds now,
    /// the tunnel's own included.
    public func policy() throws(NodeError) -> ExitPolicy {
        let own = try HostNetwork.addresses() + configuration.tunnel.interface.addresses.map(\.address)
        return ExitPolicy(allow: configuration.allow, deny: configuration.deny, ownAddresses: own)
    }

    public func run() async throws {
        let name = configuration.interfaceName
        guard ExitConfiguration.isValidInterfaceName(name) else {
            throw NodeError(.configuration, "'\(name)' is not a valid interface name")
        }
        let egress = try configuration.egressInterface ?? HostNetwork.defaultRouteInterface()
        guard ExitConfiguration.isValidInterfaceName(egress), HostNetwork.interfaceExists(egress) else {
            throw NodeError(.configuration, "egress interface '\(egress)' does not exist")
        }
        guard egress != name else { throw NodeError(.configuration, "the egress interface cannot be the tunnel itself") }
        let host = ExitHostSetup(
            firewall: ExitFirewall(tunnelInterface: name, egressInterface: egress),
            forwardsIPv6: configuration.tunnel.interface.addresses.contains { !$0.address.isIPv4 },
            stateDirectory: configuration.stateDirectory, logger: logger)
        host.removeLeftovers()

        let policy = try policy()
        var options = configuration.tunnelOptions
        options.destinationFilter = policy.filter
        logger.info("exit policy: \(policy.rules.count) rules, refusing \(policy.ownAddresses.count) own address(es); egress \(egress)")
        for rule in policy.allow { logger.info("  allow \(rule)") }
        for rule in policy.deny { logger.info("  deny \(rule)") }

        let tunnel = TunnelService(
            configuration: configuration.tunnel, interfaceName: name, options: options, logger: logger)
        do {
            try host.up()
            try await tunnel.run()
        } catch {
            host.down()
            throw error
        }
        host.down()
    }
}
