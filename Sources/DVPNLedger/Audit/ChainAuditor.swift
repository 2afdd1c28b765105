import DVPNContractRuntime

/// Replays a stored chain from genesis and checks everything (`dvpn ledger verify`).
///
/// Rules, in order: the stored genesis (and the expected one, if given); the genesis state and
/// its contract code against the pins; blocks at every height 1…tip with no orphan rows; per
/// block, the header links (chain id, height, previous hash, increasing time, last-commit hash),
/// the previous block's commit and this block's own commit (signatures, > 2/3 of the power of
/// the set in force at that height), every transaction's admission (signature, chain id, nonce,
/// funds, fee, size), re-execution of every payload with the same fuel, the transaction,
/// receipt and state roots, the stored receipts and state changes, and supply conservation; at
/// the end, the stored current state and transaction index against the replay, and the total
/// supply against genesis. The first failure stops the audit and names height, transaction and
/// rule.
public struct ChainAuditor: Sendable {
    public let store: LedgerStore
    public let expectedGenesis: Genesis?
    public let contractLimits: ContractLimits

    /// Audits `store` (open it read-only for a copied database). With `expectedGenesis`, the
    /// stored genesis must equal it.
    public init(store: LedgerStore, expectedGenesis: Genesis? = nil, contractLimits: ContractLimits = .standard) {
        self.store = store
        self.expectedGenesis = expectedGenesis
        self.contractLimits = contractLimits
    }

    /// Runs the audit. Throws only when the store cannot be read at all; every inconsistency is
    /// an `AuditOutcome.failed`.
    public func run(progress: (AuditProgress) -> Void = { _ in }) throws(LedgerError) -> AuditOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        var replay: AuditReplay
        do {
            replay = try AuditReplay(store: store, expectedGenesis: expectedGenesis, contractLimits: contractLimits)
        } catch let failure as AuditFailure {
            return .failed(failure.violation, partial: AuditReport(chainID: expectedGenesis?.chainID ?? ""))
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.storage, "audit failed: \(error)")
        }
        do {
            try replay.run(progress: progress)
            replay.report.duration = clock.now - start
            return .passed(replay.report)
        } catch let failure as AuditFailure {
            replay.report.duration = clock.now - start
            return .failed(failure.violation, partial: replay.report)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.storage, "audit failed: \(error)")
        }
    }
}

/// Thrown inside the replay to stop at the first violation.
struct AuditFailure: Error {
    let violation: ChainViolation

    init(_ height: UInt64, tx: Int? = nil, _ rule: ChainViolation.Rule, _ detail: String) {
        violation = ChainViolation(height: height, transactionIndex: tx, rule: rule, detail: detail)
    }
}
