import ArgumentParser
import DVPNNode
import DVPNTunnel
import Foundation
import Logging
import ServiceLifecycle

/// `dvpn-node exit …`: the operator's WireGuard exit on its own, for operators who bring their
/// own peers and for tests before the marketplace drives it (`docs/exit.md`).
public struct ExitCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "exit",
        abstract: "Run a WireGuard exit: forwarding, NAT and the destination policy.",
        subcommands: [ExitUpCommand.self])

    public init() {}
}

/// `dvpn-node exit up --config FILE [--interface NAME] [--egress IFACE] [--allow RULE]…
/// [--deny RULE]…`: brings up the interface as `dvpn tunnel up` does, turns forwarding on, adds
/// masquerade and the forward rules out of the egress interface, refuses what the policy refuses,
/// and on SIGINT/SIGTERM removes all of it and restores the forwarding switches.
public struct ExitUpCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Bring up a WireGuard exit from a wg-quick file and run it in the foreground.",
        discussion: """
            RULE is CIDR[:PORT[-PORT]][/tcp|/udp]; an IPv6 CIDR with ports is bracketed, \
            [2001:db8::/32]:443/tcp. Refused by default: private, CGNAT, loopback, link-local, \
            multicast and reserved ranges, the host's own addresses, and TCP port 25. The most \
            specific prefix wins; at equal length, ports beat none, the operator's rules beat the \
            defaults, and deny beats allow.
            """)

    @Option(name: .long, help: ArgumentHelp("wg-quick configuration file.", valueName: "FILE"))
    var config: String

    @Option(name: .long, help: ArgumentHelp(
        "Interface name (default: the file's name without .conf).", valueName: "NAME"))
    var interface: String?

    @Option(name: .long, help: ArgumentHelp(
        "Interface towards the internet (default: the interface of the default route).", valueName: "IFACE"))
    var egress: String?

    @Option(name: .long, help: ArgumentHelp("Allow destinations the defaults refuse (repeatable).", valueName: "RULE"))
    var allow: [String] = []

    @Option(name: .long, help: ArgumentHelp("Refuse more destinations (repeatable).", valueName: "RULE"))
    var deny: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Directory of the crash-recovery state file.", valueName: "DIR"))
    var stateDir = "/run/dvpn"

    @Flag(name: .long, help: "Log every configuration step and handshake.")
    var verbose = false

    public init() {}

    var interfaceName: String { TunnelConfigFile.interfaceName(config: config, interface: interface) }

    public func validate() throws {
        for name in [interfaceName] + (egress.map { [$0] } ?? []) where !ExitConfiguration.isValidInterfaceName(name) {
            throw ValidationError("'\(name)' is not a valid interface name (1 to 15 of a-z A-Z 0-9 _ = + . -)")
        }
        do {
            _ = try ExitPolicy(allowing: allow, denying: deny)
        } catch {
            throw ValidationError(error.reason)
        }
    }

    public func run() async throws {
        let resolved = try TunnelConfigFile.load(config)
        let rules = try ExitPolicy(allowing: allow, denying: deny)
        guard geteuid() == 0 else {
            throw CommandFailure("exit up needs root (a TUN interface, forwarding sysctls, nftables)")
        }
        var logger = Logger(label: "dvpn.exit")
        logger.logLevel = verbose ? .debug : .info
        let configuration = ExitConfiguration(
            tunnel: resolved, interfaceName: interfaceName, egressInterface: egress, allow: rules.allow,
            deny: rules.deny, stateDirectory: stateDir, tunnelOptions: TunnelConfigFile.optionsFromEnvironment())
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: ExitService(configuration: configuration, logger: logger))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
