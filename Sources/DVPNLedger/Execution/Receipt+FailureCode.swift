import DVPNContractRuntime

/// Why a payload failed, as every replica computes it: a code and structured data, never text
/// from the contract engine or the host (DESIGN.md: "receipts carry failure codes, not free
/// text"). WasmKit's trap messages, Swift error descriptions and this node's wording may change
/// between builds; these values may not. Encoded as a one-byte tag (docs/encoding.md, "Receipt
/// failure codes"), then the case's fields.
extension Receipt {
    public enum FailureCode: Hashable, Sendable, CustomStringConvertible {
        // Contract calls (DVPNContractRuntime `CallOutcome` failures and the ledger's own checks).

        /// The call used up its fuel budget (the whole budget is charged).
        case outOfFuel
        /// The WebAssembly code trapped (unreachable, out-of-bounds access, division by zero,
        /// stack exhaustion…). Which trap is deliberately not recorded: only the engine's text
        /// says, and that text is not part of the chain's rules.
        case trap
        /// The contract ended the call itself with `dvpn.abort`. `message` is the bytes the
        /// contract passed (at most `ContractLimits.maxAbortMessageSize`): they come from the
        /// pinned contract code, like return data and events, not from the engine.
        case contractRefused(message: [UInt8])
        /// The contract exports no callable method of that name.
        case unknownMethod
        /// A host function was called with a pointer or length outside the contract's memory.
        case invalidHostCall
        /// A per-call limit was exceeded (argument, storage value, event or return data size…).
        case contractLimitExceeded
        /// The contract tried to pay out more than its escrow holds.
        case contractOverdrawn
        /// The contract paid an account key that is not a valid x-only public key.
        case invalidPayoutKey
        /// The contract's code is missing, does not match its genesis pin, or does not load.
        case contractNotLoadable

        // Funds.

        /// The sender's balance cannot cover what the payload moves, or a balance would overflow.
        case insufficientFunds

        // Validator updates (docs/validator-updates.md).

        /// The update names another validator-set version than the one in force.
        case staleValidatorSetVersion(current: UInt64)
        /// The approvals are not valid signatures of current validators holding more than 2/3.
        case insufficientApprovals
        /// The resulting set would be invalid (empty, too many validators, too much power).
        case invalidValidatorSet

        // Equivocation evidence (docs/evidence.md).

        /// The votes are for a height this block cannot judge (not below the block's height).
        case evidenceFromTheFuture
        /// The votes are older than the evidence window.
        case evidenceExpired
        /// The signer was not a validator of the set in force at the votes' height.
        case evidenceNotValidator
        /// Evidence against this validator at this height was already applied.
        case evidenceAlreadyApplied
        /// The offender has no power left in the current set (already removed).
        case evidenceOffenderHasNoPower
        /// Removing the offender would leave no validator.
        case evidenceWouldEmptySet

        enum Tag: UInt8 {
            case outOfFuel = 1, trap, contractRefused, unknownMethod, invalidHostCall, contractLimitExceeded,
                 contractOverdrawn, invalidPayoutKey, contractNotLoadable
            case insufficientFunds = 20
            case staleValidatorSetVersion = 30, insufficientApprovals, invalidValidatorSet
            case evidenceFromTheFuture = 40, evidenceExpired, evidenceNotValidator, evidenceAlreadyApplied,
                 evidenceOffenderHasNoPower, evidenceWouldEmptySet
        }

        var tag: Tag {
            switch self {
            case .outOfFuel: .outOfFuel
            case .trap: .trap
            case .contractRefused: .contractRefused
            case .unknownMethod: .unknownMethod
            case .invalidHostCall: .invalidHostCall
            case .contractLimitExceeded: .contractLimitExceeded
            case .contractOverdrawn: .contractOverdrawn
            case .invalidPayoutKey: .invalidPayoutKey
            case .contractNotLoadable: .contractNotLoadable
            case .insufficientFunds: .insufficientFunds
            case .staleValidatorSetVersion: .staleValidatorSetVersion
            case .insufficientApprovals: .insufficientApprovals
            case .invalidValidatorSet: .invalidValidatorSet
            case .evidenceFromTheFuture: .evidenceFromTheFuture
            case .evidenceExpired: .evidenceExpired
            case .evidenceNotValidator: .evidenceNotValidator
            case .evidenceAlreadyApplied: .evidenceAlreadyApplied
            case .evidenceOffenderHasNoPower: .evidenceOffenderHasNoPower
            case .evidenceWouldEmptySet: .evidenceWouldEmptySet
            }
        }

        /// A description derived from the code alone (what a node shows for a receipt it did not
        /// execute itself, or read back from its store).
        public var description: String {
            switch self {
            case .outOfFuel: "out of fuel"
            case .trap: "the contract trapped"
            case .contractRefused(let message): "the contract refused: \(String(decoding: message, as: UTF8.self))"
            case .unknownMethod: "unknown method"
            case .invalidHostCall: "invalid host call"
            case .contractLimitExceeded: "a contract limit was exceeded"
            case .contractOverdrawn: "the contract paid out more than its balance"
            case .invalidPayoutKey: "the contract paid an invalid account key"
            case .contractNotLoadable: "the contract's code does not load"
            case .insufficientFunds: "insufficient funds"
            case .staleValidatorSetVersion(let current): "the update is for another validator-set version (current \(current))"
            case .insufficientApprovals: "the approvals do not hold more than 2/3 of the power"
            case .invalidValidatorSet: "the resulting validator set is invalid"
            case .evidenceFromTheFuture: "evidence for a height not below this block's"
            case .evidenceExpired: "evidence older than the evidence window"
            case .evidenceNotValidator: "the signer was not a validator at that height"
            case .evidenceAlreadyApplied: "evidence for this validator and height was already applied"
            case .evidenceOffenderHasNoPower: "the offender has no power left"
            case .evidenceWouldEmptySet: "removing the offender would leave no validator"
            }
        }
    }
}

extension Receipt.FailureCode: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(tag.rawValue)
        switch self {
        case .contractRefused(let message):
            encoder.encode(bytes: message, maxLength: LedgerLimits.maxFailureReasonLength)
        case .staleValidatorSetVersion(let current):
            encoder.encode(current)
        default:
            break
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let raw = try decoder.decodeUInt8()
        guard let tag = Tag(rawValue: raw) else { throw LedgerError(.malformedEncoding, "unknown receipt failure code \(raw)") }
        switch tag {
        case .outOfFuel: self = .outOfFuel
        case .trap: self = .trap
        case .contractRefused: self = .contractRefused(message: try decoder.decodeBytes(maxLength: LedgerLimits.maxFailureReasonLength))
        case .unknownMethod: self = .unknownMethod
        case .invalidHostCall: self = .invalidHostCall
        case .contractLimitExceeded: self = .contractLimitExceeded
        case .contractOverdrawn: self = .contractOverdrawn
        case .invalidPayoutKey: self = .invalidPayoutKey
        case .contractNotLoadable: self = .contractNotLoadable
        case .insufficientFunds: self = .insufficientFunds
        case .staleValidatorSetVersion: self = .staleValidatorSetVersion(current: try decoder.decodeUInt64())
        case .insufficientApprovals: self = .insufficientApprovals
        case .invalidValidatorSet: self = .invalidValidatorSet
        case .evidenceFromTheFuture: self = .evidenceFromTheFuture
        case .evidenceExpired: self = .evidenceExpired
        case .evidenceNotValidator: self = .evidenceNotValidator
        case .evidenceAlreadyApplied: self = .evidenceAlreadyApplied
        case .evidenceOffenderHasNoPower: self = .evidenceOffenderHasNoPower
        case .evidenceWouldEmptySet: self = .evidenceWouldEmptySet
        }
    }
}

/// A payload failure inside the executor: the hashed code and this node's explanation (kept only
/// in `Receipt.detail`).
struct PayloadFailure: Error {
    let code: Receipt.FailureCode
    let detail: String

    init(_ code: Receipt.FailureCode, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// Checked arithmetic on balances fails as `insufficientFunds`.
    static func funds(_ error: LedgerError) -> PayloadFailure { PayloadFailure(.insufficientFunds, error.reason) }
}

extension Receipt.FailureCode {
    /// The code of a contract call that reverted. Only the runtime's error *code* decides it; its
    /// reason (WasmKit's trap text, a host message) goes to `Receipt.detail`. The one exception
    /// is `dvpn.abort`, whose message bytes come from the pinned contract itself.
    public init(contractError error: ContractRuntimeError) {
        switch error.code {
        case .outOfFuel: self = .outOfFuel
        case .trap: self = .trap
        case .aborted: self = .contractRefused(message: Array(error.reason.utf8.prefix(LedgerLimits.maxFailureReasonLength)))
        case .unknownMethod: self = .unknownMethod
        case .invalidHostCall: self = .invalidHostCall
        case .insufficientBalance: self = .contractOverdrawn
        case .limitExceeded: self = .contractLimitExceeded
        default: self = .contractNotLoadable  // load-time codes (invalid module, floating point…)
        }
    }
}
