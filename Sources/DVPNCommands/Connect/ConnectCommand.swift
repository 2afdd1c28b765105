import ArgumentParser
import DVPNClient
import DVPNCrypto
import DVPNLedger
import DVPNNode
import Foundation
import Logging
import UnixSignals

/// `dvpn connect`: buy traffic from the best matching operator and route everything through it
/// until Ctrl-C or SIGTERM (issue 8 items 8 and 9; docs/client.md).
///
/// Exit codes: 0 after a clean stop (settled, system restored); 1 for no matching offer, a price
/// above the limits, an unreachable operator or any other failure (one line); 2 when the
/// operator cut the session off or the spending limit was reached (the reason in one line).
public struct ConnectCommand<Profile: ProgramProfile>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "connect",
            abstract: "Buy VPN traffic from the best matching operator and route all traffic through it.")
    }

    @Option(help: ArgumentHelp("Only operators in this country (ISO 3166 two letters).", valueName: "CC"))
    var country: String?
    @Option(name: .customLong("max-price"), help: ArgumentHelp("Highest price per GiB (2^30 bytes) you accept.", valueName: "DVPN"))
    var maxPrice: String?
    @Option(name: .customLong("max-price-per-hour"), help: ArgumentHelp("Highest price per hour you accept.", valueName: "DVPN"))
    var maxPricePerHour: String?
    @Option(name: .customLong("offer"), help: ArgumentHelp("Buy only from this operator.", valueName: "ADDRESS"))
    var offer: String?
    @Option(help: ArgumentHelp("Deposit of a new channel, and of each automatic top-up.", valueName: "DVPN"))
    var deposit: String = "1"
    @Option(name: .customLong("max-spend"), help: ArgumentHelp("The most this connect pays in total, top-ups included.", valueName: "DVPN"))
    var maxSpend: String = "5"
    @Option(help: ArgumentHelp("The tunnel interface's name.", valueName: "NAME"))
    var interface: String = "dvpn0"
    @Flag(name: .customLong("keep-channel"), help: ArgumentHelp(
        "On exit, end the session but leave the channel open, so the next connect to this operator needs no transaction.",
        discussion: "The operator holds your final voucher and redeems it before the channel expires; the rest of the deposit stays in the channel until a later connect settles it or it expires."))
    var keepChannel = false
    @Flag(name: .customLong("no-dns"), help: "Leave /etc/resolv.conf alone (the tunnel's DNS server is not used).")
    var noDNS = false
    @Flag(help: "Log every tunnel step and handshake.")
    var verbose = false
    @OptionGroup var node: NodeOptions
    @OptionGroup var light: LightClientOptions<Profile>
    @OptionGroup var identity: SigningIdentity<Profile>
    @OptionGroup var output: OutputOptions

    public init() {}

    public func validate() throws {
        if let country, country.count != 2 || !country.allSatisfy({ $0.isASCII && $0.isLetter }) {
            throw ValidationError("--country takes two letters (ISO 3166), got '\(country.prefix(20))'")
        }
        guard ExitConfiguration.isValidInterfaceName(interface) else {
            throw ValidationError("'\(interface)' is not a valid interface name (1 to 15 of a-z A-Z 0-9 _ = + . -)")
        }
    }

    /// The checked configuration (amounts parsed, the operator address decoded).
    func connectConfiguration(dataDirectory: String) throws -> ConnectConfiguration {
        let criteria = OfferCriteria(
            country: country, maxPricePerGiB: try maxPrice.map { try LedgerFormat.parseAmount($0, what: "--max-price", positive: false) },
            maxPricePerHour: try maxPricePerHour.map { try LedgerFormat.parseAmount($0, what: "--max-price-per-hour", positive: false) },
            operatorAddress: try offer.map { try AddressArgument.parse($0, what: "--offer") })
        let depositAmount = try LedgerFormat.parseAmount(deposit, what: "--deposit")
        let spendAmount = try LedgerFormat.parseAmount(maxSpend, what: "--max-spend")
        return ConnectConfiguration(
            criteria: criteria, deposit: depositAmount, maxSpend: spendAmount, interfaceName: interface,
            dataDirectory: dataDirectory, resolvConf: noDNS ? nil : "/etc/resolv.conf", keepChannel: keepChannel)
    }

    public func run() async throws {
        let directory = try identity.dataDirectory.ensureExists()
        let configuration = try connectConfiguration(dataDirectory: directory)
        guard geteuid() == 0 else {
            throw CommandFailure("connect needs root (it creates a TUN interface, routes, rules and sets DNS)")
        }
        if case .running(let status) = try StatusFile.read(dataDirectory: directory) {
            throw CommandFailure("a connect is already running (pid \(status.pid), \(status.node)); see dvpn status")
        }
        let keys = try identity.load()
        let ledger = LedgerAccess(light: try light.open(nodes: node, dataDirectory: identity.dataDirectory), identity: keys)
        var logger = Logger(label: "dvpn.connect")
        logger.logLevel = verbose ? .debug : .warning
        let printer = ConnectPrinter(json: output.json, program: Profile.programName)
        let session = ConnectSession(configuration: configuration, ledger: ledger, logger: logger, report: { printer.print($0) })
        let stop = StopSignal()
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let summary = try await withThrowingTaskGroup(of: ConnectSummary?.self) { group in
            group.addTask {
                for await _ in signals {
                    stop.stop()
                    break
                }
                return nil
            }
            group.addTask { try await session.run(stop: stop) }
            var result: ConnectSummary?
            while let next = try await group.next() {
                if let next {
                    result = next
                    group.cancelAll()
                }
            }
            return result
        }
        guard let summary else { throw CommandFailure("the connect ended without a summary") }
        printer.print(.summary(summary))
        if summary.cutOff != nil { throw ExitCode(2) }
    }
}
