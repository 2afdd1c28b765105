import DVPNLedger
import DVPNPayments
import Testing

/// The client's state machine: when it signs, for how much, top-ups and stops.
@Suite struct PayerSessionTests {
    /// 1 DVPN per GiB: first step 977 udvpn, cap 62 500.
    let price = Price(perGiB: .u(1_000_000))
    let start = PaymentInstant(milliseconds: 0)

    func payer(deposit: UInt64 = 1_000_000, maxSpend: UInt64 = 10_000_000, baseline: UInt64 = 0, topUp: UInt64 = 100_000)
        -> PayerSession
    {
        PayerSession(
            configuration: .init(
                price: price, baseline: .u(baseline), maxSpend: .u(maxSpend), topUpAmount: .u(topUp), topUpWhenBelow: .u(50_000)),
            deposit: .u(deposit), startedAt: start)
    }

    @Test func paysTheFirstStepAtOnceThenHalfAStepAhead() {
        var session = payer()
        #expect(session.update(bytes: 0, now: start) == [.signVoucher(.u(977))])
        #expect(session.update(bytes: 0, now: start) == [])
        // 500 KiB used (477 udvpn): credit 500 is not yet below half of 977 (489).
        #expect(session.update(bytes: 500 << 10, now: start).signedAmount == nil)
        // 600 KiB (573 udvpn): credit 404 < 489: pay owed + step = 573 + 977.
        #expect(session.update(bytes: 600 << 10, now: start) == [.signVoucher(.u(1_550))])
        #expect(session.signed == .u(1_550))
    }

    @Test func stepsGrowByHalfTowardsTheCap() throws {
        var session = payer(deposit: 100_000_000, maxSpend: 100_000_000)
        var bytes: UInt64 = 0
        var steps: [UInt64] = []
        while steps.count < 40 {
            bytes += 256 << 10
            if let amount = session.update(bytes: bytes, now: start).signedAmount {
                let owed = try price.cost(bytes: bytes, milliseconds: 0)
                #expect(amount > owed)
                steps.append(amount.udvpn - owed.udvpn)
            }
        }
        // 977 (1 MiB) first, then half of what is paid (1.5× per step paid), up to 62 500 (64 MiB).
        #expect(steps.first == 977)
        #expect(steps.last == 62_500)
        #expect(zip(steps.dropFirst(), steps).allSatisfy { next, previous in next >= previous && next <= previous * 3 / 2 + 1 })
    }

    @Test func unacknowledgedVouchersAreResent() {
        var session = payer()
        _ = session.update(bytes: 0, now: start)
        #expect(session.update(bytes: 0, now: PaymentInstant(milliseconds: 1_999)) == [])
        #expect(session.update(bytes: 0, now: PaymentInstant(milliseconds: 2_000)) == [.resendVoucher(.u(977))])
        _ = session.receipt(accepted: .u(977), cutOff: nil)
        #expect(session.update(bytes: 0, now: PaymentInstant(milliseconds: 9_000)) == [])
        // A receipt claiming more than was signed is not believed.
        _ = session.receipt(accepted: .u(5_000), cutOff: nil)
        #expect(session.acknowledged == .u(977))
    }

    @Test func topsUpBeforeTheDepositIsUsedUpAndWithinMaxSpend() {
        var session = payer(deposit: 50_500, maxSpend: 120_000, topUp: 100_000)
        // 49 523 left after the first voucher is below 50 000: top up by what max spend leaves.
        #expect(session.update(bytes: 0, now: start) == [.signVoucher(.u(977)), .topUp(.u(69_500))])
        // Pending: not asked again.
        #expect(session.update(bytes: 0, now: start).topUp == nil)
        session.depositChanged(to: .u(120_000))
        #expect(session.limit == .u(120_000))
        // At max spend the deposit is not topped up further.
        #expect(session.update(bytes: 80 << 20, now: start).topUp == nil)
    }

    @Test func stopsAtTheSpendLimit() {
        var session = payer(deposit: 1_000_000, maxSpend: 5_000)
        _ = session.update(bytes: 0, now: start)
        #expect(session.update(bytes: 4 << 20, now: start).signedAmount == .u(5_000))
        let actions = session.update(bytes: 6 << 20, now: start)
        #expect(actions.stop == .spendLimitReached)
        #expect(session.signed == .u(5_000))
        #expect(session.update(bytes: 60 << 20, now: start) == [])
    }

    @Test func stopsWhenTheDepositIsUsedUpAndNoTopUpIsPossible() {
        var session = payer(deposit: 3_000, maxSpend: 3_000)
        _ = session.update(bytes: 0, now: start)
        #expect(session.update(bytes: 4 << 20, now: start).stop == .spendLimitReached)
        var capped = payer(deposit: 3_000, maxSpend: 1_000_000, topUp: 0)
        _ = capped.update(bytes: 0, now: start)
        #expect(capped.update(bytes: 4 << 20, now: start).stop == .depositExhausted)
    }

    @Test func aCutOffStopsThePayer() {
        var session = payer()
        _ = session.update(bytes: 0, now: start)
        #expect(session.receipt(accepted: .u(977), cutOff: .unpaid) == [.stop(.cutOff(.unpaid))])
        #expect(session.update(bytes: 10 << 20, now: start) == [])
        #expect(session.stopped == .cutOff(.unpaid))
    }

    @Test func aReusedChannelContinuesFromTheBaseline() {
        var session = payer(baseline: 40_000)
        #expect(session.update(bytes: 0, now: start) == [.signVoucher(.u(40_977))])
    }

    @Test func theHourlyPriceCountsTime() throws {
        let hourly = Price(perGiB: .zero, perHour: .u(3_600_000))  // 1 000 udvpn per second
        var session = PayerSession(
            configuration: .init(price: hourly, maxSpend: .u(1_000_000), topUpAmount: .zero, topUpWhenBelow: .zero),
            deposit: .u(1_000_000), startedAt: start)
        // The first step is 5 s worth.
        #expect(session.update(bytes: 0, now: start) == [.signVoucher(.u(5_000))])
        #expect(session.update(bytes: 0, now: PaymentInstant(milliseconds: 2_000)).signedAmount == nil)
        #expect(session.update(bytes: 0, now: PaymentInstant(milliseconds: 3_000)).signedAmount == .u(8_000))
    }

    @Test func anOverflowingCostStopsInsteadOfTrapping() {
        let absurd = Price(perGiB: .u(.max))
        var session = PayerSession(
            configuration: .init(price: absurd, maxSpend: .u(.max), topUpAmount: .zero, topUpWhenBelow: .zero),
            deposit: .u(.max), startedAt: start)
        #expect(session.update(bytes: .max, now: start).stop == .overflow)
    }
}
