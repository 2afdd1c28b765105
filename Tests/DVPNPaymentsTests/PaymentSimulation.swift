import DVPNCrypto
import DVPNLedger
import DVPNPayments
import DVPNTestSupport

/// A client and a node paying and serving one session over a lossy, reordering link, with a
/// ledger model for top-ups and redemptions. Every step it checks the acceptance properties of
/// issue 8 and records violations instead of stopping, so a failing run reports all of them:
///
/// - the node never serves more than one step unpaid: after every forwarding decision,
///   baseline + cost(node's bytes, node's time) − accepted ≤ step(accepted − baseline);
/// - the client never signs more than its own count plus one step, nor above the deposit or
///   `maxSpend`;
/// - voucher amounts only grow (signed, persisted, accepted), and nothing is redeemed above the
///   best signed voucher or twice.
struct PaymentSimulation {
    struct Parameters: Sendable, CustomStringConvertible {
        var seed: UInt64
        var perGiB: UInt64
        var perHour: UInt64
        /// Deposit in first steps (1 step … many).
        var depositSteps: UInt64
        var maxSpendSteps: UInt64
        var baselineSteps: UInt64
        /// Percent of vouchers and receipts lost; 0 with `persistPercent` 100 is a clean link.
        var lossPercent: Int
        var reorder: Bool
        var persistPercent: Int
        /// The largest difference between the two byte counts (at most the first step's bytes).
        var skewBytes: UInt64
        var steps: Int

        var isClean: Bool { lossPercent == 0 && persistPercent == 100 && !reorder }

        var description: String {
            "seed \(seed), \(perGiB)/GiB + \(perHour)/h, deposit \(depositSteps) steps, maxSpend \(maxSpendSteps), baseline \(baselineSteps), loss \(lossPercent) %, reorder \(reorder), persist \(persistPercent) %, skew \(skewBytes), \(steps) steps"
        }
    }

    struct Statistics {
        var vouchersSigned = 0
        var vouchersPersisted = 0
        var refusals: [VoucherRefusal: Int] = [:]
        var cutOffs: [CutOffReason: Int] = [:]
        var payerStops = 0
        var topUps = 0
        var redemptions = 0
        var bytesServed: UInt64 = 0

        mutating func merge(_ other: Statistics) {
            vouchersSigned += other.vouchersSigned
            vouchersPersisted += other.vouchersPersisted
            refusals.merge(other.refusals, uniquingKeysWith: +)
            cutOffs.merge(other.cutOffs, uniquingKeysWith: +)
            payerStops += other.payerStops
            topUps += other.topUps
            redemptions += other.redemptions
            bytesServed += other.bytesServed
        }
    }

    let parameters: Parameters
    let fixtures = PaymentFixtures()
    var violations: [String] = []
    var statistics = Statistics()

    init(_ parameters: Parameters) { self.parameters = parameters }

    mutating func run() throws {
        var random = Fuzzer(seed: parameters.seed)
        let price = Price(perGiB: .u(parameters.perGiB), perHour: .u(parameters.perHour))
        let schedule = StepSchedule.standard
        let first = try schedule.firstStep(at: price).udvpn
        let baseline = first * parameters.baselineSteps
        let maxSpend = Amount(udvpn: baseline + first * parameters.maxSpendSteps)
        var record = fixtures.channel(deposit: baseline + first * parameters.depositSteps, expiry: 1_000_000)
        let start = PaymentInstant(milliseconds: 1_000)
        var now = start
        let startHeight: UInt64 = 100

        var payer = PayerSession(
            configuration: .init(
                price: price, schedule: schedule, baseline: .u(baseline), maxSpend: maxSpend, topUpAmount: .u(first * 4),
                topUpWhenBelow: .u(first * 2)),
            deposit: .u(record.deposit), startedAt: start)
        let earlier = baseline > 0 ? try fixtures.voucher(baseline) : nil
        var payee = PayeeSession(
            configuration: fixtures.payeeConfiguration(price: price, threshold: .u(first * 8)), channel: record, best: earlier,
            startedAt: start)

        var signed: [Amount: Voucher] = [:]
        var lastSigned = Amount.u(baseline)
        var inFlight: [Voucher] = []
        var persisting: [Voucher] = []
        var topUps: [(amount: Amount, due: PaymentInstant)] = []
        var lastAccepted = payee.accepted
        var lastPersisted = payee.best?.cumulative ?? .zero
        var nodeBytes: UInt64 = 0
        var clientBytes: UInt64 = 0

        for _ in 0..<parameters.steps {
            now = now.advanced(byMilliseconds: UInt64(random.next(below: 3_000)))
            let elapsed = now.milliseconds(since: start)
            let height = startHeight + elapsed / 5_000

            // The client's own count differs from the node's by at most the skew, and only grows.
            let skew = parameters.skewBytes == 0 ? 0 : UInt64(random.next(below: Int(parameters.skewBytes) + 1))
            let seen = random.oneIn(2) ? nodeBytes &+ skew : (nodeBytes > skew ? nodeBytes - skew : 0)
            clientBytes = max(clientBytes, min(seen, nodeBytes &+ parameters.skewBytes))

            // Client.
            let clientOwed = try Amount.u(baseline).adding(price.cost(bytes: clientBytes, milliseconds: elapsed))
            for action in payer.update(bytes: clientBytes, now: now) {
                switch action {
                case .signVoucher(let amount):
                    let step = try schedule.step(after: .u(clientOwed.udvpn - baseline), at: price)
                    check(amount > lastSigned, "signed \(amount.udvpn) after \(lastSigned.udvpn)")
                    check(amount <= (try clientOwed.adding(step)), "signed \(amount.udvpn) > own count \(clientOwed.udvpn) + step \(step.udvpn)")
                    check(amount.udvpn <= record.deposit && amount <= maxSpend, "signed \(amount.udvpn) above deposit \(record.deposit) or max spend")
                    let voucher = try fixtures.voucher(amount.udvpn)
                    signed[amount] = voucher
                    lastSigned = amount
                    inFlight.append(voucher)
                    statistics.vouchersSigned += 1
                case .resendVoucher(let amount):
                    check(amount == lastSigned, "resent \(amount.udvpn), not the last signed \(lastSigned.udvpn)")
                    if let voucher = signed[amount] { inFlight.append(voucher) }
                case .topUp(let amount):
                    check((try Amount.u(record.deposit).adding(amount)) <= maxSpend, "top-up above max spend")
                    topUps.append((amount, now.advanced(byMilliseconds: 2_000)))
                    statistics.topUps += 1
                case .stop:
                    statistics.payerStops += 1
                }
            }

            // The link: deliver some or all in-flight vouchers, maybe reordered, maybe lost.
            if parameters.reorder { random.shuffle(&inFlight) }
            var kept: [Voucher] = []
            for voucher in inFlight {
                if parameters.reorder && random.oneIn(3) {
                    kept.append(voucher)
                    continue
                }
                if random.next(below: 100) < parameters.lossPercent { continue }
                switch payee.receive(voucher) {
                case .persist(let toStore):
                    check(toStore.cumulative > lastPersisted, "asked to persist \(toStore.cumulative.udvpn) after \(lastPersisted.udvpn)")
                    persisting.append(toStore)
                case .refused(let refusal):
                    statistics.refusals[refusal, default: 0] += 1
                }
                if random.next(below: 100) >= parameters.lossPercent {
                    _ = payer.receipt(accepted: payee.accepted, cutOff: payee.cutOffReason)
                }
            }
            inFlight = kept

            // The node's database.
            var waiting: [Voucher] = []
            for voucher in persisting {
                if random.next(below: 100) < parameters.persistPercent {
                    payee.persisted(voucher)
                    lastPersisted = max(lastPersisted, voucher.cumulative)
                    statistics.vouchersPersisted += 1
                } else {
                    waiting.append(voucher)
                }
            }
            persisting = waiting
            check(payee.accepted >= lastAccepted, "accepted fell from \(lastAccepted.udvpn) to \(payee.accepted.udvpn)")
            check(payee.accepted <= lastSigned, "accepted \(payee.accepted.udvpn) above the best signed \(lastSigned.udvpn)")
            lastAccepted = payee.accepted

            // The ledger: top-ups land after a while.
            for topUp in topUps where topUp.due <= now {
                record.deposit += topUp.amount.udvpn
                payer.depositChanged(to: .u(record.deposit))
                payee.channelUpdated(record)
            }
            topUps.removeAll { $0.due <= now }

            // The node decides, then forwards what the client asks for up to its limit.
            let actions = payee.tick(bytes: nodeBytes, now: now, height: height)
            if let voucher = actions.redemption {
                check(voucher.isSigned(by: fixtures.payer.publicKey, chainID: PaymentFixtures.chainID), "redeemed a bad voucher")
                let pays = min(voucher.cumulative.udvpn, record.deposit)
                check(pays > record.redeemed, "redeemed \(pays) again (already \(record.redeemed))")
                check(voucher.cumulative <= lastSigned, "redeemed above the best signed voucher")
                record.redeemed = max(record.redeemed, pays)
                payee.redeemed(upTo: .u(record.redeemed))
                payee.channelUpdated(record)
                statistics.redemptions += 1
            }
            if let reason = actions.cutOff {
                _ = payer.receipt(accepted: payee.accepted, cutOff: reason)
            }
            if let limit = actions.servingLimit {
                let asked = random.oneIn(5) ? 0 : UInt64(random.next(below: 4 << 20))
                let room = limit > nodeBytes ? limit - nodeBytes : 0
                nodeBytes += min(asked, room)
                let owed = try Amount.u(baseline).adding(price.cost(bytes: nodeBytes, milliseconds: elapsed))
                let step = try payee.step()
                let unpaid = owed.udvpn > payee.accepted.udvpn ? owed.udvpn - payee.accepted.udvpn : 0
                check(unpaid <= step.udvpn, "served \(unpaid) udvpn unpaid, more than one step \(step.udvpn)")
            }
        }
        if let reason = payee.cutOffReason { statistics.cutOffs[reason, default: 0] += 1 }
        statistics.bytesServed = nodeBytes

        // On a clean link with enough deposit an honest client is never cut off.
        if parameters.isClean, parameters.depositSteps >= 1_000_000, parameters.maxSpendSteps >= 1_000_000 {
            check(payee.cutOffReason == nil, "a clean session was cut off: \(payee.cutOffReason.map(\.description) ?? "")")
        }
    }

    private mutating func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition, violations.count < 10 { violations.append(message()) }
    }
}

extension Fuzzer {
    /// Fisher–Yates with this generator's own draws (reproducible from the seed).
    mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, next(below: i + 1))
        }
    }
}
