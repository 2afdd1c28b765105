import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps this operator's offer in the registry as its flags say, for as long as the node runs: a
/// `Service` around `OfferUpkeep`.
///
/// Each `step()` reads the chain (status, the account, the stored offer), and either follows the
/// transaction it sent last, or decides and sends the next registry call. One call is in flight at
/// a time, so nonces never race. An account that cannot pay the fee is told, once per change of
/// its balance, how much to send to which address; the keeper waits for the money and registers
/// by itself when it arrives. An unreachable ledger is logged and retried; nothing here stops the
/// node.
public final class OfferKeeper<Ledger: OperatorLedger>: Service, Sendable {
    /// What one step did, for logs and tests.
    public enum Outcome: Sendable, Equatable {
        case sent(OfferUpkeep.Action, hash: String)
        case waitingForCommit(hash: String)
        case committed(hash: String, height: UInt64)
        /// The call was committed but the contract refused it (reason from the receipt).
        case failed(hash: String, reason: String)
        case refused(reason: String)
        case idle
        case awaitingFunds(fee: Amount, balance: Amount)
    }

    let ledger: Ledger
    let identity: KeyFile.Identity
    let upkeep: OfferUpkeep
    /// Fee of one registry call as a multiple of the chain's minimum: at devnet parameters ten
    /// minimum fees buy the per-call fuel maximum (the `dvpn offer` commands' default).
    let feeMultiplier: UInt64
    let pollInterval: Duration
    let logger: Logger
    // The hash of the call in flight and the balance last reported as too low. Only `step()`
    // touches them, and `run()` calls it from one task; the mutex makes that safe to state.
    private let inFlight = Mutex<String?>(nil)
    private let reportedBalance = Mutex<Amount?>(nil)

    public init(ledger: Ledger, identity: KeyFile.Identity, upkeep: OfferUpkeep, feeMultiplier: UInt64 = 10,
                pollInterval: Duration = .seconds(2), logger: Logger) {
        self.ledger = ledger
        self.identity = identity
        self.upkeep = upkeep
        self.feeMultiplier = feeMultiplier
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let outcome = try await step()
                log(outcome)
            } catch {
                logger.warning("offer upkeep: cannot reach the ledger: \(error.reason)")
            }
            do {
                try await Task.sleep(for: pollInterval)
            } catch {
                break
            }
        }
    }

    /// One look at the chain and at most one transaction sent.
    public func step() async throws(NodeError) -> Outcome {
        if let hash = inFlight.withLock({ $0 }) {
            let status = try await ledger.transactionStatus(hash: hash)
            switch status.status {
            case .pending:
                return .waitingForCommit(hash: hash)
            case .committed:
                inFlight.withLock { $0 = nil }
                if let receipt = status.receipt, !receipt.success {
                    return .failed(hash: hash, reason: receipt.error ?? "no reason given")
                }
                return .committed(hash: hash, height: status.height ?? 0)
            case .unknown:
                // Evicted or lost with a restarted node: decide afresh.
                inFlight.withLock { $0 = nil }
            }
        }
        let chain = try await ledger.status()
        let account = try await ledger.account(identity.address)
        let stored = try await ledger.offer(of: identity.address)
        let (product, overflow) = chain.minimumFee.multipliedReportingOverflow(by: feeMultiplier)
        let fee = Amount(udvpn: overflow ? .max : product)
        let balance = Amount(udvpn: account?.balance ?? 0)
        let action = upkeep.next(stored: stored, height: chain.latestHeight, balance: balance, fee: fee)
        let call: ContractCall
        switch action {
        case .none:
            return .idle
        case .awaitFunds(let fee, let balance):
            return .awaitingFunds(fee: fee, balance: balance)
        case .register:
            call = RegistryContract.register(upkeep.terms)
        case .update:
            call = RegistryContract.update(upkeep.terms)
        case .heartbeat:
            call = RegistryContract.heartbeat()
        }
        let transaction: Transaction
        do throws(LedgerError) {
            transaction = try DVPNLedger.TransactionBody(
                chainID: chain.chainID, sender: identity.ledgerKey.publicKey, nonce: account?.pendingNonce ?? 0,
                fee: fee, payload: .contractCall(call)
            ).signed(with: identity.ledgerKey)
        } catch {
            throw NodeError(.configuration, "cannot sign the registry call: \(error.reason)")
        }
        switch try await ledger.submitTransaction(transaction.canonicalBytes) {
        case .accepted(let hash):
            inFlight.withLock { $0 = hash }
            return .sent(action, hash: hash)
        case .rejected(let reason), .malformed(let reason):
            return .refused(reason: reason)
        }
    }

    private func log(_ outcome: Outcome) {
        switch outcome {
        case .sent(let action, let hash):
            logger.info("offer upkeep: sent \(action)", metadata: ["tx": "\(hash)", "operator": "\(identity.address.string)"])
        case .committed(let hash, let height):
            logger.info("offer upkeep: committed", metadata: ["tx": "\(hash)", "height": "\(height)"])
        case .failed(let hash, let reason):
            logger.error("offer upkeep: the registry refused the call: \(reason)", metadata: ["tx": "\(hash)"])
        case .refused(let reason):
            logger.error("offer upkeep: the node refused the call: \(reason)")
        case .awaitingFunds(let fee, let balance):
            let changed = reportedBalance.withLock { reported in
                defer { reported = balance }
                return reported != balance
            }
            if changed {
                logger.notice(
                    "offer upkeep: account \(identity.address.string) holds \(balance); a registry call costs \(fee) in fees. Send at least \(fee) to \(identity.address.string); waiting for it.")
            }
        case .idle, .waitingForCommit:
            break
        }
    }
}
