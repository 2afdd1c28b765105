import DVPNCrypto
import DVPNLedger

/// The operator's side of a paid session (issue 8 items 4–6): verifies vouchers, holds back credit
/// until the best voucher is persisted, turns credit into a forwarding limit, and decides cut-off
/// and redemption. Pure: the node persists, forwards, redeems and logs as the actions say, and
/// feeds back what happened.
///
/// Rules (docs/session-protocol.md, "Payee"):
/// - accepted = min(best persisted voucher, deposit) (the contract pays `min(cumulative, deposit)`);
///   baseline = accepted when the session started;
/// - owed = baseline + price.cost(node's bytes, node's elapsed time); step = step(accepted −
///   baseline); the node forwards only while owed ≤ min(accepted + step, deposit), so it never
///   serves more than one step unpaid. That same step is the tolerance for the two counts: a client
///   that counts up to one step less than the node still pays before the limit;
/// - a voucher raises `accepted` only after the node reports it `persisted`;
/// - cut-off, checked in this order: channel closing or settled, channel about to expire,
///   no voucher within the grace period, deposit used up, unpaid above one step; and the node's
///   own reasons via `cutOff(_:)`. A cut-off is final; vouchers still count after it (they only
///   add money to redeem);
/// - redemption of the best voucher when the unredeemed part reaches `redemptionThreshold`, when
///   the channel is near expiry, or when it is closing (before its settlement window ends).
public struct PayeeSession: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var chainID: String
        public var channel: UInt64
        /// The channel's payer, whose signature every voucher must carry.
        public var payer: Schnorr.PublicKey
        public var price: Price
        public var schedule: StepSchedule
        /// The first voucher must be persisted within this long after the start.
        public var gracePeriodMilliseconds: UInt64
        /// Cut off when the channel expires within this many blocks (time to redeem safely).
        public var expiryMarginBlocks: UInt64
        /// Redeem when the channel expires within this many blocks (≥ the cut-off margin).
        public var redeemMarginBlocks: UInt64
        /// Interim redemption once this much is accepted but not redeemed.
        public var redemptionThreshold: Amount
        /// At most this many vouchers may wait for persistence at once.
        public var maxUnconfirmed: Int

        public init(
            chainID: String, channel: UInt64, payer: Schnorr.PublicKey, price: Price, schedule: StepSchedule = .standard,
            gracePeriodMilliseconds: UInt64 = 10_000, expiryMarginBlocks: UInt64 = 30, redeemMarginBlocks: UInt64 = 60,
            redemptionThreshold: Amount, maxUnconfirmed: Int = 8
        ) {
            self.chainID = chainID
            self.channel = channel
            self.payer = payer
            self.price = price
            self.schedule = schedule
            self.gracePeriodMilliseconds = gracePeriodMilliseconds
            self.expiryMarginBlocks = expiryMarginBlocks
            self.redeemMarginBlocks = max(redeemMarginBlocks, expiryMarginBlocks)
            self.redemptionThreshold = redemptionThreshold
            self.maxUnconfirmed = maxUnconfirmed
        }
    }

    /// What `receive(_:)` says about one voucher.
    public enum VoucherVerdict: Hashable, Sendable {
        /// Valid and better than anything held: persist it, then report `persisted(_:)`.
        case persist(Voucher)
        /// Refused; the credit is unchanged.
        case refused(VoucherRefusal)
    }

    /// What the node must do after `tick`.
    public enum Action: Hashable, Sendable {
        /// Forward while the session's own byte count stays at or below this total.
        case serve(untilBytes: UInt64)
        /// End the session with this reason (sent to the client, logged).
        case cutOff(CutOffReason)
        /// Submit `channels.redeem` with this voucher; report `redeemed(upTo:)` or
        /// `redemptionFailed()`.
        case redeem(Voucher)
    }

    public let configuration: Configuration
    public let startedAt: PaymentInstant
    /// The channel as the ledger last showed it.
    public private(set) var channel: ChannelRecord
    /// The best persisted voucher (from an earlier session too).
    public private(set) var best: Voucher?
    /// Credit at the start of this session.
    public let baseline: Amount
    public private(set) var cutOffReason: CutOffReason?
    /// Whether a voucher was persisted during this session.
    public private(set) var paidThisSession = false
    /// The redeemed total as the ledger last showed it or the node last redeemed.
    public private(set) var redeemed: Amount
    public private(set) var redemptionPending = false
    /// Vouchers handed out for persistence and not yet confirmed.
    private var unconfirmed: [Voucher] = []

    /// - Parameters:
    ///   - channel: the record as the ledger has it (its payer must be `configuration.payer`).
    ///   - best: the best voucher this node persisted for the channel before, if any.
    public init(configuration: Configuration, channel: ChannelRecord, best: Voucher?, startedAt: PaymentInstant) {
        self.configuration = configuration
        self.channel = channel
        self.best = best.flatMap { $0.channel == configuration.channel ? $0 : nil }
        self.startedAt = startedAt
        redeemed = Amount(udvpn: channel.redeemed)
        baseline = min(Amount(udvpn: self.best?.cumulative.udvpn ?? 0), Amount(udvpn: channel.deposit))
    }

    public var deposit: Amount { Amount(udvpn: channel.deposit) }

    /// What the best persisted voucher is worth: its amount, at most the deposit.
    public var accepted: Amount { min(best?.cumulative ?? .zero, deposit) }

    /// One step at the current credit.
    public func step() throws(PaymentError) -> Amount {
        try configuration.schedule.step(after: CheckedArithmetic.subtractClamped(accepted, baseline), at: configuration.price)
    }

    /// The most this session may owe before the node stops forwarding: accepted + one step, at
    /// most the deposit.
    public func servingLimit() throws(PaymentError) -> Amount {
        min(CheckedArithmetic.addSaturating(accepted, try step()), deposit)
    }

    /// Checks a voucher the client submitted (already parsed).
    public mutating func receive(_ voucher: Voucher) -> VoucherVerdict {
        guard voucher.channel == configuration.channel else { return .refused(.foreignChannel) }
        let held = max(best?.cumulative ?? .zero, unconfirmed.last?.cumulative ?? .zero, redeemed)
        guard voucher.cumulative > held else { return .refused(.notIncreasing) }
        guard unconfirmed.count < configuration.maxUnconfirmed else { return .refused(.persistenceBacklog) }
        guard voucher.isSigned(by: configuration.payer, chainID: configuration.chainID) else { return .refused(.badSignature) }
        unconfirmed.append(voucher)
        return .persist(voucher)
    }

    /// The node stored `voucher` durably (SQLite, committed). Only now does it count.
    public mutating func persisted(_ voucher: Voucher) {
        guard let index = unconfirmed.firstIndex(of: voucher) else { return }
        unconfirmed.removeSubrange(...index)
        if voucher.cumulative > best?.cumulative ?? .zero {
            best = voucher
            paidThisSession = true
        }
    }

    /// Persisting `voucher` failed: it does not count, and it is forgotten.
    public mutating func persistenceFailed(_ voucher: Voucher) {
        unconfirmed.removeAll { $0 == voucher }
    }

    /// The ledger shows the channel now (a top-up, a close, a redemption).
    public mutating func channelUpdated(_ record: ChannelRecord) {
        channel = record
        redeemed = max(redeemed, Amount(udvpn: record.redeemed))
    }

    /// A redemption committed: the ledger's redeemed total is now `total`.
    public mutating func redeemed(upTo total: Amount) {
        redeemed = max(redeemed, total)
        redemptionPending = false
    }

    /// A redemption failed; it will be retried on a later tick.
    public mutating func redemptionFailed() { redemptionPending = false }

    /// The node's own reason (max sessions, bandwidth cap, shutdown, client ended).
    public mutating func cutOff(_ reason: CutOffReason) {
        if cutOffReason == nil { cutOffReason = reason }
    }

    /// Feed the node's byte count for this session, its clock and the ledger height.
    public mutating func tick(bytes: UInt64, now: PaymentInstant, height: UInt64) -> [Action] {
        var actions: [Action] = []
        if cutOffReason == nil {
            if let reason = cutOffCheck(bytes: bytes, now: now, height: height) {
                cutOffReason = reason
            }
        }
        if let cutOffReason {
            actions.append(.cutOff(cutOffReason))
        } else {
            actions.append(.serve(untilBytes: forwardingLimit(now: now)))
        }
        if let voucher = redemptionDue(height: height) {
            redemptionPending = true
            actions.append(.redeem(voucher))
        }
        return actions
    }

    /// The most the node can co-sign for a cooperative close: the best voucher's worth, if it is at
    /// least what was redeemed (the contract requires `redeemed ≤ amount ≤ deposit`).
    public var closeAmount: Amount { max(accepted, redeemed) }

    /// The amount to co-sign for a cooperative close at the end of this session: what was used,
    /// not what was paid ahead. The payer pays one step ahead of its own count, so its best
    /// voucher is up to one step above what it used; charging the voucher would keep that step.
    /// The node charges the larger of the payer's count (`SessionEnd.used`) and its own
    /// (`baseline` + the price of `ownBytes` over the session's time), so a payer that claims too
    /// little still pays for everything the node served, and never more than the best voucher
    /// (the payer signed no more) nor less than what was already redeemed.
    public func closeAmount(payerCount: Amount, ownBytes: UInt64, now: PaymentInstant) -> Amount {
        let own: Amount
        do {
            own = try CheckedArithmetic.add(
                baseline, try configuration.price.cost(bytes: ownBytes, milliseconds: now.milliseconds(since: startedAt)), "own count")
        } catch {
            return closeAmount
        }
        return max(redeemed, min(accepted, max(payerCount, own)))
    }

    private func cutOffCheck(bytes: UInt64, now: PaymentInstant, height: UInt64) -> CutOffReason? {
        guard channel.status == 0 else { return .channelClosing }
        let (margin, overflow) = height.addingReportingOverflow(configuration.expiryMarginBlocks)
        guard !overflow, margin < channel.expiry else { return .channelExpiring }
        let elapsed = now.milliseconds(since: startedAt)
        if !paidThisSession, elapsed > configuration.gracePeriodMilliseconds { return .noFirstVoucher }
        guard let cost = try? configuration.price.cost(bytes: bytes, milliseconds: elapsed),
            let owed = try? CheckedArithmetic.add(baseline, cost, "owed"),
            let step = try? step()
        else { return .depositExhausted }
        if owed > deposit { return .depositExhausted }
        if CheckedArithmetic.subtractClamped(owed, accepted) > step { return .unpaid }
        return nil
    }

    private func forwardingLimit(now: PaymentInstant) -> UInt64 {
        guard let limit = try? servingLimit() else { return 0 }
        let budget = CheckedArithmetic.subtractClamped(limit, baseline)
        return configuration.price.bytes(affordableWith: budget, milliseconds: now.milliseconds(since: startedAt))
    }

    private func redemptionDue(height: UInt64) -> Voucher? {
        guard !redemptionPending, let best, accepted > redeemed, channel.status != 2 else { return nil }
        let (margin, overflow) = height.addingReportingOverflow(configuration.redeemMarginBlocks)
        let nearExpiry = overflow || margin >= channel.expiry
        let closing = channel.status == 1
        let pastThreshold = CheckedArithmetic.subtractClamped(accepted, redeemed) >= configuration.redemptionThreshold
        // Past expiry (or past the settlement window) the contract refuses redeem: do not try.
        let takesVouchers = height < channel.expiry && (channel.status == 0 || height < channel.settleAfter)
        return takesVouchers && (nearExpiry || closing || pastThreshold) ? best : nil
    }
}

/// Why a payee refused a voucher (sent back in `VoucherReceipt`). Stable codes.
public enum VoucherRefusal: UInt16, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The voucher names another channel than this session's.
    case foreignChannel = 1
    /// Not signed by the channel's payer for this chain and channel.
    case badSignature = 2
    /// Not above what the node already holds (a replay, an older or reordered voucher).
    case notIncreasing = 3
    /// Too many vouchers are waiting to be persisted; send again later.
    case persistenceBacklog = 4
    /// The session id is unknown to the node.
    case unknownSession = 5

    public var code: UInt16 { rawValue }

    public var description: String {
        switch self {
        case .foreignChannel: "the voucher is for another channel"
        case .badSignature: "the voucher is not signed by the channel's payer"
        case .notIncreasing: "the voucher is not above the amount already held"
        case .persistenceBacklog: "too many vouchers wait to be stored; send again"
        case .unknownSession: "no such session"
        }
    }
}
