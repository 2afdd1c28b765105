import ArgumentParser
import DVPNLedger
import DVPNNode
import DVPNNodeAPI
import Foundation

/// `ledger show [HEIGHT]`: one block (default the latest) with its transactions, from a node's
/// API, or with `--data-dir DIR` from a stored replica opened read-only (no node needed: two
/// replicas can be compared block hash by block hash, issue 7 item 8).
public struct LedgerShowCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a block (default: the latest) and its transactions.")

    @Argument(help: ArgumentHelp("Block height (default: the latest).", valueName: "HEIGHT")) var height: UInt64?
    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "Read the block from the ledger stored in this data directory (read-only) instead of asking a node.",
        valueName: "DIR"))
    var dataDirectory: String?
    @OptionGroup var node: NodeOptions
    @OptionGroup var output: OutputOptions

    public init() {}

    public func run() async throws {
        let shown: (block: NodeAPI.Block, chainID: String, latest: UInt64)
        if let dataDirectory {
            shown = try Self.stored(height: height, directory: (dataDirectory as NSString).expandingTildeInPath)
        } else {
            let client = try node.client()
            let block = try await client.block(height: height)
            if output.json {
                print(JSONOutput.render(block))
                return
            }
            let status = try await client.status()
            shown = (block, status.chainID, status.latestHeight)
        }
        let (block, chainID, latest) = shown
        if output.json {
            print(JSONOutput.render(block))
            return
        }
        print(TextTable.keyValue([
            ("chain", chainID),
            ("height", "\(block.height) (latest \(latest))"),
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

    /// The block at `height` (default the tip) of the ledger in `directory`, opened read-only as
    /// `ledger verify` does, with the chain id and the tip height.
    static func stored(height: UInt64?, directory: String) throws -> (block: NodeAPI.Block, chainID: String, latest: UInt64) {
        let store: LedgerStore
        do {
            store = try LedgerStore(directory: directory, readOnly: true)
        } catch {
            throw CommandFailure("cannot open the ledger in \(directory): \(error.reason)")
        }
        defer { try? store.close() }
        do {
            guard let genesis = try store.genesis() else { throw CommandFailure("\(directory) holds no ledger") }
            let tip = try store.tipHeight()
            let wanted = height ?? tip
            guard wanted >= 1 else { throw CommandFailure("the ledger in \(directory) has no block yet") }
            guard wanted <= tip, let block = try store.block(at: wanted) else {
                throw CommandFailure("no block at height \(wanted) in \(directory); the latest is \(tip)")
            }
            return (NodeAPI.Block(block: block, receipts: try store.receipts(at: wanted)), genesis.chainID, tip)
        } catch let error as LedgerError {
            throw CommandFailure("cannot read the ledger in \(directory): \(error.reason)")
        }
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
