import DVPNCrypto
import DVPNLedger
import DVPNPayments

/// Keys, a channel and the two session state machines wired the way a node and a client use them.
struct PaymentFixtures: Sendable {
    static let chainID = "dvpn-test-1"

    let payer = Schnorr.PrivateKey()
    let payee = Schnorr.PrivateKey()
    let stranger = Schnorr.PrivateKey()
    let clientTunnel = X25519.PrivateKey()
    let otherTunnel = X25519.PrivateKey()

    func channel(deposit: UInt64 = 1_000_000_000, expiry: UInt64 = 10_000, status: UInt8 = 0, redeemed: UInt64 = 0)
        -> ChannelRecord
    {
        ChannelRecord(
            payer: payer.publicKey, payee: payee.publicKey, clientTunnelKey: clientTunnel.publicKey.rawRepresentation,
            deposit: deposit, redeemed: redeemed, expiry: expiry, openedAt: 1, status: status)
    }

    func payeeConfiguration(channel id: UInt64 = 7, price: Price, threshold: Amount = Amount(udvpn: .max))
        -> PayeeSession.Configuration
    {
        PayeeSession.Configuration(
            chainID: Self.chainID, channel: id, payer: payer.publicKey, price: price, redemptionThreshold: threshold)
    }

    func voucher(_ amount: UInt64, channel: UInt64 = 7, signer: Schnorr.PrivateKey? = nil, chainID: String = chainID) throws
        -> Voucher
    {
        try Voucher(chainID: chainID, channel: channel, cumulative: Amount(udvpn: amount), payerKey: signer ?? payer)
    }

    func request(
        channel: UInt64 = 7, signer: Schnorr.PrivateKey? = nil, tunnel: X25519.PublicKey? = nil,
        operator: Schnorr.PublicKey? = nil, nonce: [UInt8] = SecureRandom.bytes(count: 16), at time: UInt64 = 1_700_000_000_000
    ) throws -> SessionRequest {
        try SessionRequest(
            chainID: Self.chainID, channel: channel, payerKey: signer ?? payer, operator: `operator` ?? payee.publicKey,
            clientTunnelKey: tunnel ?? clientTunnel.publicKey, nonce: nonce, timestamp: PaymentInstant(milliseconds: time))
    }
}

extension Amount {
    static func u(_ udvpn: UInt64) -> Amount { Amount(udvpn: udvpn) }
}

extension Array where Element == PayeeSession.Action {
    var servingLimit: UInt64? {
        for action in self { if case .serve(let limit) = action { return limit } }
        return nil
    }

    var cutOff: CutOffReason? {
        for action in self { if case .cutOff(let reason) = action { return reason } }
        return nil
    }

    var redemption: Voucher? {
        for action in self { if case .redeem(let voucher) = action { return voucher } }
        return nil
    }
}

extension Array where Element == PayerSession.Action {
    var signedAmount: Amount? {
        for action in self { if case .signVoucher(let amount) = action { return amount } }
        return nil
    }

    var topUp: Amount? {
        for action in self { if case .topUp(let amount) = action { return amount } }
        return nil
    }

    var stop: PayerSession.StopReason? {
        for action in self { if case .stop(let reason) = action { return reason } }
        return nil
    }
}
