import ArgumentParser
import DVPNCrypto
import DVPNLedger
import DVPNNode
import DVPNNodeAPI
import DVPNPayments
import DVPNTunnel
import Foundation

/// The marketplace options of `dvpn-node serve` (docs/operator.md): with `--price` the node also
/// sells exit bandwidth: it keeps its offer in the registry, runs the WireGuard exit and the paid
/// session protocol on its API.
public struct OperatorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Sell exit bandwidth at this price per GiB (2^30 bytes).", valueName: "DVPN"))
    var price: String?
    @Option(name: .customLong("price-per-hour"), help: ArgumentHelp("Also charge this much per hour.", valueName: "DVPN"))
    var pricePerHour: String?
    @Option(help: ArgumentHelp("Country of the exit (ISO 3166-1 alpha-2).", valueName: "CC"))
    var country: String?
    @Option(help: ArgumentHelp("Advertised bandwidth in Mbit/s.", valueName: "MBPS"))
    var bandwidth: UInt64?
    @Option(help: ArgumentHelp("Where clients reach the WireGuard interface (in the offer).", valueName: "HOST:PORT"))
    var endpoint: String?
    @Option(help: ArgumentHelp("UDP port of the WireGuard interface.", valueName: "PORT"))
    var listen: UInt16 = 51820
    @Option(help: ArgumentHelp("Interface towards the internet (default: that of the default route).", valueName: "IFACE"))
    var egress: String?
    @Option(name: .customLong("exit-interface"), help: ArgumentHelp("Name of the WireGuard interface.", valueName: "NAME"))
    var exitInterface = "dvpn0"
    @Option(name: .customLong("max-sessions"), help: ArgumentHelp("Most sessions served at once.", valueName: "N"))
    var maxSessions: Int = 1000
    @Option(name: .customLong("session-cap"), help: ArgumentHelp(
        "Cut a session off after this many MiB (bandwidth cap; default none).", valueName: "MIB"))
    var sessionCap: UInt64?
    @Option(help: ArgumentHelp("Allow destinations the defaults refuse (repeatable).", valueName: "RULE"))
    var allow: [String] = []
    @Option(help: ArgumentHelp("Refuse more destinations (repeatable).", valueName: "RULE"))
    var deny: [String] = []
    @Option(name: .customLong("public-api-port"), help: ArgumentHelp(
        "The API port clients reach on the endpoint's host, named in the offer (default: --api's port).", valueName: "PORT"))
    var publicAPIPort: Int?
    @Option(help: ArgumentHelp("Resolvers announced to clients, IPv4 and IPv6.", valueName: "IPV4,IPV6"))
    var dns = "1.1.1.1,2606:4700:4700::1111"
    @Option(name: .customLong("exit-state-dir"), help: ArgumentHelp("Directory of the exit's crash-recovery state.", valueName: "DIR"))
    var exitStateDir = "/run/dvpn"

    public init() {}

    /// Whether the node sells bandwidth.
    public var isEnabled: Bool { price != nil }

    public func validate(apiPort: Int) throws {
        guard isEnabled else {
            if country != nil || endpoint != nil || bandwidth != nil || pricePerHour != nil {
                throw ValidationError("--country, --endpoint, --bandwidth and --price-per-hour need --price")
            }
            return
        }
        do {
            _ = try configuration(apiPort: apiPort)
        } catch let failure as CommandFailure {
            throw ValidationError(failure.description)
        }
    }

    /// The operator's configuration, every flag checked.
    public func configuration(apiPort: Int) throws -> OperatorConfiguration {
        guard let price else { throw CommandFailure("--price is required to sell bandwidth") }
        guard let country else { throw CommandFailure("--country is required with --price") }
        guard let endpoint else { throw CommandFailure("--endpoint HOST:PORT is required with --price") }
        guard let bandwidth, bandwidth > 0 else { throw CommandFailure("--bandwidth MBPS (above 0) is required with --price") }
        let endpointAddress: HostPort
        do {
            endpointAddress = try HostPort(parsing: endpoint, field: "--endpoint")
        } catch {
            throw CommandFailure(error.reason)
        }
        guard endpointAddress.port > 0 else { throw CommandFailure("--endpoint needs a port above 0") }
        let perGiB = try LedgerFormat.parseAmount(price, what: "--price", positive: false)
        let perHour = try pricePerHour.map { try LedgerFormat.parseAmount($0, what: "--price-per-hour", positive: false) } ?? .zero
        let publicPort = publicAPIPort ?? apiPort
        guard (1...65535).contains(publicPort) else {
            throw CommandFailure("the public API port must be 1 to 65535 (with --api HOST:0 give --public-api-port)")
        }
        var configuration = OperatorConfiguration(
            country: try CountryCode.parse(country), price: Price(perGiB: perGiB, perHour: perHour), bandwidthMbps: bandwidth,
            endpoint: endpoint, publicAPIPort: publicPort)
        configuration.listenPort = listen
        for name in [exitInterface] + (egress.map { [$0] } ?? []) where !ExitConfiguration.isValidInterfaceName(name) {
            throw CommandFailure("'\(name)' is not a valid interface name (1 to 15 of a-z A-Z 0-9 _ = + . -)")
        }
        configuration.interfaceName = exitInterface
        configuration.egressInterface = egress
        guard maxSessions > 0 else { throw CommandFailure("--max-sessions must be at least 1") }
        configuration.maxSessions = maxSessions
        if let sessionCap {
            let (bytes, overflow) = sessionCap.multipliedReportingOverflow(by: 1 << 20)
            guard sessionCap > 0, !overflow else { throw CommandFailure("--session-cap must be between 1 and 2^44 MiB") }
            configuration.sessionByteCap = bytes
        }
        do {
            let rules = try ExitPolicy(allowing: allow, denying: deny)
            configuration.allow = rules.allow
            configuration.deny = rules.deny
        } catch {
            throw CommandFailure(error.reason)
        }
        let resolvers = dns.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard resolvers.count == 2, case .v4(let v4)? = IPAddress(resolvers[0]), case .v6(let v6)? = IPAddress(resolvers[1]) else {
            throw CommandFailure("--dns takes an IPv4 and an IPv6 address, comma-separated")
        }
        configuration.dnsIPv4 = v4
        configuration.dnsIPv6 = v6
        configuration.stateDirectory = exitStateDir
        return configuration
    }
}
