import ArgumentParser
import DVPNCommands

/// `dvpn`: the client (buy bandwidth, inspect and audit the ledger). Parsing and output only;
/// the work is in the library modules.
@main
struct DVPN: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dvpn",
        abstract: "dvpn client: buy VPN bandwidth by the megabyte and audit the ledger.",
        version: DVPNVersion.string,
        subcommands: [
            KeysCommand<ClientProfile>.self, BalanceCommand<ClientProfile>.self, TransferCommand<ClientProfile>.self,
            OffersCommand<ClientProfile>.self, OfferCommand<ClientProfile>.self, ChannelCommand<ClientProfile>.self,
            LedgerCommand<ClientProfile>.self, TunnelCommand.self, ConnectCommand<ClientProfile>.self,
            StatusCommand<ClientProfile>.self,
        ])

    static func main() async {
        await CommandRunner.main(DVPN.self, profile: ClientProfile.self)
    }
}
