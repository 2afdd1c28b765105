import DVPNNodeAPI
import ArgumentParser
import DVPNCrypto
import DVPNNode

/// `balance [ADDRESS]`: an account's balance in DVPN, by default the key file's own.
public struct BalanceCommand<Profile: ProgramProfile>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "balance", abstract: "Show an account's balance.")
    }

    @Argument(help: ArgumentHelp("The account (default: the key file's address).", valueName: "ADDRESS"))
    var address: String?
    @OptionGroup var node: NodeOptions
    @OptionGroup var identity: SigningIdentity<Profile>
    @OptionGroup var output: OutputOptions

    public init() {}

    public func run() async throws {
        let target = try address.map { try AddressArgument.parse($0) } ?? identity.load().address
        let account = try await AddressArgument.account(target, client: node.client())
        if output.json {
            print(JSONOutput.render(BalanceReport(account)))
        } else {
            print(TextTable.keyValue([
                ("address", account.address),
                ("balance", LedgerFormat.dvpn(account.balance)),
                ("nonce", String(account.nonce)),
            ]))
        }
    }
}

struct BalanceReport: Encodable {
    let address: String
    /// DVPN decimal.
    let balance: String
    let balanceUdvpn: UInt64
    let nonce: UInt64

    init(_ account: NodeAPI.Account) {
        address = account.address
        balance = LedgerFormat.decimal(account.balance)
        balanceUdvpn = account.balance
        nonce = account.nonce
    }
}
