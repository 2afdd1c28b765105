import ArgumentParser

/// `ledger show|tx|verify`: read blocks and transactions from a node, and audit a data directory.
public struct LedgerCommand<Profile: ProgramProfile>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "ledger",
            abstract: "Inspect blocks and transactions, and audit the whole history.",
            subcommands: [LedgerShowCommand.self, LedgerTransactionCommand.self, LedgerVerifyCommand<Profile>.self])
    }

    public init() {}
}
