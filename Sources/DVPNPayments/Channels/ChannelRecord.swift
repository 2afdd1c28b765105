import DVPNCrypto
import DVPNLedger

/// A channel as the `channels` contract stores it under `"ch" ‖ id (u64 BE)`: payer[32],
/// payee[32], clientTunnelKey[32], deposit, redeemed, expiry, openedAt (u64 BE each), status (u8:
/// 0 open, 1 closing, 2 settled), settleAfter (u64 BE).
public struct ChannelRecord: Sendable, Hashable {
    public static let keyPrefix = Array("ch".utf8)

    public var payer: Schnorr.PublicKey
    public var payee: Schnorr.PublicKey
    public var clientTunnelKey: [UInt8]
    public var deposit: UInt64
    public var redeemed: UInt64
    public var expiry: UInt64
    public var openedAt: UInt64
    public var status: UInt8
    public var settleAfter: UInt64

    public static func storageKey(_ id: UInt64) -> [UInt8] { keyPrefix + ChannelsContract.idArgument(id) }

    public static func id(fromStorageKey suffix: ArraySlice<UInt8>) -> UInt64? {
        guard suffix.count == 8 else { return nil }
        return suffix.reduce(0) { $0 << 8 | UInt64($1) }
    }

    public init(
        payer: Schnorr.PublicKey, payee: Schnorr.PublicKey, clientTunnelKey: [UInt8], deposit: UInt64, redeemed: UInt64 = 0,
        expiry: UInt64, openedAt: UInt64, status: UInt8 = 0, settleAfter: UInt64 = 0
    ) {
        self.payer = payer
        self.payee = payee
        self.clientTunnelKey = clientTunnelKey
        self.deposit = deposit
        self.redeemed = redeemed
        self.expiry = expiry
        self.openedAt = openedAt
        self.status = status
        self.settleAfter = settleAfter
    }

    public init?(decoding bytes: [UInt8]) {
        var decoder = CanonicalDecoder(bytes)
        do {
            payer = try Schnorr.PublicKey(rawRepresentation: try decoder.decodeFixed(count: 32))
            payee = try Schnorr.PublicKey(rawRepresentation: try decoder.decodeFixed(count: 32))
            clientTunnelKey = try decoder.decodeFixed(count: 32)
            deposit = try decoder.decodeUInt64()
            redeemed = try decoder.decodeUInt64()
            expiry = try decoder.decodeUInt64()
            openedAt = try decoder.decodeUInt64()
            status = try decoder.decodeUInt8()
            settleAfter = try decoder.decodeUInt64()
            try decoder.finish()
        } catch {
            return nil
        }
        guard status <= 2 else { return nil }
    }
}
