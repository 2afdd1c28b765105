/// What a successful audit found.
public struct AuditReport: Hashable, Sendable {
    public var chainID: String
    public var blocks: UInt64 = 0
    public var transactions: UInt64 = 0
    /// Transactions whose payload failed (fee charged, effects reverted).
    public var failedTransactions: UInt64 = 0
    public var contractCalls: UInt64 = 0
    public var channelsOpened: UInt64 = 0
    public var channelsRedeemed: UInt64 = 0
    public var channelsReclaimed: UInt64 = 0
    /// Channels settled at once with the payee's co-signature (`closeCooperative`).
    public var channelsClosedCooperatively: UInt64 = 0
    /// udvpn the channels contract paid to payees (operators): redeems, and the payee's share of
    /// cooperative closes.
    public var paidToOperators = Amount.zero
    public var feesBurned = Amount.zero
    public var genesisSupply = Amount.zero
    public var finalSupply = SupplyTotals()
    public var stateRoot = Hash256.zero
    /// The last block that passed every per-block check (0 and nil before block 1 passed),
    /// so two replicas can be compared by height and hash (`ledger verify --json`).
    public var lastVerifiedHeight: UInt64 = 0
    public var lastVerifiedHash: Hash256?
    public var duration: Duration = .zero

    public init(chainID: String) { self.chainID = chainID }
}

/// Progress through a long history.
public struct AuditProgress: Hashable, Sendable {
    public var height: UInt64
    public var tipHeight: UInt64
    public var transactions: UInt64
}

/// The audit's verdict: a report, or the first broken rule with the report up to it.
public enum AuditOutcome: Sendable {
    case passed(AuditReport)
    case failed(ChainViolation, partial: AuditReport)

    public var passed: Bool {
        if case .passed = self { return true }
        return false
    }

    public var violation: ChainViolation? {
        if case .failed(let v, _) = self { return v }
        return nil
    }
}
