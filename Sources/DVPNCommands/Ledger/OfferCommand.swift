import ArgumentParser
import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import DVPNNode

/// `offer register|update|withdraw|heartbeat`: an operator's own offer in the registry.
public struct OfferCommand<Profile: ProgramProfile>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "offer", abstract: "Publish, change or withdraw your offer in the registry.",
            subcommands: [Register.self, Update.self, Withdraw.self, Heartbeat.self])
    }

    public init() {}

    /// The terms as options, shared by `register` and `update`.
    struct TermsOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Country of the exit (ISO 3166-1 alpha-2).", valueName: "CC")) var country: String
        @Option(help: ArgumentHelp("Price per GiB.", valueName: "DVPN")) var price: String
        @Option(name: .customLong("price-per-hour"), help: ArgumentHelp("Optional price per hour.", valueName: "DVPN"))
        var pricePerHour: String?
        @Option(help: ArgumentHelp("Advertised bandwidth in Mbit/s.", valueName: "MBPS")) var bandwidth: UInt64
        @Option(help: ArgumentHelp("Where clients reach the tunnel.", valueName: "HOST:PORT")) var endpoint: String
        @Option(help: ArgumentHelp("Comma-separated services (e.g. wireguard).", valueName: "LIST")) var services: String?
        @Option(name: .customLong("tunnel-key"), help: ArgumentHelp(
            "The node's WireGuard public key, base64 (default: the key file's tunnel key).", valueName: "BASE64"))
        var tunnelKey: String?

        init() {}

        func terms(identity: KeyFile.Identity) throws -> OfferTerms {
            let key: X25519.PublicKey
            if let tunnelKey {
                do { key = try X25519.PublicKey(base64: tunnelKey) } catch {
                    throw CommandFailure("--tunnel-key: \(error.reason)")
                }
            } else {
                key = identity.tunnelKey.publicKey
            }
            return OfferTerms(
                country: try CountryCode.parse(country),
                pricePerGiB: try LedgerFormat.parseAmount(price, what: "price"),
                pricePerHour: try pricePerHour.map { try LedgerFormat.parseAmount($0, what: "price per hour") },
                bandwidthMbps: bandwidth, endpoint: endpoint, tunnelKey: key,
                services: services.map { $0.split(separator: ",").map(String.init) } ?? [])
        }

        /// Signs and sends `method(terms)` (register or update) and reports it.
        func publish(
            _ method: (OfferTerms) -> ContractCall, verb: String, call: ContractCallOptions<Profile>
        ) async throws {
            let identity = try call.identity.load()
            let offer = try terms(identity: identity)
            let sent = try await call.send(.contractCall(method(offer)), identity: identity)
            call.report(sent, "\(verb) the offer of \(identity.address.string) (\(offer.country), \(offer.pricePerGiB) per GiB)")
        }
    }

    struct Register: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "register", abstract: "Publish your offer.")
        }
        @OptionGroup var terms: TermsOptions
        @OptionGroup var call: ContractCallOptions<Profile>

        func run() async throws { try await terms.publish(RegistryContract.register, verb: "Registered", call: call) }
    }

    struct Update: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "update", abstract: "Replace your offer's terms.")
        }
        @OptionGroup var terms: TermsOptions
        @OptionGroup var call: ContractCallOptions<Profile>

        func run() async throws { try await terms.publish(RegistryContract.update, verb: "Updated", call: call) }
    }

    struct Withdraw: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "withdraw", abstract: "Remove your offer.")
        }
        @OptionGroup var call: ContractCallOptions<Profile>

        func run() async throws {
            let identity = try call.identity.load()
            let sent = try await call.send(.contractCall(RegistryContract.withdraw()), identity: identity)
            call.report(sent, "Withdrew the offer of \(identity.address.string)")
        }
    }

    struct Heartbeat: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: "heartbeat", abstract: "Keep your offer fresh for another registry lifetime.")
        }
        @OptionGroup var call: ContractCallOptions<Profile>

        func run() async throws {
            let identity = try call.identity.load()
            let sent = try await call.send(.contractCall(RegistryContract.heartbeat()), identity: identity)
            call.report(sent, "Refreshed the offer of \(identity.address.string)")
        }
    }
}

/// What every command that calls a contract takes: the node, the signing key, a fee and `--json`.
struct ContractCallOptions<Profile: ProgramProfile>: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Fee in DVPN; it buys the call's fuel (default: ten times the chain's minimum).", valueName: "DVPN"))
    var fee: String?
    @OptionGroup var node: NodeOptions
    @OptionGroup var identity: SigningIdentity<Profile>
    @OptionGroup var output: OutputOptions

    init() {}

    /// Contract calls default to ten minimum fees: at devnet parameters that buys the per-call
    /// fuel maximum, so an ordinary call never runs out.
    static var callFeeMultiplier: UInt64 { 10 }

    func send(_ payload: TransactionPayload, identity: KeyFile.Identity) async throws -> TransactionSender.Sent {
        let client = try node.client()
        let chosenFee: Amount
        if let fee {
            chosenFee = try LedgerFormat.parseAmount(fee, what: "fee", positive: false)
        } else {
            let (fee, overflow) = try await client.status().minimumFee.multipliedReportingOverflow(by: Self.callFeeMultiplier)
            chosenFee = Amount(udvpn: overflow ? .max : fee)
        }
        return try await TransactionSender(client: client, identity: identity).send(payload, fee: chosenFee)
    }

    /// Prints `message` and where the transaction landed, or the JSON report.
    func report(_ sent: TransactionSender.Sent, _ message: String, extra: [String: String] = [:]) {
        if output.json {
            print(JSONOutput.render(CallReport(hash: sent.hash, height: sent.height, fee: sent.receipt?.fee, details: extra)))
        } else {
            print("\(message) in block \(sent.height.map(String.init) ?? "?") (transaction \(sent.hash)).")
        }
    }
}

struct CallReport: Encodable {
    let hash: String
    let height: UInt64?
    let fee: UInt64?
    let details: [String: String]
}
