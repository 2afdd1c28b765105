import DVPNCrypto

/// What executing one transaction did, as every replica must compute it identically. Header field
/// `receiptsRoot` commits to the block's receipts, and the auditor compares them.
public struct Receipt: Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        case success
        /// The payload failed (contract trap, out of fuel, contract refused…); its effects were
        /// reverted, the fee was charged and the nonce used. Only the code reaches the hash
        /// (`Receipt.FailureCode`), never a message from the engine or the host.
        case failure(FailureCode)
    }

    public var transactionID: Hash256
    public var status: Status
    /// The fee taken from the sender (burned).
    public var feeCharged: Amount
    /// Contract fuel consumed; 0 for other payloads.
    public var fuelUsed: UInt64
    /// What a successful contract call returned.
    public var returnData: [UInt8]
    /// Events a successful contract call emitted.
    public var events: [ReceiptEvent]
    /// Funds a successful contract call sent out of its escrow.
    public var payouts: [Payout]
    /// A human explanation of a failure for this node's log and API (for example WasmKit's trap
    /// text). Never encoded, hashed or compared: it may differ between builds and engines, and
    /// a receipt read back from the store has none. Use `failureDescription` for display.
    public var detail: String?

    public init(transactionID: Hash256, status: Status, feeCharged: Amount, fuelUsed: UInt64 = 0,
                returnData: [UInt8] = [], events: [ReceiptEvent] = [], payouts: [Payout] = [], detail: String? = nil) {
        self.detail = detail
        self.transactionID = transactionID
        self.status = status
        self.feeCharged = feeCharged
        self.fuelUsed = fuelUsed
        self.returnData = returnData
        self.events = events
        self.payouts = payouts
    }

    public var succeeded: Bool { status == .success }

    /// The failure's code, or nil on success.
    public var failureCode: FailureCode? {
        if case .failure(let code) = status { return code }
        return nil
    }

    /// What to show a person: the detail when this node executed the transaction itself, else a
    /// description derived from the code. Nil on success.
    public var failureDescription: String? {
        guard let code = failureCode else { return nil }
        guard let detail, !detail.isEmpty else { return code.description }
        return "\(code): \(detail)"
    }

    /// Equality and hashing cover exactly the encoded fields: `detail` is not part of a receipt's
    /// identity (the auditor compares a stored receipt, which has none, with a re-executed one).
    public static func == (a: Receipt, b: Receipt) -> Bool {
        a.transactionID == b.transactionID && a.status == b.status && a.feeCharged == b.feeCharged
            && a.fuelUsed == b.fuelUsed && a.returnData == b.returnData && a.events == b.events && a.payouts == b.payouts
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(transactionID)
        hasher.combine(status)
        hasher.combine(fuelUsed)
    }

    /// The Merkle root a header carries for `receipts`.
    public static func root(_ receipts: [Receipt]) -> Hash256 {
        MerkleRoot.of(receipts.map(\.canonicalBytes))
    }
}

/// An event a contract emitted: a short topic (e.g. `channel.redeem`) and data the contract
/// defines.
public struct ReceiptEvent: Hashable, Sendable {
    public var contract: String
    public var topic: [UInt8]
    public var data: [UInt8]

    public init(contract: String, topic: [UInt8], data: [UInt8]) {
        self.contract = contract
        self.topic = topic
        self.data = data
    }
}

/// A transfer out of a contract's escrow to an account.
public struct Payout: Hashable, Sendable {
    public var contract: String
    public var to: AccountAddress
    public var amount: Amount

    public init(contract: String, to: AccountAddress, amount: Amount) {
        self.contract = contract
        self.to = to
        self.amount = amount
    }
}

extension Receipt.Status: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        switch self {
        case .success:
            encoder.encode(UInt8(0))
        case .failure(let code):
            encoder.encode(UInt8(1))
            encoder.encode(code)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        switch try decoder.decodeUInt8() {
        case 0: self = .success
        case 1: self = .failure(try decoder.decode(Receipt.FailureCode.self))
        case let tag: throw LedgerError(.malformedEncoding, "unknown receipt status \(tag)")
        }
    }
}

extension Receipt: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(transactionID)
        encoder.encode(status)
        encoder.encode(feeCharged)
        encoder.encode(fuelUsed)
        encoder.encode(bytes: returnData, maxLength: LedgerLimits.maxReturnBytes)
        encoder.encode(array: events, maxCount: LedgerLimits.maxEventsPerReceipt)
        encoder.encode(array: payouts, maxCount: LedgerLimits.maxEventsPerReceipt)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        transactionID = try decoder.decode(Hash256.self)
        status = try decoder.decode(Status.self)
        feeCharged = try decoder.decode(Amount.self)
        fuelUsed = try decoder.decodeUInt64()
        returnData = try decoder.decodeBytes(maxLength: LedgerLimits.maxReturnBytes)
        events = try decoder.decodeArray(of: ReceiptEvent.self, maxCount: LedgerLimits.maxEventsPerReceipt)
        payouts = try decoder.decodeArray(of: Payout.self, maxCount: LedgerLimits.maxEventsPerReceipt)
    }
}

extension ReceiptEvent: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(string: contract, maxLength: LedgerLimits.contractNameMaxLength)
        encoder.encode(bytes: topic, maxLength: LedgerLimits.methodMaxLength)
        encoder.encode(bytes: data, maxLength: LedgerLimits.maxEventBytes)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        contract = try decoder.decodeString(maxLength: LedgerLimits.contractNameMaxLength)
        topic = try decoder.decodeBytes(maxLength: LedgerLimits.methodMaxLength)
        data = try decoder.decodeBytes(maxLength: LedgerLimits.maxEventBytes)
    }
}

extension Payout: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(string: contract, maxLength: LedgerLimits.contractNameMaxLength)
        encoder.encode(to)
        encoder.encode(amount)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        contract = try decoder.decodeString(maxLength: LedgerLimits.contractNameMaxLength)
        to = try decoder.decode(AccountAddress.self)
        amount = try decoder.decode(Amount.self)
    }
}
