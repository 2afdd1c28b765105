import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Logging

/// A node's chain: DVPNLedger's `Ledger` (store, state, mempool) plus this node's key, answering
/// the HTTP API (`NodeBackend`) and driven by the consensus engine (`ConsensusEngine`), which
/// stores every decided or synced block through `ledger` and reports it with `recordCommitted`.
///
/// The key need not be a validator's: a full node follows the chain and never votes.
///
/// Thread safety: `Ledger` serialises every change of its head behind its own lock and commits
/// each block in one SQLite transaction before memory moves, so this class holds no mutable
/// state of its own (the failure details and the network handle guard themselves) and API reads
/// may run concurrently with consensus.
final class LedgerNode: Sendable {
    let ledger: Ledger
    /// This node's ledger key: its P2P identity, and its validator key if the set names it.
    let nodeKey: Schnorr.PrivateKey
    let logger: Logger
    /// Past states rebuilt for proofs at old heights (`LedgerNode+Proofs.swift`).
    let history = HistoricalStates()
    /// Explanations of the failures this node executed (never hashed; see `FailureDetails`).
    let failureDetails = FailureDetails()
    /// The P2P side: gossip of admitted transactions, the peer count for `/v1/status`.
    let network = NodeNetwork()

    var genesis: Genesis { ledger.genesis }
    var height: UInt64 { ledger.height }

    /// Opens (or creates) the database and checks it against `genesis`.
    init(
        databasePath: String, genesis: Genesis, contracts: [EmbeddedContract], nodeKey: Schnorr.PrivateKey,
        logger: Logger
    ) throws(NodeError) {
        var code: [String: [UInt8]] = [:]
        for contract in contracts { code[contract.name] = contract.code }
        do {
            let store = try LedgerStore(path: databasePath)
            ledger = try Ledger(store: store, genesis: genesis, contractCode: code, logger: logger)
        } catch {
            throw NodeError(.storage, "cannot open the ledger at \(databasePath): \(error.reason)")
        }
        self.nodeKey = nodeKey
        self.logger = logger
    }

    /// Whether this node's key is in the validator set in force now.
    var isValidator: Bool { ledger.state.validatorSet.contains(nodeKey.publicKey) }

    func close() {
        do {
            try ledger.store.close()
        } catch {
            logger.warning("closing the store failed: \(error.reason)")
        }
    }

    /// Keeps this node's explanations of failed receipts and logs them (never hashed).
    func recordCommitted(_ committed: CommittedBlock) {
        failureDetails.record(committed.receipts)
        for receipt in committed.receipts where !receipt.succeeded {
            logger.info("transaction failed", metadata: [
                "id": "\(receipt.transactionID.hex)", "reason": "\(receipt.failureDescription ?? "")"])
        }
    }
}

extension LedgerNode {
    /// Decodes and offers a transaction to the mempool. Oversized and undecodable bytes are
    /// malformed; everything the ledger's entry checks refuse is a rejection with its rule.
    func submit(transaction bytes: [UInt8]) async -> SubmissionOutcome {
        let limit = genesis.params.maxTransactionBytes
        guard UInt64(bytes.count) <= limit else {
            return .rejected(reason: TransactionRejection(.tooLarge, "\(bytes.count) bytes, the limit is \(limit)").description)
        }
        let transaction: Transaction
        do {
            transaction = try Transaction(canonicalBytes: bytes)
        } catch {
            return .malformed(reason: "malformed transaction: \(error.reason)")
        }
        switch ledger.submit(transaction) {
        case .accepted(let id, let evicted):
            network.publish(transaction)
            if !evicted.isEmpty {
                logger.debug("mempool evicted transactions", metadata: ["count": "\(evicted.count)"])
            }
            return .accepted(hash: id.hex)
        case .rejected(let rejection):
            logger.debug("rejected transaction", metadata: ["reason": "\(rejection.description)"])
            return .rejected(reason: rejection.description)
        }
    }
}
