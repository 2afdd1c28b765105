/// Why a transaction was refused, as a value: the mempool, the block builder and the block
/// validator all report the same rules, and tests and the API can match on `rule`.
public struct TransactionRejection: Hashable, Sendable, CustomStringConvertible {
    public enum Rule: String, Hashable, Sendable, CaseIterable {
        /// The bytes do not decode, or a field is out of its range.
        case malformed = "malformed transaction"
        /// The transaction names another chain.
        case wrongChainID = "wrong chain id"
        /// The signature does not verify under the sender's key.
        case badSignature = "bad signature"
        /// The fee is below the chain's minimum.
        case feeTooLow = "fee too low"
        /// The encoded transaction is larger than the chain allows.
        case tooLarge = "transaction too large"
        /// The nonce was already used by an executed transaction (a replay).
        case nonceUsed = "nonce already used"
        /// The nonce is ahead of the sender's next nonce (a gap).
        case nonceGap = "nonce gap"
        /// The sender cannot pay fee plus amount.
        case insufficientFunds = "insufficient funds"
        /// The contract is not one genesis pinned.
        case unknownContract = "unknown contract"
        /// A validator update is not approved by > 2/3 of the power or leaves an invalid set.
        case invalidValidatorUpdate = "invalid validator update"
        /// Equivocation evidence whose votes do not conflict or do not verify.
        case invalidEvidence = "invalid evidence"
        /// The mempool already holds this transaction.
        case duplicate = "duplicate transaction"
        /// The mempool is full and this transaction does not pay more than the cheapest one.
        case mempoolFull = "mempool full"
        /// The mempool holds another transaction with this nonce and this one does not pay a
        /// higher fee to replace it.
        case nonceAlreadyPending = "nonce already pending"
        /// The sender already has as many pending transactions as one sender may.
        case senderLimit = "too many pending transactions from this sender"
    }

    public let rule: Rule
    public let detail: String

    public init(_ rule: Rule, _ detail: String) {
        self.rule = rule
        self.detail = detail
    }

    public var description: String { "\(rule.rawValue): \(detail)" }

    /// The rejection as the module's error, for callers that throw.
    public var error: LedgerError {
        LedgerError(rule == .badSignature ? .invalidSignature : .ruleViolation, description)
    }
}
