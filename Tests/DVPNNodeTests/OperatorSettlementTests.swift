import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Testing
@testable import DVPNNode

/// Settlement: a clean end settles at once through the co-signed cooperative close (operator
/// paid price × bytes within one step, client refunded the rest), and the voucher store survives
/// a restart: the restarted node redeems what it held and refuses the old voucher again.
@Suite struct OperatorSettlementTests {
    static let price = OperatorHarness.price

    @Test(.enabled(if: !EmbeddedContract.devnet.isEmpty, "no contract modules are embedded"))
    func cooperativeCloseSettlesAtOnce() async throws {
        let harness = try await OperatorHarness()
        let key = X25519.PrivateKey().publicKey
        let deposit = Amount(udvpn: 1_000_000)
        let channel = try await harness.openChannel(tunnelKey: key, deposit: deposit)
        let alice = AccountAddress(publicKey: harness.chain.alice.publicKey)
        let operatorBefore = try await harness.balance(harness.operatorIdentity.address)
        var clientBytes: UInt64 = 0
        var signed = Amount.zero
        var closed: CloseCoSignature?
        var used = Amount.zero
        try await harness.withAPI { url in
            let client = try NodeClient(url: url)
            let grant = try await client.openSession(try harness.request(channel: channel, tunnelKey: key))
            var payer = PayerSession(
                configuration: PayerSession.Configuration(
                    price: grant.price, schedule: grant.schedule, maxSpend: deposit, topUpAmount: .zero, topUpWhenBelow: .zero),
                deposit: deposit, startedAt: harness.clock.now)
            await harness.manager.tick()
            for _ in 0..<80 {
                clientBytes += harness.plane.push(256 << 10, for: key)
                for case .signVoucher(let amount) in payer.update(bytes: clientBytes, now: harness.clock.now) {
                    let receipt = try await client.submitVoucher(
                        VoucherSubmission(sessionID: grant.sessionID, voucher: try harness.voucher(channel, amount.udvpn)))
                    signed = amount
                    _ = payer.receipt(accepted: receipt.accepted, cutOff: nil)
                }
                harness.clock.advance(byMilliseconds: 100)
                await harness.manager.tick()
            }
            payer.finish(bytes: clientBytes, now: harness.clock.now)
            used = payer.used
            let end = try SessionEnd(
                chainID: harness.chainID, sessionID: grant.sessionID, channel: channel,
                finalVoucher: try harness.voucher(channel, signed.udvpn), used: payer.used, timestamp: harness.clock.now,
                payerKey: harness.chain.alice)
            // Only the payer can end its session.
            let forged = try SessionEnd(
                chainID: harness.chainID, sessionID: grant.sessionID, channel: channel, finalVoucher: nil, used: .zero,
                timestamp: harness.clock.now, payerKey: Schnorr.PrivateKey())
            let (status, _) = try await rawPost(url, "/v1/sessions/\(Hex.encode(grant.sessionID))/end", forged.encoded)
            #expect(status == 403)
            #expect(harness.plane.peer(key) != nil)
            closed = try await client.endSession(end)
            #expect(harness.plane.peer(key) == nil, "the peer is removed at the end")
            // The same end again gets the same co-signature (idempotent).
            #expect(try await client.endSession(end).amount == closed?.amount)
        }
        let close = try #require(closed)
        #expect(close.isSigned(by: harness.operatorKey, chainID: harness.chainID))
        // The close is for what was used (both sides counted the same bytes), not for the step the
        // client paid ahead: that step comes back to the client.
        #expect(close.amount == used)
        #expect(close.amount < signed, "signed \(signed) is a step ahead of what was used")
        let aliceBefore = try await harness.balance(alice)
        let receipt = try await harness.commit(.contractCall(close.closeCall), by: harness.chain.alice)
        #expect(receipt.success, "\(receipt.error ?? "")")
        let fee = harness.chain.minFee.udvpn * 10
        let earned = try await harness.balance(harness.operatorIdentity.address) - operatorBefore
        let cost = try Self.price.cost(bytes: clientBytes, milliseconds: 0)
        // 20 MiB at 2 DVPN/GiB cost 39 063 udvpn; the operator got exactly that, and the client the
        // rest of its deposit back, the step it had paid ahead included.
        #expect(clientBytes == 80 * (256 << 10))
        #expect(cost == Amount(udvpn: 39_063))
        #expect(earned == close.amount.udvpn)
        #expect(earned == cost.udvpn, "earned \(earned), cost \(cost)")
        #expect(try await harness.balance(alice) == aliceBefore + deposit.udvpn - close.amount.udvpn - fee)
        let record = try #require(try await harness.chain.node.channelRecord(id: channel))
        #expect(record.status == 2)
        #expect(try harness.store.sessions().first?.endReason == .clientEnded)
    }

    @Test(.enabled(if: !EmbeddedContract.devnet.isEmpty, "no contract modules are embedded"))
    func theVoucherStoreSurvivesARestart() async throws {
        let first = try await OperatorHarness { $0.redemptionThreshold = Amount(udvpn: 100_000) }
        try await first.fundOperator()
        let key = X25519.PrivateKey().publicKey
        let channel = try await first.openChannel(tunnelKey: key)
        let voucher = try first.voucher(channel, 300_000)
        guard case .granted(let grant) = await first.manager.open(try first.request(channel: channel, tunnelKey: key).encoded) else {
            Issue.record("not granted")
            return
        }
        let held = try await first.manager.submitVoucher(
            sessionID: Hex.encode(grant.sessionID), VoucherSubmission(sessionID: grant.sessionID, voucher: voucher).encoded)
        #expect(held.outcome == .held)
        // The node dies here (no shutdown, no redemption). A new one opens the same store.
        let second = try await OperatorHarness(
            chain: first.chain, identity: first.operatorIdentity, storePath: first.storePath) {
                $0.redemptionThreshold = Amount(udvpn: 100_000)
            }
        #expect(try second.store.channel(channel)?.best == voucher)
        #expect(try second.store.sessions().first?.endedAt == nil)
        let before = try await second.balance(second.operatorIdentity.address)
        await second.manager.restore()
        #expect(try second.store.sessions().first?.endReason == .operatorShutdown)
        await second.manager.tick()  // redeems what the store held
        _ = try await second.chain.node.produceBlock()
        await second.manager.tick()
        let fee = second.chain.minFee.udvpn * 10
        let after = try await second.balance(second.operatorIdentity.address)
        let redemptions = try second.store.redemptions().map(\.status)
        // The dead node had already submitted a redemption (the voucher passed the threshold);
        // the restarted one follows it instead of sending another: one fee, paid once.
        #expect(after == before + 300_000 - fee, "before \(before), after \(after), redemptions \(redemptions)")
        #expect(redemptions == ["committed"])
        // A new session on the channel starts from the stored voucher: the old one is no payment.
        guard case .granted(let again) = await second.manager.open(try second.request(channel: channel, tunnelKey: key).encoded)
        else {
            Issue.record("not granted after the restart")
            return
        }
        let replay = try await second.manager.submitVoucher(
            sessionID: Hex.encode(again.sessionID), VoucherSubmission(sessionID: again.sessionID, voucher: voucher).encoded)
        #expect(replay.outcome == .refused(.notIncreasing))
        #expect(replay.accepted == Amount(udvpn: 300_000))
        let record = try #require(try await second.chain.node.channelRecord(id: channel))
        #expect(record.redeemed == 300_000, "redeemed once")
    }
}
