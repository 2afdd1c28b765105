import DVPNCrypto
import DVPNLedger
import DVPNPayments
import Testing

/// The operator's state machine on bad and boundary input (issue 8, "Bad input" and "Cut-off").
@Suite struct PayeeSessionTests {
    let fixtures = PaymentFixtures()
    /// 1 DVPN per GiB: the first step (1 MiB) is 977 udvpn, the cap (64 MiB) 62 500.
    let price = Price(perGiB: .u(1_000_000))
    let start = PaymentInstant(milliseconds: 10_000)

    func session(channel: ChannelRecord? = nil, best: Voucher? = nil, threshold: Amount = .u(.max)) -> PayeeSession {
        PayeeSession(
            configuration: fixtures.payeeConfiguration(price: price, threshold: threshold), channel: channel ?? fixtures.channel(),
            best: best, startedAt: start)
    }

    func accept(_ amount: UInt64, into payee: inout PayeeSession) throws {
        let voucher = try fixtures.voucher(amount)
        #expect(payee.receive(voucher) == .persist(voucher))
        payee.persisted(voucher)
    }

    @Test func creditCountsOnlyAfterPersistence() throws {
        var payee = session()
        let voucher = try fixtures.voucher(5_000)
        #expect(payee.receive(voucher) == .persist(voucher))
        #expect(payee.accepted == .zero)
        #expect(payee.tick(bytes: 0, now: start, height: 100).servingLimit == price.bytes(affordableWith: .u(977), milliseconds: 0))
        payee.persisted(voucher)
        #expect(payee.accepted == .u(5_000))
        // The limit is now accepted + step(5 000) = 5 000 + max(977, 2 500).
        let limit = try #require(payee.tick(bytes: 0, now: start, height: 100).servingLimit)
        #expect(limit == price.bytes(affordableWith: .u(7_500), milliseconds: 0))
        #expect((try price.cost(bytes: limit, milliseconds: 0)) <= .u(7_500))
        #expect((try price.cost(bytes: limit + 1, milliseconds: 0)) > .u(7_500))
    }

    @Test func forgedVouchersAreRefused() throws {
        var payee = session()
        // Signed by someone else, for another chain, or with a signature moved onto a larger amount.
        #expect(payee.receive(try fixtures.voucher(1_000, signer: fixtures.stranger)) == .refused(.badSignature))
        #expect(payee.receive(try fixtures.voucher(1_000, chainID: "other-chain")) == .refused(.badSignature))
        let real = try fixtures.voucher(1_000)
        let inflated = Voucher(channel: 7, cumulative: .u(1_000_000), signature: real.signature)
        #expect(payee.receive(inflated) == .refused(.badSignature))
        // Signed by the payer, but for another channel (same amount): refused before the signature.
        #expect(payee.receive(try fixtures.voucher(1_000, channel: 8)) == .refused(.foreignChannel))
        #expect(payee.accepted == .zero)
        // A forged voucher reported as persisted by mistake still does not count.
        payee.persisted(inflated)
        #expect(payee.accepted == .zero)
    }

    @Test func replayedAndDecreasingVouchersAreRefused() throws {
        var payee = session()
        try accept(3_000, into: &payee)
        #expect(payee.receive(try fixtures.voucher(3_000)) == .refused(.notIncreasing))
        #expect(payee.receive(try fixtures.voucher(2_000)) == .refused(.notIncreasing))
        // A voucher waiting for persistence also counts as held: no second persist of an older one.
        let pending = try fixtures.voucher(9_000)
        #expect(payee.receive(pending) == .persist(pending))
        #expect(payee.receive(try fixtures.voucher(8_000)) == .refused(.notIncreasing))
        #expect(payee.receive(pending) == .refused(.notIncreasing))
        payee.persisted(pending)
        #expect(payee.accepted == .u(9_000))
        // A late confirmation of an older voucher does not lower the credit.
        payee.persisted(try fixtures.voucher(3_000))
        #expect(payee.accepted == .u(9_000))
    }

    @Test func persistenceBacklogIsBounded() throws {
        var payee = session()
        let waiting = try (1...8).map { try fixtures.voucher(UInt64($0) * 1_000) }
        for voucher in waiting { #expect(payee.receive(voucher) == .persist(voucher)) }
        #expect(payee.receive(try fixtures.voucher(100_000)) == .refused(.persistenceBacklog))
        // Confirming the newest clears the older ones it supersedes.
        payee.persisted(waiting[7])
        #expect(payee.accepted == .u(8_000))
        let next = try fixtures.voucher(100_000)
        #expect(payee.receive(next) == .persist(next))
    }

    @Test func aVoucherAboveTheDepositIsWorthTheDeposit() throws {
        var payee = session(channel: fixtures.channel(deposit: 10_000))
        try accept(50_000, into: &payee)
        #expect(payee.accepted == .u(10_000))
        #expect(payee.closeAmount == .u(10_000))
        var record = fixtures.channel(deposit: 30_000)
        payee.channelUpdated(record)
        #expect(payee.accepted == .u(30_000))
        record.deposit = 60_000
        payee.channelUpdated(record)
        #expect(payee.accepted == .u(50_000))
    }

    @Test func noFirstVoucherWithinTheGracePeriod() {
        var payee = session()
        #expect(payee.tick(bytes: 0, now: start.advanced(byMilliseconds: 10_000), height: 100).cutOff == nil)
        let actions = payee.tick(bytes: 0, now: start.advanced(byMilliseconds: 10_001), height: 100)
        #expect(actions.cutOff == .noFirstVoucher)
        #expect(actions.servingLimit == nil)
        // Final: nothing resumes it, not even a voucher.
        #expect(payee.tick(bytes: 0, now: start.advanced(byMilliseconds: 10_002), height: 100).cutOff == .noFirstVoucher)
    }

    @Test func unpaidDebtPastOneStep() throws {
        var payee = session()
        try accept(977, into: &payee)
        // step(977) = 977 (the first step): owing up to 1 954 is served, above it is cut off.
        let limit = try #require(payee.tick(bytes: 0, now: start, height: 100).servingLimit)
        #expect((try price.cost(bytes: limit, milliseconds: 0)) <= .u(1_954))
        #expect(payee.tick(bytes: limit, now: start, height: 100).cutOff == nil)
        let over = price.bytes(affordableWith: .u(1_955), milliseconds: 0)
        #expect(payee.tick(bytes: over, now: start, height: 100).cutOff == .unpaid)
        // A voucher arriving after the cut-off still counts for redemption, but service stays off.
        try accept(5_000, into: &payee)
        #expect(payee.accepted == .u(5_000))
        #expect(payee.tick(bytes: over, now: start, height: 100).cutOff == .unpaid)
    }

    @Test func depositUsedUp() throws {
        var payee = session(channel: fixtures.channel(deposit: 2_000))
        try accept(2_000, into: &payee)
        let limit = try #require(payee.tick(bytes: 0, now: start, height: 100).servingLimit)
        #expect(limit == price.bytes(affordableWith: .u(2_000), milliseconds: 0))
        let over = price.bytes(affordableWith: .u(2_001), milliseconds: 0)
        #expect(payee.tick(bytes: over, now: start, height: 100).cutOff == .depositExhausted)
    }

    @Test func closingAndExpiringChannels() throws {
        var closing = session()
        try accept(1_000, into: &closing)
        closing.channelUpdated(fixtures.channel(status: 1))
        #expect(closing.tick(bytes: 0, now: start, height: 100).cutOff == .channelClosing)

        var expiring = session(channel: fixtures.channel(expiry: 1_000))
        try accept(1_000, into: &expiring)
        #expect(expiring.tick(bytes: 0, now: start, height: 969).cutOff == nil)
        #expect(expiring.tick(bytes: 0, now: start, height: 970).cutOff == .channelExpiring)
    }

    @Test func theNodesOwnReasons() {
        for reason in [CutOffReason.maxSessions, .bandwidthCap, .operatorShutdown, .clientEnded] {
            var payee = session()
            payee.cutOff(reason)
            payee.cutOff(.unpaid)
            #expect(payee.tick(bytes: 0, now: start, height: 100).cutOff == reason)
        }
    }

    @Test func redemptionPastTheThresholdNearExpiryAndWhenClosing() throws {
        var payee = session(channel: fixtures.channel(expiry: 1_000), threshold: .u(10_000))
        try accept(9_999, into: &payee)
        #expect(payee.tick(bytes: 0, now: start, height: 100).redemption == nil)
        try accept(10_000, into: &payee)
        let first = try #require(payee.tick(bytes: 0, now: start, height: 100).redemption)
        #expect(first.cumulative == .u(10_000))
        // Pending: not asked twice; after it committed, nothing is due until more is accepted.
        #expect(payee.tick(bytes: 0, now: start, height: 100).redemption == nil)
        payee.redeemed(upTo: .u(10_000))
        #expect(payee.tick(bytes: 0, now: start, height: 100).redemption == nil)
        // Below the threshold, but the channel expires within the redeem margin (60 blocks).
        try accept(12_000, into: &payee)
        #expect(payee.tick(bytes: 0, now: start, height: 939).redemption == nil)
        #expect(payee.tick(bytes: 0, now: start, height: 940).redemption?.cumulative == .u(12_000))
        payee.redemptionFailed()
        // Past expiry the contract refuses redeem: not tried.
        #expect(payee.tick(bytes: 0, now: start, height: 1_000).redemption == nil)

        var closing = session(threshold: .u(1_000_000))
        try accept(500, into: &closing)
        closing.channelUpdated(fixtures.channel(status: 1))
        var record = fixtures.channel(status: 1)
        record.settleAfter = 120
        closing.channelUpdated(record)
        #expect(closing.tick(bytes: 0, now: start, height: 119).redemption?.cumulative == .u(500))
        closing.redemptionFailed()
        #expect(closing.tick(bytes: 0, now: start, height: 120).redemption == nil)
    }

    @Test func aReusedChannelContinuesFromTheBestVoucher() throws {
        let earlier = try fixtures.voucher(40_000)
        var payee = session(best: earlier)
        #expect(payee.baseline == .u(40_000))
        #expect(payee.receive(try fixtures.voucher(40_000)) == .refused(.notIncreasing))
        // No first voucher in this session yet: the grace period applies again.
        #expect(payee.tick(bytes: 0, now: start.advanced(byMilliseconds: 10_001), height: 100).cutOff == .noFirstVoucher)
        // A best voucher for another channel is ignored.
        let foreign = PayeeSession(
            configuration: fixtures.payeeConfiguration(price: price, threshold: .u(1)), channel: fixtures.channel(),
            best: try fixtures.voucher(40_000, channel: 9), startedAt: start)
        #expect(foreign.baseline == .zero)
    }

    /// The close charges what was used, not the step paid ahead: the larger of the payer's and
    /// the node's counts, at most the best voucher, at least what was redeemed.
    @Test func theCloseChargesWhatWasUsedNotWhatWasPaidAhead() throws {
        var payee = session()
        try accept(50_000, into: &payee)
        let now = start.advanced(byMilliseconds: 60_000)
        // 1 DVPN per GiB: 30 MiB cost 29 297 udvpn (rounded up).
        let ownBytes: UInt64 = 30 << 20
        let own = try price.cost(bytes: ownBytes, milliseconds: 0)
        #expect(own == .u(29_297))
        // The payer counted a little more than the node: its count is charged.
        #expect(payee.closeAmount(payerCount: .u(30_000), ownBytes: ownBytes, now: now) == .u(30_000))
        // A payer that claims too little pays the node's own count.
        #expect(payee.closeAmount(payerCount: .zero, ownBytes: ownBytes, now: now) == own)
        // Never more than the best voucher (the payer signed no more) ...
        #expect(payee.closeAmount(payerCount: .u(70_000), ownBytes: ownBytes, now: now) == .u(50_000))
        #expect(payee.closeAmount(payerCount: .zero, ownBytes: 1 << 40, now: now) == .u(50_000))
        // ... and never less than what was already redeemed.
        payee.redeemed(upTo: .u(40_000))
        #expect(payee.closeAmount(payerCount: .u(30_000), ownBytes: ownBytes, now: now) == .u(40_000))
        // The hourly price counts for the node's own count too, from the session's start.
        // 3.6 DVPN per hour is 1 000 udvpn a second: 10 s on top of the 20 000 signed before.
        var hourly = PayeeSession(
            configuration: fixtures.payeeConfiguration(price: Price(perGiB: .zero, perHour: .u(3_600_000)), threshold: .u(.max)),
            channel: fixtures.channel(), best: try fixtures.voucher(20_000), startedAt: start)
        #expect(hourly.baseline == .u(20_000))
        try accept(40_000, into: &hourly)
        #expect(hourly.closeAmount(payerCount: .zero, ownBytes: 0, now: start.advanced(byMilliseconds: 10_000)) == .u(30_000))
    }

    @Test func cooperativeCloseCoSignatureMatchesTheContract() throws {
        var payee = session()
        try accept(12_345, into: &payee)
        let cosignature = try CloseCoSignature(
            chainID: PaymentFixtures.chainID, channel: 7, amount: payee.closeAmount, payeeKey: fixtures.payee)
        #expect(cosignature.isSigned(by: fixtures.payee.publicKey, chainID: PaymentFixtures.chainID))
        #expect(!cosignature.isSigned(by: fixtures.payer.publicKey, chainID: PaymentFixtures.chainID))
        #expect(!cosignature.isSigned(by: fixtures.payee.publicKey, chainID: "other-chain"))
        // The contract's message is the channel-close domain over (channel, amount).
        let message = SigningDomain.channelClose.message(chainID: PaymentFixtures.chainID, body: [0, 0, 0, 0, 0, 0, 0, 7] + Amount.u(12_345).canonicalBytes)
        #expect(fixtures.payee.publicKey.isValidSignature(cosignature.signature, for: message))
        // A voucher's signature is not a close co-signature (different domain).
        let voucher = try fixtures.voucher(12_345)
        #expect(!fixtures.payer.publicKey.isValidSignature(voucher.signature, for: SigningDomain.channelClose.message(chainID: PaymentFixtures.chainID, body: [0, 0, 0, 0, 0, 0, 0, 7] + Amount.u(12_345).canonicalBytes)))
        let call = cosignature.closeCall
        #expect(call.method == "closeCooperative")
        #expect(call.arguments == [0, 0, 0, 0, 0, 0, 0, 7] + Amount.u(12_345).canonicalBytes + cosignature.signature.rawRepresentation)
    }
}
