import ArgumentParser
import DVPNNode
import DVPNTunnelPosix
import Foundation
import Logging
import ServiceLifecycle

/// `dvpn tunnel …`: a WireGuard interface run by this program, configured with the wg-quick file
/// format and inspectable with stock `wg`.
public struct TunnelCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tunnel",
        abstract: "Run a userspace WireGuard interface (wg-quick configuration, stock `wg` tools).",
        subcommands: [TunnelUpCommand.self])

    public init() {}
}

/// `dvpn tunnel up --config FILE [--interface NAME]`: creates the interface, assigns its
/// addresses, sets its MTU, adds routes for the peers' allowed IPs, serves the UAPI socket for
/// `wg`, and runs in the foreground until SIGINT or SIGTERM, then removes all of it.
public struct TunnelUpCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Bring up a WireGuard interface from a wg-quick file and run it in the foreground.")

    @Option(name: .long, help: ArgumentHelp("wg-quick configuration file.", valueName: "FILE"))
    var config: String

    @Option(name: .long, help: ArgumentHelp(
        "Interface name (default: the file's name without .conf).", valueName: "NAME"))
    var interface: String?

    @Flag(name: .long, help: "Log every configuration step and handshake.")
    var verbose = false

    public init() {}

    /// The interface name wg-quick would use: the file name without `.conf`.
    var interfaceName: String { TunnelConfigFile.interfaceName(config: config, interface: interface) }

    public func validate() throws {
        let name = interfaceName
        guard ExitConfiguration.isValidInterfaceName(name) else {
            throw ValidationError("'\(name)' is not a valid interface name (1 to 15 of a-z A-Z 0-9 _ = + . -)")
        }
    }

    public func run() async throws {
        let resolved = try TunnelConfigFile.load(config)
        guard geteuid() == 0 else {
            throw CommandFailure("tunnel up needs root (it creates a TUN interface, addresses and routes)")
        }

        var logger = Logger(label: "dvpn.tunnel")
        logger.logLevel = verbose ? .debug : .info
        if !resolved.interface.dns.isEmpty || !resolved.interface.dnsSearch.isEmpty {
            logger.notice("DNS = \((resolved.interface.dns.map(\.description) + resolved.interface.dnsSearch).joined(separator: ", ")) is not applied: configure the resolver yourself")
        }
        let options = TunnelConfigFile.optionsFromEnvironment()
        let service = TunnelService(configuration: resolved, interfaceName: interfaceName, options: options, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
