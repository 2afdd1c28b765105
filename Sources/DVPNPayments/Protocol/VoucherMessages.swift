import DVPNCrypto
import DVPNLedger

/// Client → node: the next cumulative voucher of a session (docs/session-protocol.md). Not signed
/// again: the voucher carries the payer's signature, and the session id only routes it.
///
/// Encoding: `sessionID[16] ‖ voucher (u64 channel ‖ u64 cumulative ‖ signature[64])`, 96 bytes.
public struct VoucherSubmission: Hashable, Sendable, CanonicalCodable {
    public var sessionID: [UInt8]
    public var voucher: Voucher

    public init(sessionID: [UInt8], voucher: Voucher) {
        self.sessionID = sessionID
        self.voucher = voucher
    }

    public init(decoding bytes: [UInt8]) throws(PaymentError) {
        self = try SessionWire.decode(Self.self, from: bytes)
    }

    public var encoded: [UInt8] { canonicalBytes }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(fixed: sessionID, count: SessionWire.sessionIDByteCount)
        encoder.encode(voucher)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        sessionID = try decoder.decodeFixed(count: SessionWire.sessionIDByteCount, field: "sessionID")
        voucher = try decoder.decode(Voucher.self, field: "voucher")
    }
}

/// Node → client: the answer to a `VoucherSubmission` (and the way a cut-off reaches the client).
/// Signed by the operator under `dvpn/voucher-receipt/v1`, so that nobody on the path can fake a
/// cut-off or an acknowledgement.
///
/// Encoding: `sessionID[16] ‖ u64 channel ‖ u64 accepted ‖ u64 servingLimit ‖ u8 outcome (0 held,
/// 1 refused, 2 cut off) ‖ u16 code (0, a `VoucherRefusal` or a `CutOffReason` code) ‖
/// signature[64]`, 107 bytes.
public struct VoucherReceipt: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        /// The voucher is persisted (or an equal or better one was already).
        case held
        case refused(VoucherRefusal)
        case cutOff(CutOffReason)
    }

    public var sessionID: [UInt8]
    public var channel: UInt64
    /// The best persisted voucher's worth (what the client may count as acknowledged).
    public var accepted: Amount
    /// The node forwards until the session owes this much (accepted + one step, at most the
    /// deposit).
    public var servingLimit: Amount
    public var outcome: Outcome
    public private(set) var signature: Schnorr.Signature

    public init(
        chainID: String, sessionID: [UInt8], channel: UInt64, accepted: Amount, servingLimit: Amount, outcome: Outcome,
        operatorKey: Schnorr.PrivateKey
    ) throws(PaymentError) {
        try SessionWire.checkSessionID(sessionID)
        self.sessionID = sessionID
        self.channel = channel
        self.accepted = accepted
        self.servingLimit = servingLimit
        self.outcome = outcome
        signature = SessionWire.placeholderSignature
        signature = try Self.sign(signedBytes(chainID: chainID), with: operatorKey)
    }

    public init(decoding bytes: [UInt8]) throws(PaymentError) {
        self = try SessionWire.decode(Self.self, from: bytes)
    }

    public var encoded: [UInt8] { canonicalBytes }

    /// Whether `key` (the offer's owner, the channel's payee) signed this receipt.
    public func isSigned(by key: Schnorr.PublicKey, chainID: String) -> Bool { verify(by: key, chainID: chainID) }
}

extension VoucherReceipt: SignedSessionMessage {
    static var domain: SigningDomain { SessionWire.receiptDomain }

    public func encode(to encoder: inout CanonicalEncoder) { encodeWithSignature(to: &encoder) }

    func encodeSignedPart(to encoder: inout CanonicalEncoder) {
        encoder.encode(fixed: sessionID, count: SessionWire.sessionIDByteCount)
        encoder.encode(channel)
        encoder.encode(accepted)
        encoder.encode(servingLimit)
        switch outcome {
        case .held:
            encoder.encode(UInt8(0))
            encoder.encode(UInt16(0))
        case .refused(let refusal):
            encoder.encode(UInt8(1))
            encoder.encode(refusal.code)
        case .cutOff(let reason):
            encoder.encode(UInt8(2))
            encoder.encode(reason.code)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        sessionID = try decoder.decodeFixed(count: SessionWire.sessionIDByteCount, field: "sessionID")
        channel = try decoder.decodeUInt64(field: "channel")
        accepted = try decoder.decode(Amount.self, field: "accepted")
        servingLimit = try decoder.decode(Amount.self, field: "servingLimit")
        let kind = try decoder.decodeUInt8(field: "outcome")
        let code = try decoder.decodeUInt16(field: "code")
        switch kind {
        case 0 where code == 0:
            outcome = .held
        case 1:
            guard let refusal = VoucherRefusal(rawValue: code) else {
                throw LedgerError(.malformedEncoding, "code: \(code) is not a voucher refusal")
            }
            outcome = .refused(refusal)
        case 2:
            outcome = .cutOff(CutOffReason(code: code))
        default:
            throw LedgerError(.malformedEncoding, "outcome: \(kind) with code \(code) is not a receipt outcome")
        }
        signature = try decoder.decodeSchnorrSignature()
    }
}
