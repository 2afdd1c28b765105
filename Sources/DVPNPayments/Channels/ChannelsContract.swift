import DVPNCrypto
import DVPNLedger

/// The client side of the `channels` contract (Contracts/channels, Contracts/README.md): the
/// argument layouts of its methods, the voucher a payer signs, and the stored channel record.
///
/// Arguments are the contract's canonical bytes: fixed-width big-endian integers and raw
/// fixed-size keys. Only the contract enforces rules; this type merely speaks its format.
public enum ChannelsContract {
    public static let name = "channels"
    /// Signing domain of a voucher: the payer's promise of a cumulative amount.
    public static let voucherTag = "dvpn/voucher/v1"
    /// Signing domain of the payee's co-signature on a final amount (cooperative close).
    public static let cooperativeCloseTag = "dvpn/channel-close/v1"

    /// `open(payee[32], expiry u64, clientTunnelKey[32])`, the deposit attached.
    public static func open(payee: Schnorr.PublicKey, expiryHeight: UInt64, clientTunnelKey: X25519.PublicKey, deposit: Amount)
        -> ContractCall
    {
        var encoder = CanonicalEncoder()
        encoder.encode(fixed: payee.rawRepresentation, count: 32)
        encoder.encode(expiryHeight)
        encoder.encode(fixed: clientTunnelKey.rawRepresentation, count: 32)
        return ContractCall(contract: name, method: "open", arguments: encoder.bytes, attachedFunds: deposit)
    }

    /// `topUp(id u64)`, the extra deposit attached.
    public static func topUp(channel: UInt64, amount: Amount) -> ContractCall {
        ContractCall(contract: name, method: "topUp", arguments: idArgument(channel), attachedFunds: amount)
    }

    /// `redeem(id u64, cumulative u64, signature[64])`, sent by the payee.
    public static func redeem(_ voucher: Voucher) -> ContractCall {
        var encoder = CanonicalEncoder()
        encoder.encode(voucher.channel)
        encoder.encode(voucher.cumulative.udvpn)
        encoder.encode(fixed: voucher.signature.rawRepresentation, count: 64)
        return ContractCall(contract: name, method: "redeem", arguments: encoder.bytes)
    }

    /// `close(id u64)`: the payer starts the settlement window.
    public static func close(channel: UInt64) -> ContractCall {
        ContractCall(contract: name, method: "close", arguments: idArgument(channel))
    }

    /// `closeCooperative(id u64, amount u64, payeeSignature[64])`, sent by the payer with the
    /// payee's co-signature (`CloseCoSignature`): settles at once.
    public static func closeCooperative(channel: UInt64, amount: Amount, payeeSignature: Schnorr.Signature) -> ContractCall {
        var encoder = CanonicalEncoder()
        encoder.encode(channel)
        encoder.encode(amount.udvpn)
        encoder.encode(fixed: payeeSignature.rawRepresentation, count: 64)
        return ContractCall(contract: name, method: "closeCooperative", arguments: encoder.bytes)
    }

    /// `reclaim(id u64)`: the payer takes back what was not redeemed, once allowed.
    public static func reclaim(channel: UInt64) -> ContractCall {
        ContractCall(contract: name, method: "reclaim", arguments: idArgument(channel))
    }

    /// The channel id `open` returns (UInt64 big-endian).
    public static func channelID(fromReturnValue bytes: [UInt8]) throws(PaymentError) -> UInt64 {
        var decoder = CanonicalDecoder(bytes)
        do {
            let id = try decoder.decodeUInt64()
            try decoder.finish()
            return id
        } catch {
            throw PaymentError(.malformed, "channels.open returned \(bytes.count) bytes, not a channel id")
        }
    }

    /// The bytes a voucher or co-signature signs: tag ‖ chain id (both UInt32-length-prefixed
    /// UTF-8) ‖ channel id ‖ amount (UInt64 BE), exactly as the contract rebuilds them.
    public static func signedMessage(tag: String, chainID: String, channel: UInt64, amount: UInt64) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.encode(string: tag, maxLength: 64)
        encoder.encode(string: chainID, maxLength: LedgerLimits.chainIDMaxLength)
        encoder.encode(channel)
        encoder.encode(amount)
        return encoder.bytes
    }

    /// Signs `signedMessage(tag:chainID:channel:amount:)` (a voucher, or a close co-signature).
    static func sign(
        tag: String, chainID: String, channel: UInt64, amount: Amount, key: Schnorr.PrivateKey, what: String
    ) throws(PaymentError) -> Schnorr.Signature {
        do {
            return try key.signature(for: signedMessage(tag: tag, chainID: chainID, channel: channel, amount: amount.udvpn))
        } catch {
            throw PaymentError(.signing, "cannot sign \(what): \(error.reason)")
        }
    }

    /// Whether `signature` is `key`'s over `signedMessage(tag:chainID:channel:amount:)`, as the
    /// contract checks it.
    static func isValid(
        _ signature: Schnorr.Signature, by key: Schnorr.PublicKey, tag: String, chainID: String, channel: UInt64, amount: Amount
    ) -> Bool {
        key.isValidSignature(signature, for: signedMessage(tag: tag, chainID: chainID, channel: channel, amount: amount.udvpn))
    }

    public static func idArgument(_ id: UInt64) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.encode(id)
        return encoder.bytes
    }
}
