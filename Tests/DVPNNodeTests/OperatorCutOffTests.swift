import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Testing
@testable import DVPNNode

/// Cut-offs with test clients in Swift: one that never pays, one that pays honestly (the real
/// `PayerSession`) and then stops. The exit forwards only up to its limit, the reason reaches
/// the client in its next receipt, the peer is removed, and the operator's loss is at most one
/// step, by the numbers.
@Suite struct OperatorCutOffTests {
    static let price = OperatorHarness.price

    @Test(.enabled(if: !EmbeddedContract.devnet.isEmpty, "no contract modules are embedded"))
    func aClientThatNeverPaysIsCutOffAfterTheGracePeriod() async throws {
        let harness = try await OperatorHarness()
        let key = X25519.PrivateKey().publicKey
        let channel = try await harness.openChannel(tunnelKey: key)
        try await harness.withAPI { url in
            let client = try NodeClient(url: url)
            let grant = try await client.openSession(try harness.request(channel: channel, tunnelKey: key))
            await harness.manager.tick()
            // The client pulls 10 MiB; the exit forwards only the first step's worth.
            var served: UInt64 = 0
            for _ in 0..<10 {
                served += harness.plane.push(1 << 20, for: key)
                harness.clock.advance(byMilliseconds: 1_000)
                await harness.manager.tick()
            }
            let firstStep = try StepSchedule.standard.step(after: .zero, at: Self.price)
            let loss = try Self.price.cost(bytes: served, milliseconds: 0)
            // At 2 DVPN/GiB the first step is 1954 udvpn (1 MiB's worth, rounded up): the exit
            // served 1 049 045 bytes unpaid, which cost 1954 udvpn.
            #expect(firstStep == Amount(udvpn: 1954))
            #expect(served == 1_049_045)
            #expect(loss <= firstStep, "served \(served) bytes = \(loss) unpaid, one step is \(firstStep)")
            #expect(harness.plane.peer(key) != nil, "still within the grace period")

            harness.clock.advance(byMilliseconds: 1_000)
            await harness.manager.tick()
            #expect(harness.plane.peer(key) == nil, "the peer is removed at the cut-off")
            // Its next receipt names the reason (a late voucher still counts for redemption).
            let receipt = try await client.submitVoucher(
                VoucherSubmission(sessionID: grant.sessionID, voucher: try harness.voucher(channel, 1954)))
            #expect(receipt.outcome == .cutOff(.noFirstVoucher))
            #expect(receipt.accepted == Amount(udvpn: 1954))
        }
        let ended = try #require(try harness.store.sessions().first)
        #expect(ended.endReason == .noFirstVoucher)
        #expect(ended.bytes == 1_049_045)
        #expect(harness.metrics.render().contains("dvpn_operator_cutoffs_total{reason=\"no_first_voucher\"} 1"))
    }

    @Test(.enabled(if: !EmbeddedContract.devnet.isEmpty, "no contract modules are embedded"))
    func aClientThatStopsPayingMidSessionLosesTheOperatorAtMostOneStep() async throws {
        let harness = try await OperatorHarness()
        let key = X25519.PrivateKey().publicKey
        let deposit = Amount(udvpn: 1_000_000)
        let channel = try await harness.openChannel(tunnelKey: key, deposit: deposit)
        try await harness.withAPI { url in
            let client = try NodeClient(url: url)
            let grant = try await client.openSession(try harness.request(channel: channel, tunnelKey: key))
            var payer = PayerSession(
                configuration: PayerSession.Configuration(
                    price: grant.price, schedule: grant.schedule, maxSpend: deposit, topUpAmount: .zero, topUpWhenBelow: .zero),
                deposit: deposit, startedAt: harness.clock.now)
            var clientBytes: UInt64 = 0
            var lastReceipt: VoucherReceipt?
            func pay() async throws {
                for action in payer.update(bytes: clientBytes, now: harness.clock.now) {
                    guard case .signVoucher(let amount) = action else { continue }
                    let receipt = try await client.submitVoucher(
                        VoucherSubmission(sessionID: grant.sessionID, voucher: try harness.voucher(channel, amount.udvpn)))
                    lastReceipt = receipt
                    var cut: CutOffReason?
                    if case .cutOff(let reason) = receipt.outcome { cut = reason }
                    _ = payer.receipt(accepted: receipt.accepted, cutOff: cut)
                }
            }
            try await pay()
            await harness.manager.tick()
            // Paying honestly: 40 rounds of up to 256 KiB, never cut off.
            for _ in 0..<40 {
                clientBytes += harness.plane.push(256 << 10, for: key)
                try await pay()
                harness.clock.advance(byMilliseconds: 100)
                await harness.manager.tick()
            }
            #expect(clientBytes == 40 * (256 << 10), "an honest client is never held back on a clean link")
            #expect(lastReceipt?.outcome == .held)
            // Then it stops paying but keeps pulling: held at the limit, cut off as unpaid.
            // (It paid up to one step ahead, so it is first served that step, then held.)
            for _ in 0..<60 where harness.plane.peer(key) != nil {
                clientBytes += harness.plane.push(1 << 20, for: key)
                harness.clock.advance(byMilliseconds: 1_000)
                await harness.manager.tick()
            }
            #expect(harness.plane.peer(key) == nil, "cut off")
            let receipt = try await client.submitVoucher(
                VoucherSubmission(sessionID: grant.sessionID, voucher: try harness.voucher(channel, 1)))
            #expect(receipt.outcome == .cutOff(.unpaid))
            let accepted = receipt.accepted
            let served = try Self.price.cost(bytes: clientBytes, milliseconds: 0)
            let step = try StepSchedule.standard.step(after: accepted, at: Self.price)
            let loss = Amount(udvpn: served.udvpn - min(served.udvpn, accepted.udvpn))
            #expect(loss <= step, "served \(clientBytes) bytes worth \(served), paid \(accepted): loss \(loss), one step \(step)")
            #expect(served > accepted, "it did get its last step unpaid")
        }
        #expect(try harness.store.sessions().first?.endReason == .unpaid)
    }
}
