import DVPNNodeAPI
import ArgumentParser
import DVPNClient
import DVPNCrypto
import DVPNNode
import DVPNLedger

/// `balance [ADDRESS]`: an account's balance in DVPN, by default the key file's own.
public struct BalanceCommand<Profile: ProgramProfile>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "balance", abstract: "Show an account's balance.")
    }

    @Argument(help: ArgumentHelp("The account (default: the key file's address).", valueName: "ADDRESS"))
    var address: String?
    @OptionGroup var node: NodeOptions
    @OptionGroup var light: LightClientOptions<Profile>
    @OptionGroup var identity: SigningIdentity<Profile>
    @OptionGroup var output: OutputOptions

    public init() {}

    public func run() async throws {
        let target = try address.map { try AddressArgument.parse($0) } ?? identity.load().address
        // Through the light client: the balance is believed only with a proof against a header
        // verified from genesis.
        let proven = try await light.open(nodes: node, dataDirectory: identity.dataDirectory).account(target)
        guard let state = proven.value, state.balance != .zero || state.nonce != 0 else {
            throw CommandFailure("unknown address \(target.string): it has never held funds on this chain")
        }
        let account = BalanceReport(address: target.string, account: state, height: proven.height)
        if output.json {
            print(JSONOutput.render(account))
        } else {
            print(TextTable.keyValue([
                ("address", account.address),
                ("balance", LedgerFormat.dvpn(account.balanceUdvpn)),
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
    /// The verified block whose state root the balance was proven against.
    let provenAtHeight: UInt64

    init(address: String, account: Account, height: UInt64) {
        self.address = address
        balance = LedgerFormat.decimal(account.balance.udvpn)
        balanceUdvpn = account.balance.udvpn
        nonce = account.nonce
        provenAtHeight = height
    }
}
