import ArgumentParser
import DVPNCommands

/// `dvpn-node`: the operator's node (sell exit bandwidth, produce and replicate the ledger).
/// Parsing and output only; the work is in the library modules.
@main
struct DVPNNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dvpn-node",
        abstract: "dvpn node: sell exit bandwidth and keep the ledger.",
        version: DVPNVersion.string,
        subcommands: [
            KeysCommand<NodeProfile>.self, NodeServeCommand.self, NodeStatusCommand.self, TestnetCommand.self, ExitCommand.self,
            OfferCommand<NodeProfile>.self,
        ])

    static func main() async {
        await CommandRunner.main(DVPNNodeCommand.self, profile: NodeProfile.self)
    }
}
