import DVPNCrypto

/// What executing one transaction did, as every replica must compute it identically. Header field
/// `receiptsRoot` commits to the block's receipts, and the auditor compares them.
public struct Receipt: Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        case success
        /// The payload failed (contract trap, out of fuel, contract refused); its effects were
        /// reverted, the fee was charged and the nonce used.
        case failure(reason: String)
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

    public init(transactionID: Hash256, status: Status, feeCharged: Amount, fuelUsed: UInt64 = 0,
                returnData: [UInt8] = [], events: [ReceiptEvent] = [], payouts: [Payout] = []) {
        self.transactionID = transactionID
        self.status = status
        self.feeCharged = feeCharged
        self.fuelUsed = fuelUsed
        self.returnData = returnData
        self.events = events
        self.payouts = payouts
    }

    public var succeeded: Bool { status == .success }

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

extension Receipt.Status {
    /// A failure whose reason is cut to the encodable length at a character boundary.
    public static func failure(bounded reason: String) -> Receipt.Status {
        .failure(reason: bounded(reason))
    }

    static func bounded(_ reason: String) -> String {
        var r = Substring(reason)
        while r.utf8.count > LedgerLimits.maxFailureReasonLength { r.removeLast() }
        return String(r)
    }
}

extension Receipt.Status: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        switch self {
        case .success:
            encoder.encode(UInt8(0))
        case .failure(let reason):
            encoder.encode(UInt8(1))
            encoder.encode(string: Receipt.Status.bounded(reason), maxLength: LedgerLimits.maxFailureReasonLength)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        switch try decoder.decodeUInt8() {
        case 0: self = .success
        case 1: self = .failure(reason: try decoder.decodeString(maxLength: LedgerLimits.maxFailureReasonLength))
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
