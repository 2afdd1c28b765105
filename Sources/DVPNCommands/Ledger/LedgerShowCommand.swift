import ArgumentParser
import DVPNNode

/// `ledger show [HEIGHT]`: one block (default the latest) with its transactions.
public struct LedgerShowCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a block (default: the latest) and its transactions.")

    @Argument(help: ArgumentHelp("Block height (default: the latest).", valueName: "HEIGHT")) var height: UInt64?
    @OptionGroup var node: NodeOptions
    @OptionGroup var output: OutputOptions

    public init() {}

    public func run() async throws {
        let client = try node.client()
        let block = try await client.block(height: height)
        if output.json {
            print(JSONOutput.render(block))
            return
        }
        let status = try await client.status()
        print(TextTable.keyValue([
            ("chain", status.chainID),
            ("height", "\(block.height) (latest \(status.latestHeight))"),
            ("hash", block.hash),
            ("time", LedgerFormat.time(milliseconds: block.time)),
            ("previous", block.previousHash),
            ("state root", block.stateRoot),
            ("proposer", block.proposer),
            ("commit", "\(block.lastCommitSignatures) precommit signature(s) for the previous block"),
            ("transactions", String(block.transactions.count)),
        ]))
        guard !block.transactions.isEmpty else { return }
        print("")
        print(TextTable.columns(
            header: ["TX", "SENDER", "NONCE", "FEE", "RESULT", "WHAT"],
            rows: block.transactions.map { tx in
                [
                    LedgerFormat.short(tx.hash), tx.sender, String(tx.nonce), LedgerFormat.dvpn(tx.fee),
                    tx.success ? "ok" : "failed", tx.summary,
                ]
            }))
    }
}

/// `ledger tx HASH`: where a transaction is (pending, committed at a height, unknown) and what it
/// did.
public struct LedgerTransactionCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tx", abstract: "Show whether a transaction is pending or committed, and its result.")

    @Argument(help: ArgumentHelp("Transaction id, 64 hex digits.", valueName: "HASH")) var hash: String
    @OptionGroup var node: NodeOptions
    @OptionGroup var output: OutputOptions

    public init() {}

    public func run() async throws {
        let status = try await node.client().transaction(hash: hash)
        if output.json {
            print(JSONOutput.render(status))
            return
        }
        var rows: [(String, String)] = [("transaction", status.hash), ("status", status.status.rawValue)]
        if let height = status.height { rows.append(("block", String(height))) }
        if let receipt = status.receipt {
            rows.append(("result", receipt.success ? "ok" : "failed: \(receipt.error ?? "")"))
            rows.append(("fee", LedgerFormat.dvpn(receipt.fee)))
            if let fuel = receipt.fuelUsed { rows.append(("fuel used", String(fuel))) }
            for payout in receipt.payouts {
                rows.append(("payout", "\(LedgerFormat.dvpn(payout.amount)) from \(payout.contract) to \(payout.to)"))
            }
        }
        print(TextTable.keyValue(rows))
    }
}
