import ArgumentParser
import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import DVPNNode

/// `transfer TO AMOUNT`: sends DVPN and waits until the transfer is in a block.
public struct TransferCommand<Profile: ProgramProfile>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "transfer",
            abstract: "Send DVPN to an address and wait until it is in a block.")
    }

    @Argument(help: ArgumentHelp("The recipient.", valueName: "TO")) var to: String
    @Argument(help: ArgumentHelp("DVPN to send, a decimal such as 0.05.", valueName: "AMOUNT")) var amount: String
    @Option(help: ArgumentHelp("Fee in DVPN (default: the chain's minimum).", valueName: "DVPN")) var fee: String?
    @Flag(name: .customLong("no-wait"), help: "Return once the node accepted the transfer.") var noWait = false
    @OptionGroup var node: NodeOptions
    @OptionGroup var identity: SigningIdentity<Profile>
    @OptionGroup var output: OutputOptions

    public init() {}

    public func run() async throws {
        let recipient = try AddressArgument.parse(to, what: "recipient")
        let value = try LedgerFormat.parseAmount(amount, what: "amount")
        let chosenFee = try fee.map { try LedgerFormat.parseAmount($0, what: "fee", positive: false) }
        let sender = TransactionSender(client: try node.client(), identity: try identity.load())
        let sent = try await sender.send(.transfer(to: recipient, amount: value), fee: chosenFee, wait: !noWait)
        if output.json {
            print(JSONOutput.render(TransferReport(
                hash: sent.hash, height: sent.height, from: sender.address.string, to: recipient.string,
                amount: value.dvpnString, amountUdvpn: value.udvpn, fee: sent.receipt?.fee)))
        } else if let height = sent.height {
            print("Sent \(value.dvpnString) DVPN to \(recipient.string) in block \(height) (transaction \(sent.hash)).")
        } else {
            print("The node accepted the transfer of \(value.dvpnString) DVPN to \(recipient.string) (transaction \(sent.hash)).")
        }
    }
}

struct TransferReport: Encodable {
    let hash: String
    let height: UInt64?
    let from: String
    let to: String
    let amount: String
    let amountUdvpn: UInt64
    let fee: UInt64?
}
