import DVPNLedger
import DVPNPayments
import PropertyBased
import Testing

/// Issue 8's acceptance properties of DVPNPayments, on random sessions (`PaymentSimulation`):
/// random prices (with and without an hourly part), byte counts, clock steps, lost, delayed and
/// reordered vouchers and receipts, slow persistence, small deposits with top-ups and spending
/// limits, reused channels, and the two byte counts differing by up to the tolerance.
@Suite struct PaymentPropertyTests {
    static let prices = zip(Gen.uint64(in: 1...20_000_000), Gen.int(in: 0...2), Gen.uint64(in: 1...36_000_000))
        .map { perGiB, kind, perHour in (perGiB, kind == 0 ? perHour : 0) }

    static let money = zip(Gen.int(in: 0...99), Gen.uint64(in: 2...60), Gen.uint64(in: 2...80), Gen.uint64(in: 0...5))
        .map { kind, deposit, maxSpend, baseline in
            kind < 40 ? (UInt64(2_000_000), UInt64(2_000_000), baseline) : (deposit, maxSpend, baseline)
        }

    static let link = zip(Gen.int(in: 0...99), Gen.int(in: 0...40), Gen.bool(), Gen.int(in: 30...100))
        .map { kind, loss, reorder, persist in kind < 35 ? (0, false, 100) : (loss, reorder, persist) }

    static let parameters = zip(
        Gen.uint64(in: 0...UInt64.max), prices, money, link, Gen.uint64(in: 0...(1 << 20)), Gen.int(in: 20...150)
    ).map { seed, price, money, link, skew, steps in
        PaymentSimulation.Parameters(
            seed: seed, perGiB: price.0, perHour: price.1, depositSteps: money.0, maxSpendSteps: money.1, baselineSteps: money.2,
            lossPercent: link.0, reorder: link.1, persistPercent: link.2, skewBytes: skew, steps: steps)
    }

    @Test(.timeLimit(.minutes(2)))
    func neitherSideIsExposedToMoreThanOneStep() async throws {
        var total = PaymentSimulation.Statistics()
        var cleanRuns = 0
        await propertyCheck(count: 300, input: Self.parameters) { parameters in
            var simulation = PaymentSimulation(parameters)
            do {
                try simulation.run()
            } catch {
                Issue.record("\(parameters): \(error)")
            }
            #expect(simulation.violations.isEmpty, "\(parameters): \(simulation.violations)")
            total.merge(simulation.statistics)
            if parameters.isClean { cleanRuns += 1 }
        }
        // The runs must have exercised what the properties are about, not only idled.
        #expect(cleanRuns >= 30, "only \(cleanRuns) clean runs")
        #expect(total.vouchersSigned >= 3_000, "only \(total.vouchersSigned) vouchers signed")
        #expect(total.vouchersPersisted >= 1_500, "only \(total.vouchersPersisted) vouchers persisted")
        #expect(total.refusals[.notIncreasing, default: 0] >= 50, "only \(total.refusals) refusals of stale vouchers")
        #expect(total.cutOffs[.unpaid, default: 0] + total.cutOffs[.depositExhausted, default: 0] >= 10, "cut-offs: \(total.cutOffs)")
        #expect(total.topUps >= 20, "only \(total.topUps) top-ups")
        #expect(total.payerStops >= 10, "only \(total.payerStops) payer stops")
        #expect(total.redemptions >= 50, "only \(total.redemptions) redemptions")
        #expect(total.bytesServed >= 1 << 30, "only \(total.bytesServed) bytes served in all runs")
    }
}
