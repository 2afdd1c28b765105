import DVPNClient
import DVPNCrypto
import DVPNLedger
import DVPNPayments
import Testing

/// Channel reuse (issue 8 item 6): a channel still open to the same operator, naming this
/// tunnel key, with deposit left beyond what was signed, serves a reconnect without a transaction.
@Suite struct ConnectChannelReuseTests {
    let payer = Schnorr.PrivateKey()
    let payee = Schnorr.PrivateKey()
    let tunnel = X25519.PrivateKey()

    func record(
        payer: Schnorr.PublicKey? = nil, payee: Schnorr.PublicKey? = nil, key: [UInt8]? = nil, deposit: UInt64 = 1_000_000,
        redeemed: UInt64 = 0, expiry: UInt64 = 10_000, status: UInt8 = 0
    ) -> ChannelRecord {
        ChannelRecord(
            payer: payer ?? self.payer.publicKey, payee: payee ?? self.payee.publicKey,
            clientTunnelKey: key ?? tunnel.publicKey.rawRepresentation, deposit: deposit, redeemed: redeemed, expiry: expiry,
            openedAt: 1, status: status)
    }

    func choose(_ channels: [(id: UInt64, record: ChannelRecord)], height: UInt64 = 100, signed: [UInt64: UInt64] = [:],
                excluding: Set<UInt64> = []) -> ChannelReuse.Choice? {
        ChannelReuse.choose(
            channels: channels, payer: payer.publicKey, payee: payee.publicKey, tunnelKey: tunnel.publicKey, height: height,
            signed: { Amount(udvpn: signed[$0] ?? 0) }, excluding: excluding)
    }

    @Test func anOpenMatchingChannelIsReusedFromWhatWasSigned() throws {
        let found = choose([(7, record(redeemed: 100_000))], signed: [7: 250_000])
        let choice = try #require(found)
        #expect(choice.channel == 7)
        #expect(choice.baseline == Amount(udvpn: 250_000))
        #expect(choice.left == Amount(udvpn: 750_000))
        // The ledger's redeemed amount is the floor when the book knows less.
        #expect(choose([(7, record(redeemed: 300_000))], signed: [7: 250_000])?.baseline == Amount(udvpn: 300_000))
    }

    @Test func channelsThatCannotServeAreNotReused() {
        let other = Schnorr.PrivateKey().publicKey
        #expect(choose([(1, record(payee: other))]) == nil, "another operator")
        #expect(choose([(1, record(payer: other))]) == nil, "another payer")
        #expect(choose([(1, record(key: X25519.PrivateKey().publicKey.rawRepresentation))]) == nil, "another tunnel key")
        #expect(choose([(1, record(status: 1))]) == nil, "closing")
        #expect(choose([(1, record(status: 2))]) == nil, "settled")
        #expect(choose([(1, record(deposit: 500, redeemed: 500))]) == nil, "used up")
        #expect(choose([(1, record(deposit: 500))], signed: [1: 500]) == nil, "all signed away")
        #expect(choose([(1, record(expiry: 100 + ChannelReuse.expiryMargin))]) == nil, "about to expire")
        #expect(choose([(1, record())], excluding: [1]) == nil, "abandoned in this connect")
        #expect(choose([(1, record(expiry: 101 + ChannelReuse.expiryMargin))]) != nil)
    }

    @Test func theChannelWithMostLeftWins() {
        let choice = choose([(3, record(deposit: 400_000)), (5, record(deposit: 900_000)), (9, record(deposit: 900_000))], signed: [5: 100])
        #expect(choice?.channel == 9)
        let tie = choose([(4, record()), (2, record())])
        #expect(tie?.channel == 2)
    }
}
