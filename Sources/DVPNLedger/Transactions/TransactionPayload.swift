import DVPNCrypto

/// What a transaction does. Encoded as a one-byte tag followed by the case's fields.
public enum TransactionPayload: Hashable, Sendable {
    /// Moves `amount` from the sender to `to`.
    case transfer(to: AccountAddress, amount: Amount)
    /// Calls a contract that genesis pinned, attaching funds moved into the contract's escrow.
    case contractCall(ContractCall)
    /// Changes validators' voting power with the approval of more than 2/3 of the current power
    /// (see docs/validator-updates.md).
    case validatorUpdate(ValidatorUpdate)
    /// Two conflicting signed votes of one validator; zeroes its power from the next height
    /// (docs/evidence.md).
    case evidence(EquivocationEvidence)

    enum Tag: UInt8 {
        case transfer = 1
        case contractCall = 2
        case validatorUpdate = 3
        case evidence = 4
    }

    /// Funds that leave the sender's balance besides the fee.
    public var spend: Amount {
        switch self {
        case .transfer(_, let amount): amount
        case .contractCall(let call): call.attachedFunds
        case .validatorUpdate, .evidence: .zero
        }
    }

    /// A short name for logs and reports.
    public var kind: String {
        switch self {
        case .transfer: "transfer"
        case .contractCall(let call): "\(call.contract).\(call.method)"
        case .validatorUpdate: "validator-update"
        case .evidence: "evidence"
        }
    }
}

/// A call of `method` on the contract named `contract`, with opaque `arguments` the contract
/// decodes itself, and `attachedFunds` moved from the caller into the contract's balance before
/// the call (and back if the call fails).
public struct ContractCall: Hashable, Sendable {
    public var contract: String
    public var method: String
    public var arguments: [UInt8]
    public var attachedFunds: Amount

    public init(contract: String, method: String, arguments: [UInt8], attachedFunds: Amount = .zero) {
        self.contract = contract
        self.method = method
        self.arguments = arguments
        self.attachedFunds = attachedFunds
    }
}

extension TransactionPayload: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        switch self {
        case .transfer(let to, let amount):
            encoder.encode(Tag.transfer.rawValue)
            encoder.encode(to)
            encoder.encode(amount)
        case .contractCall(let call):
            encoder.encode(Tag.contractCall.rawValue)
            encoder.encode(call)
        case .validatorUpdate(let update):
            encoder.encode(Tag.validatorUpdate.rawValue)
            encoder.encode(update)
        case .evidence(let evidence):
            encoder.encode(Tag.evidence.rawValue)
            encoder.encode(evidence)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let raw = try decoder.decodeUInt8()
        switch Tag(rawValue: raw) {
        case .transfer:
            self = .transfer(to: try decoder.decode(AccountAddress.self), amount: try decoder.decode(Amount.self))
        case .contractCall:
            self = .contractCall(try decoder.decode(ContractCall.self))
        case .validatorUpdate:
            self = .validatorUpdate(try decoder.decode(ValidatorUpdate.self))
        case .evidence:
            self = .evidence(try decoder.decode(EquivocationEvidence.self))
        case nil:
            throw LedgerError(.malformedEncoding, "unknown transaction payload tag \(raw)")
        }
    }
}

extension ContractCall: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(string: contract, maxLength: LedgerLimits.contractNameMaxLength)
        encoder.encode(string: method, maxLength: LedgerLimits.methodMaxLength)
        encoder.encode(bytes: arguments, maxLength: LedgerLimits.argumentsMaxBytes)
        encoder.encode(attachedFunds)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        contract = try decoder.decodeString(maxLength: LedgerLimits.contractNameMaxLength)
        method = try decoder.decodeString(maxLength: LedgerLimits.methodMaxLength)
        arguments = try decoder.decodeBytes(maxLength: LedgerLimits.argumentsMaxBytes)
        attachedFunds = try decoder.decode(Amount.self)
    }
}
