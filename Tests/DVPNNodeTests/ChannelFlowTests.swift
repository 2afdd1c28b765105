import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import HummingbirdTesting
import Testing
@testable import DVPNNode

/// The embedded `channels` and `registry` contracts through the node: the arguments this module
/// encodes are the ones the contracts decode, vouchers verify inside the contract, and the API
/// reads back what the contracts stored.
@Suite struct ChannelFlowTests {
    @Test(.enabled(if: !EmbeddedContract.devnet.isEmpty, "no contract modules are embedded"))
    func openRedeemCloseReclaim() async throws {
        let chain = try TestChain(contracts: EmbeddedContract.devnet)
        let operatorKey = Schnorr.PrivateKey()
        let operatorAddress = AccountAddress(publicKey: operatorKey.publicKey)
        let fee = Amount(udvpn: chain.minFee.udvpn * 10)
        var aliceNonce: UInt64 = 0
        func submit(_ tx: Transaction) async throws -> Hash256 {
            try await chain.withAPI { client in
                let (status, result) = try await client.submit(tx.canonicalBytes)
                #expect(status == .ok, "\(result.error ?? "")")
            }
            #expect(try await chain.node.produceBlock() > 0)
            return tx.id
        }
        func receipt(_ id: Hash256) async throws -> NodeAPI.Receipt {
            let status = try await chain.node.transactionStatus(hash: id.hex)
            return try #require(status.receipt)
        }

        _ = try await submit(try chain.signed(
            .transfer(to: operatorAddress, amount: Amount(udvpn: 1_000_000)), by: chain.alice, nonce: aliceNonce))
        aliceNonce += 1
        let deposit = Amount(udvpn: 2_000_000)
        let open = try await submit(try chain.signed(
            .contractCall(ChannelsContract.open(
                payee: operatorKey.publicKey, expiryHeight: 1_000, clientTunnelKey: X25519.PrivateKey().publicKey,
                deposit: deposit)),
            by: chain.alice, nonce: aliceNonce, fee: fee))
        aliceNonce += 1
        let opened = try await receipt(open)
        #expect(opened.success, "\(opened.error ?? "")")
        let id = try ChannelsContract.channelID(fromReturnValue: Hex.decode(opened.returnValue ?? "") ?? [])
        #expect(id == 1)

        let voucher = try Voucher(
            chainID: chain.genesis.chainID, channel: id, cumulative: Amount(udvpn: 150_000), payerKey: chain.alice)
        #expect(voucher.isSigned(by: chain.alice.publicKey, chainID: chain.genesis.chainID))
        #expect(try Voucher(hex: voucher.hex) == voucher)
        let redeem = try await submit(try chain.signed(
            .contractCall(ChannelsContract.redeem(voucher)), by: operatorKey, nonce: 0, fee: fee))
        let redeemed = try await receipt(redeem)
        #expect(redeemed.success, "\(redeemed.error ?? "")")
        #expect(redeemed.payouts.map(\.amount) == [150_000])

        let channel = try await chain.node.channel(id: id)
        #expect(channel.redeemed == 150_000)
        #expect(channel.deposit == deposit.udvpn)
        #expect(channel.state == "open")
        #expect(try await chain.node.channels(payer: nil, payee: operatorAddress.string).map(\.id) == [id])
        #expect(try await chain.node.channels(payer: operatorAddress.string, payee: nil).isEmpty)

        // An older voucher never pays again.
        let older = try Voucher(
            chainID: chain.genesis.chainID, channel: id, cumulative: Amount(udvpn: 100_000), payerKey: chain.alice)
        let replay = try await submit(try chain.signed(
            .contractCall(ChannelsContract.redeem(older)), by: operatorKey, nonce: 1, fee: fee))
        #expect(try await receipt(replay).success == false)

        // The payer closes; reclaim is refused until the settlement window is over.
        let close = try await submit(try chain.signed(
            .contractCall(ChannelsContract.close(channel: id)), by: chain.alice, nonce: aliceNonce, fee: fee))
        aliceNonce += 1
        #expect(try await receipt(close).success)
        let closing = try await chain.node.channel(id: id)
        #expect(closing.state == "closing")
        let settleAfter = try #require(closing.settlementHeight)
        let early = try await submit(try chain.signed(
            .contractCall(ChannelsContract.reclaim(channel: id)), by: chain.alice, nonce: aliceNonce, fee: fee))
        aliceNonce += 1
        #expect(try await receipt(early).error?.contains("still redeemable") == true)
        while chain.node.height < settleAfter { _ = try await chain.node.produceBlock() }
        let reclaim = try await submit(try chain.signed(
            .contractCall(ChannelsContract.reclaim(channel: id)), by: chain.alice, nonce: aliceNonce, fee: fee))
        let reclaimed = try await receipt(reclaim)
        #expect(reclaimed.success, "\(reclaimed.error ?? "")")
        #expect(reclaimed.payouts.map(\.amount) == [deposit.udvpn - 150_000])
        #expect(try await chain.node.channel(id: id).state == "settled")
    }

    @Test(.enabled(if: !EmbeddedContract.devnet.isEmpty, "no contract modules are embedded"))
    func registeredOffersAreListedAndFiltered() async throws {
        let chain = try TestChain(contracts: EmbeddedContract.devnet)
        let fee = Amount(udvpn: chain.minFee.udvpn * 10)
        let terms = OfferTerms(
            country: "DE", pricePerGiB: Amount(udvpn: 50_000), pricePerHour: Amount(udvpn: 10_000), bandwidthMbps: 100,
            endpoint: "node.example:51820", tunnelKey: X25519.PrivateKey().publicKey, services: ["wireguard"])
        #expect(try OfferTerms(canonicalBytes: terms.canonicalBytes) == terms)
        let register = try chain.signed(.contractCall(RegistryContract.register(terms)), by: chain.alice, nonce: 0, fee: fee)
        #expect(await chain.node.submit(transaction: register.canonicalBytes) == .accepted(hash: register.id.hex))
        _ = try await chain.node.produceBlock()
        let status = try await chain.node.transactionStatus(hash: register.id.hex)
        #expect(status.receipt?.success == true, "\(status.receipt?.error ?? "")")

        let offers = try await chain.node.offers(country: nil, maxPricePerGiB: nil)
        #expect(offers.count == 1)
        let offer = try #require(offers.first)
        #expect(offer.operator == AccountAddress(publicKey: chain.alice.publicKey).string)
        #expect(offer.country == "DE" && offer.pricePerGiB == 50_000 && offer.pricePerHour == 10_000)
        #expect(offer.endpoint == "node.example:51820" && offer.services == ["wireguard"])
        #expect(offer.tunnelKey == terms.tunnelKey.base64 && !offer.stale)
        #expect(try await chain.node.offers(country: "FR", maxPricePerGiB: nil).isEmpty)
        #expect(try await chain.node.offers(country: "DE", maxPricePerGiB: 49_999).isEmpty)
        #expect(try await chain.node.offers(country: "DE", maxPricePerGiB: 50_000).count == 1)

        // The contract, not the client, judges the terms: an unassigned country fails the call.
        var bad = terms
        bad.country = "XX"
        let update = try chain.signed(.contractCall(RegistryContract.update(bad)), by: chain.alice, nonce: 1, fee: fee)
        _ = await chain.node.submit(transaction: update.canonicalBytes)
        _ = try await chain.node.produceBlock()
        let refused = try await chain.node.transactionStatus(hash: update.id.hex)
        #expect(refused.receipt?.error?.contains("ISO 3166") == true, "\(refused.receipt?.error ?? "")")
    }
}
