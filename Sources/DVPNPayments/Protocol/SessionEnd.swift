import DVPNCrypto
import DVPNLedger

/// Client → node: "I end this session" (Ctrl-C, SIGTERM, failover), with the final voucher if one
/// was not yet sent and what the client measured it used. Signed by the payer under
/// `dvpn/session-end/v2`, so only the channel's payer can end its session. The node answers with a
/// `CloseCoSignature` for what was used (`PayeeSession.closeAmount(payerCount:ownBytes:now:)`):
/// the larger of the two counts, never above its best voucher, so the step the client paid ahead
/// comes back to it.
///
/// Encoding: `sessionID[16] ‖ u64 channel ‖ u16 reason (a `CutOffReason` code, 0 = the client ended)
/// ‖ optional voucher (00, or 01 ‖ 80 bytes) ‖ u64 used ‖ u64 timestamp (Unix ms) ‖ signature[64]`.
public struct SessionEnd: Hashable, Sendable {
    public var sessionID: [UInt8]
    public var channel: UInt64
    public var reason: CutOffReason
    public var finalVoucher: Voucher?
    /// The cumulative amount the channel owes by the payer's own count (its baseline plus the
    /// price of what it measured), at most its final voucher: what it asks to be charged.
    public var used: Amount
    public var timestamp: PaymentInstant
    public private(set) var signature: Schnorr.Signature

    public init(
        chainID: String, sessionID: [UInt8], channel: UInt64, reason: CutOffReason = .clientEnded, finalVoucher: Voucher?,
        used: Amount, timestamp: PaymentInstant, payerKey: Schnorr.PrivateKey
    ) throws(PaymentError) {
        try SessionWire.checkSessionID(sessionID)
        self.sessionID = sessionID
        self.channel = channel
        self.reason = reason
        self.finalVoucher = finalVoucher
        self.used = used
        self.timestamp = timestamp
        signature = SessionWire.placeholderSignature
        signature = try Self.sign(signedBytes(chainID: chainID), with: payerKey)
    }

    public init(decoding bytes: [UInt8]) throws(PaymentError) {
        self = try SessionWire.decode(Self.self, from: bytes)
    }

    public var encoded: [UInt8] { canonicalBytes }

    /// Whether the channel's payer signed it for `chainID`.
    public func isSigned(by payer: Schnorr.PublicKey, chainID: String) -> Bool { verify(by: payer, chainID: chainID) }
}

extension SessionEnd: SignedSessionMessage {
    static var domain: SigningDomain { SessionWire.endDomain }

    public func encode(to encoder: inout CanonicalEncoder) { encodeWithSignature(to: &encoder) }

    func encodeSignedPart(to encoder: inout CanonicalEncoder) {
        encoder.encode(fixed: sessionID, count: SessionWire.sessionIDByteCount)
        encoder.encode(channel)
        encoder.encode(reason.code)
        encoder.encode(optional: finalVoucher)
        encoder.encode(used)
        encoder.encode(timestamp.milliseconds)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        sessionID = try decoder.decodeFixed(count: SessionWire.sessionIDByteCount, field: "sessionID")
        channel = try decoder.decodeUInt64(field: "channel")
        reason = CutOffReason(code: try decoder.decodeUInt16(field: "reason"))
        finalVoucher = try decoder.decodeOptional(of: Voucher.self, field: "finalVoucher")
        used = try decoder.decode(Amount.self, field: "used")
        timestamp = PaymentInstant(milliseconds: try decoder.decodeUInt64(field: "timestamp"))
        signature = try decoder.decodeSchnorrSignature()
    }
}

/// Node → client: the payee's co-signature of a final amount, exactly what the `channels`
/// contract's `closeCooperative` checks: a signature by the payee over
/// `ChannelsContract.signedMessage(tag: "dvpn/channel-close/v1", chainID, channel, amount)`. The
/// client submits `closeCall` and the operator is paid and the client refunded in one transaction.
///
/// Encoding: `u64 channel ‖ u64 amount ‖ signature[64]`, 80 bytes.
public struct CloseCoSignature: Hashable, Sendable, CanonicalCodable {
    public var channel: UInt64
    public var amount: Amount
    public var signature: Schnorr.Signature

    public init(chainID: String, channel: UInt64, amount: Amount, payeeKey: Schnorr.PrivateKey) throws(PaymentError) {
        self.channel = channel
        self.amount = amount
        signature = try ChannelsContract.sign(
            tag: ChannelsContract.cooperativeCloseTag, chainID: chainID, channel: channel, amount: amount, key: payeeKey,
            what: "the close co-signature")
    }

    public init(decoding bytes: [UInt8]) throws(PaymentError) {
        self = try SessionWire.decode(Self.self, from: bytes)
    }

    public var encoded: [UInt8] { canonicalBytes }

    /// Whether `payee` co-signed this amount for `chainID` (the contract checks the same).
    public func isSigned(by payee: Schnorr.PublicKey, chainID: String) -> Bool {
        ChannelsContract.isValid(
            signature, by: payee, tag: ChannelsContract.cooperativeCloseTag, chainID: chainID, channel: channel, amount: amount)
    }

    /// The payer's `closeCooperative` call with this co-signature.
    public var closeCall: ContractCall {
        ChannelsContract.closeCooperative(channel: channel, amount: amount, payeeSignature: signature)
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(channel)
        encoder.encode(amount)
        encoder.encode(fixed: signature.rawRepresentation, count: Schnorr.signatureByteCount)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        channel = try decoder.decodeUInt64(field: "channel")
        amount = try decoder.decode(Amount.self, field: "amount")
        signature = try decoder.decodeSchnorrSignature()
    }
}
