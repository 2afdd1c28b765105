import ArgumentParser
import DVPNClient
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import DVPNNode

/// `offers [--country CC] [--max-price P]`: the registry's offers, cheapest first.
public struct OffersCommand<Profile: ProgramProfile>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "offers", abstract: "List operators' offers from the ledger, cheapest first.")
    }

    @Option(help: ArgumentHelp("Only offers in this country (ISO 3166-1 alpha-2, e.g. DE).", valueName: "CC"))
    var country: String?
    @Option(name: .customLong("max-price"), help: ArgumentHelp("Only offers at most this price per GiB.", valueName: "DVPN"))
    var maxPrice: String?
    @Flag(help: "Include stale offers (no heartbeat within the registry's lifetime).") var all = false
    @OptionGroup var node: NodeOptions
    @OptionGroup var light: LightClientOptions<Profile>
    @OptionGroup var dataDirectory: DataDirectoryOptions<Profile>
    @OptionGroup var output: OutputOptions

    public init() {}

    public func run() async throws {
        let code = try country.map(CountryCode.parse)
        let limit = try maxPrice.map { try LedgerFormat.parseAmount($0, what: "max price", positive: false).udvpn }
        // Each offer is proven against a verified header; that none is missing is not (docs/light-client.md).
        let client = try light.open(nodes: node, dataDirectory: dataDirectory)
        let offers = try await client.offers(country: code, maxPricePerGiB: limit).value.filter { all || !$0.stale }
        if output.json {
            print(JSONOutput.render(offers.map(OfferReport.init)))
            return
        }
        guard !offers.isEmpty else {
            print("No offers match.")
            return
        }
        print(TextTable.columns(
            header: ["OPERATOR", "COUNTRY", "PRICE/GiB", "PRICE/HOUR", "BANDWIDTH", "ENDPOINT", "SERVICES"]
                + (all ? ["STALE"] : []),
            rows: offers.map { offer in
                [
                    offer.operator, offer.country, LedgerFormat.dvpn(offer.pricePerGiB),
                    offer.pricePerHour.map(LedgerFormat.dvpn) ?? "-", "\(offer.bandwidthMbps) Mbit/s", offer.endpoint,
                    offer.services.isEmpty ? "-" : offer.services.joined(separator: ","),
                ] + (all ? [offer.stale ? "yes" : "no"] : [])
            }))
    }
}

/// An offer for `--json`: prices as DVPN decimals and as udvpn.
struct OfferReport: Encodable {
    let `operator`: String
    let country: String
    let pricePerGiB: String
    let pricePerGiBUdvpn: UInt64
    let pricePerHour: String?
    let bandwidthMbps: UInt64
    let endpoint: String
    let tunnelKey: String
    let services: [String]
    let heartbeatHeight: UInt64
    let stale: Bool

    init(_ offer: NodeAPI.Offer) {
        self.operator = offer.operator
        country = offer.country
        pricePerGiB = LedgerFormat.decimal(offer.pricePerGiB)
        pricePerGiBUdvpn = offer.pricePerGiB
        pricePerHour = offer.pricePerHour.map(LedgerFormat.decimal)
        bandwidthMbps = offer.bandwidthMbps
        endpoint = offer.endpoint
        tunnelKey = offer.tunnelKey
        services = offer.services
        heartbeatHeight = offer.heartbeatHeight
        stale = offer.stale
    }
}

enum CountryCode {
    /// Two ASCII letters, upper-cased; whether the code is assigned is the registry's rule.
    static func parse(_ text: String) throws -> String {
        let upper = text.uppercased()
        guard upper.utf8.count == 2, upper.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw CommandFailure("country '\(text.prefix(20))' is not a two-letter ISO 3166-1 code such as DE")
        }
        return upper
    }
}
