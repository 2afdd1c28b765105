import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Logging

/// A single-validator node's chain: DVPNLedger's `Ledger` (store, state, mempool) plus this
/// node's validator key, answering the HTTP API (`NodeBackend`) and driven by the block producer
/// (`BlockProducing`).
///
/// Thread safety: `Ledger` serialises every change of its head behind its own lock and commits
/// each block in one SQLite transaction before memory moves, so this class holds no mutable
/// state of its own (the failure details guard themselves) and API reads may run concurrently
/// with production.
final class LedgerNode: Sendable {
    let ledger: Ledger
    let signer: CommitSigner
    let logger: Logger
    /// Past states rebuilt for proofs at old heights (`LedgerNode+Proofs.swift`).
    let history = HistoricalStates()
    /// Explanations of the failures this node executed (never hashed; see `FailureDetails`).
    let failureDetails = FailureDetails()

    var genesis: Genesis { ledger.genesis }
    var height: UInt64 { ledger.height }

    /// Opens (or creates) the database and checks it against `genesis`.
    init(
        databasePath: String, genesis: Genesis, contracts: [EmbeddedContract], validatorKey: Schnorr.PrivateKey,
        logger: Logger
    ) throws(NodeError) {
        guard genesis.validators.contains(validatorKey.publicKey) else {
            throw NodeError(.configuration, "this node's key is not a validator of chain \(genesis.chainID)")
        }
        var code: [String: [UInt8]] = [:]
        for contract in contracts { code[contract.name] = contract.code }
        do {
            let store = try LedgerStore(path: databasePath)
            ledger = try Ledger(store: store, genesis: genesis, contractCode: code, logger: logger)
        } catch {
            throw NodeError(.storage, "cannot open the ledger at \(databasePath): \(error.reason)")
        }
        signer = CommitSigner(key: validatorKey, chainID: genesis.chainID)
        self.logger = logger
    }

    func close() {
        do {
            try ledger.store.close()
        } catch {
            logger.warning("closing the store failed: \(error.reason)")
        }
    }
}

extension LedgerNode: BlockProducing {
    func pendingTransactionCount() async -> Int { ledger.mempoolCount }

    /// Builds, signs (a one-validator commit is the same commit format with one precommit) and
    /// stores the next block. Header times strictly increase even if the wall clock steps back.
    func produceBlock() async throws(NodeError) -> UInt64 {
        let now = Timestamp(Date())
        let last = ledger.position.time
        let time = now > last ? now : Timestamp(millisecondsSince1970: last.millisecondsSince1970 + 1)
        do {
            guard let committed = try ledger.produceBlock(signer: signer, time: time, allowEmpty: true) else {
                return ledger.height
            }
            failureDetails.record(committed.receipts)
            for receipt in committed.receipts where !receipt.succeeded {
                logger.info("transaction failed", metadata: [
                    "id": "\(receipt.transactionID.hex)", "reason": "\(receipt.failureDescription ?? "")"])
            }
            return committed.block.height
        } catch {
            throw NodeError(.storage, "producing block \(ledger.height + 1) failed: \(error.reason)")
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
