import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Testing
@testable import DVPNNode

/// Vouchers through the operator's API: forged, replayed, decreasing and foreign-channel ones are
/// refused with their reason and change nothing; the best is persisted before it counts, and a
/// redemption pays the operator exactly once.
@Suite struct OperatorVoucherTests {
    @Test(.enabled(if: !EmbeddedContract.devnet.isEmpty, "no contract modules are embedded"))
    func badVouchersAreRefusedAndNothingIsPaidTwice() async throws {
        let harness = try await OperatorHarness { $0.redemptionThreshold = Amount(udvpn: 100_000) }
        try await harness.fundOperator()
        let key = X25519.PrivateKey().publicKey
        let channel = try await harness.openChannel(tunnelKey: key)
        let otherChannel = try await harness.openChannel(tunnelKey: X25519.PrivateKey().publicKey)
        try await harness.withAPI { url in
            let client = try NodeClient(url: url)
            let grant = try await client.openSession(try harness.request(channel: channel, tunnelKey: key))
            func submit(_ voucher: Voucher, session: [UInt8]? = nil) async throws -> VoucherReceipt {
                let receipt = try await client.submitVoucher(VoucherSubmission(sessionID: session ?? grant.sessionID, voucher: voucher))
                #expect(receipt.isSigned(by: harness.operatorKey, chainID: harness.chainID))
                return receipt
            }
            let good = try await submit(try harness.voucher(channel, 150_000))
            #expect(good.outcome == .held)
            #expect(good.accepted == Amount(udvpn: 150_000))
            // Persisted before the receipt was sent.
            #expect(try harness.store.channel(channel)?.best?.cumulative == Amount(udvpn: 150_000))

            let refusals: [(String, Voucher, VoucherRefusal)] = [
                ("replayed", try harness.voucher(channel, 150_000), .notIncreasing),
                ("decreasing", try harness.voucher(channel, 100_000), .notIncreasing),
                ("forged", try harness.voucher(channel, 900_000, by: Schnorr.PrivateKey()), .badSignature),
                ("foreign channel", try harness.voucher(otherChannel, 900_000), .foreignChannel),
            ]
            for (what, voucher, refusal) in refusals {
                let receipt = try await submit(voucher)
                #expect(receipt.outcome == .refused(refusal), "\(what)")
                #expect(receipt.accepted == Amount(udvpn: 150_000), "\(what)")
            }
            let unknown = try await submit(try harness.voucher(channel, 200_000), session: SecureRandom.bytes(count: 16))
            #expect(unknown.outcome == .refused(.unknownSession))
            #expect(try harness.store.channel(channel)?.best?.cumulative == Amount(udvpn: 150_000))
            // A body that is no submission is a 400 with a reason.
            let (status, _) = try await rawPost(url, "/v1/sessions/\(Hex.encode(grant.sessionID))/vouchers", [0, 1])
            #expect(status == 400)
        }

        // Past the threshold the node redeems; once committed, it never redeems the same again.
        let before = try await harness.balance(harness.operatorIdentity.address)
        await harness.manager.tick()
        _ = try await harness.chain.node.produceBlock()
        await harness.manager.tick()
        harness.clock.advance(byMilliseconds: 6_000)
        await harness.manager.tick()
        _ = try await harness.chain.node.produceBlock()
        await harness.manager.tick()
        let fee = harness.chain.minFee.udvpn * 10
        let after = try await harness.balance(harness.operatorIdentity.address)
        #expect(after == before + 150_000 - fee, "paid once for the voucher, one fee for one redemption")
        let record = try #require(try await harness.chain.node.channelRecord(id: channel))
        #expect(record.redeemed == 150_000)
        let redemptions = try harness.store.redemptions()
        #expect(redemptions.map(\.status) == ["committed"])
        #expect(try harness.store.channel(channel)?.redeemed == 150_000)
        #expect(harness.metrics.render().contains("dvpn_operator_redemptions_total{outcome=\"committed\"} 1"))
    }
}
