/// A broken chain rule, as a value: the height, the transaction if one is to blame, the rule and
/// the details. The block verifier and the auditor report the first one they find.
public struct ChainViolation: Hashable, Sendable, CustomStringConvertible {
    public enum Rule: String, Hashable, Sendable, CaseIterable {
        case genesisMismatch = "genesis mismatch"
        case malformedRecord = "malformed stored record"
        case missingBlock = "missing block"
        case chainID = "header chain id"
        case heightSequence = "header height sequence"
        case previousBlockHash = "previous block hash link"
        case timeNotIncreasing = "block time not increasing"
        case lastCommitHash = "last commit hash"
        case commitInvalid = "commit signatures or voting power"
        case validatorSetHash = "validator set hash"
        case proposerNotValidator = "proposer is not a validator"
        case blockTooLarge = "block exceeds size limits"
        case transactionsRoot = "transactions root"
        case transactionRejected = "invalid transaction"
        case receiptsRoot = "receipts root"
        case receiptMismatch = "stored receipt differs from re-execution"
        case stateRoot = "state root"
        case stateChangesMismatch = "stored state changes differ from re-execution"
        case storedStateMismatch = "stored state differs from replayed state"
        case supplyNotConserved = "supply not conserved"
        case contractCodeMismatch = "contract code differs from genesis pin"
        case indexMismatch = "transaction index differs from blocks"
    }

    public var height: UInt64
    public var transactionIndex: Int?
    public var rule: Rule
    public var detail: String

    public init(height: UInt64, transactionIndex: Int? = nil, rule: Rule, detail: String) {
        self.height = height
        self.transactionIndex = transactionIndex
        self.rule = rule
        self.detail = detail
    }

    public var description: String {
        let where_ = transactionIndex.map { "block \(height), transaction \($0)" } ?? "block \(height)"
        return "\(where_): \(rule.rawValue): \(detail)"
    }

    /// The violation as the module's error, for callers that throw.
    public var error: LedgerError { LedgerError(.ruleViolation, description) }
}
