import DVPNCrypto
import DVPNLedger

/// A payer's signed promise: "on channel `channel` of chain `chainID` I owe `cumulative` in
/// total". Printed and parsed as hex of `channel u64 ‖ cumulative u64 ‖ signature[64]` (80 bytes),
/// the form a payer hands to the payee.
public struct Voucher: Sendable, Hashable {
    public let channel: UInt64
    public let cumulative: Amount
    public let signature: Schnorr.Signature

    /// A voucher as received: nothing is checked here (see `isSigned(by:chainID:)`).
    public init(channel: UInt64, cumulative: Amount, signature: Schnorr.Signature) {
        self.channel = channel
        self.cumulative = cumulative
        self.signature = signature
    }

    /// Signs a voucher with the payer's key.
    public init(chainID: String, channel: UInt64, cumulative: Amount, payerKey: Schnorr.PrivateKey) throws(PaymentError) {
        signature = try ChannelsContract.sign(
            tag: ChannelsContract.voucherTag, chainID: chainID, channel: channel, amount: cumulative, key: payerKey,
            what: "the voucher")
        self.channel = channel
        self.cumulative = cumulative
    }

    /// Parses the hex form.
    public init(hex: String) throws(PaymentError) {
        guard let bytes = Hex.decode(hex), bytes.count == 80 else {
            throw PaymentError(.malformed, "a voucher is 160 hex digits (channel, amount, signature), got '\(hex.prefix(40))…'")
        }
        var decoder = CanonicalDecoder(bytes)
        do {
            channel = try decoder.decodeUInt64()
            cumulative = Amount(udvpn: try decoder.decodeUInt64())
            signature = try Schnorr.Signature(rawRepresentation: try decoder.decodeFixed(count: 64))
        } catch {
            throw PaymentError(.malformed, "malformed voucher: \(error)")
        }
    }

    public var hex: String {
        var encoder = CanonicalEncoder()
        encoder.encode(channel)
        encoder.encode(cumulative.udvpn)
        encoder.encode(fixed: signature.rawRepresentation, count: 64)
        return Hex.encode(encoder.bytes)
    }

    /// Whether `payer` signed this voucher for `chainID` (the contract checks the same).
    public func isSigned(by payer: Schnorr.PublicKey, chainID: String) -> Bool {
        ChannelsContract.isValid(
            signature, by: payer, tag: ChannelsContract.voucherTag, chainID: chainID, channel: channel, amount: cumulative)
    }
}
