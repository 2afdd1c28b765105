import DVPNLedger

/// The client's side of a paid session (issue 8 items 4–5): from its own byte count and clock and
/// the grant's price and step schedule, decides when to sign the next cumulative voucher and for
/// how much, when to top the channel up, and when to stop. Pure: the caller signs, sends and
/// submits the transactions the actions ask for, and feeds back what happened.
///
/// Rules (docs/session-protocol.md, "Payer"):
/// - owed = baseline + price.cost(own bytes, own elapsed time); the payer pays one step ahead:
///   when its credit (signed − owed) falls below half of step(owed − baseline), it signs
///   owed + step, so it never signs more than its own count plus one step;
/// - never above the channel deposit nor `maxSpend`; the signed amount only grows;
/// - a voucher the node has not acknowledged is resent after `resendInterval`;
/// - a top-up is asked for when less than `topUpWhenBelow` of the deposit is left unsigned and the
///   deposit is below `maxSpend`;
/// - it stops when it cannot pay for what it has been served (the limit reached), or when the node
///   cut it off.
public struct PayerSession: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// The grant's price and schedule.
        public var price: Price
        public var schedule: StepSchedule
        /// The highest cumulative amount already signed on this channel before this session (0
        /// for a new channel): a reused channel continues from there.
        public var baseline: Amount
        /// The most this client will have signed on the channel in total (`--max-spend`).
        public var maxSpend: Amount
        /// The size of one top-up (capped by what `maxSpend` leaves).
        public var topUpAmount: Amount
        /// Ask for a top-up when less than this much deposit is left beyond the signed amount.
        public var topUpWhenBelow: Amount
        /// Resend an unacknowledged voucher after this long.
        public var resendIntervalMilliseconds: UInt64

        public init(
            price: Price, schedule: StepSchedule = .standard, baseline: Amount = .zero, maxSpend: Amount,
            topUpAmount: Amount, topUpWhenBelow: Amount, resendIntervalMilliseconds: UInt64 = 2_000
        ) {
            self.price = price
            self.schedule = schedule
            self.baseline = baseline
            self.maxSpend = maxSpend
            self.topUpAmount = topUpAmount
            self.topUpWhenBelow = topUpWhenBelow
            self.resendIntervalMilliseconds = resendIntervalMilliseconds
        }
    }

    public enum Action: Hashable, Sendable {
        /// Sign a voucher for this cumulative amount and send it (it is now the signed amount).
        case signVoucher(Amount)
        /// Send the voucher for this amount (already signed) again: it was not acknowledged.
        case resendVoucher(Amount)
        /// Submit `channels.topUp` with this much; report `depositChanged` or `topUpFailed`.
        case topUp(Amount)
        /// End the session; the payer will sign nothing more.
        case stop(StopReason)
    }

    public enum StopReason: Hashable, Sendable, CustomStringConvertible {
        /// What was served reached `maxSpend`.
        case spendLimitReached
        /// What was served reached the deposit and no top-up is possible or pending.
        case depositExhausted
        /// The node cut the session off.
        case cutOff(CutOffReason)
        /// The owed amount does not fit in an amount (a price or byte count far out of range).
        case overflow

        public var description: String {
            switch self {
            case .spendLimitReached: "the spending limit (--max-spend) is reached"
            case .depositExhausted: "the channel's deposit is used up"
            case .cutOff(let reason): "the node cut the session off: \(reason.summary)"
            case .overflow: "the session's cost is out of range"
            }
        }
    }

    public let configuration: Configuration
    public let startedAt: PaymentInstant
    /// The channel's deposit as last reported.
    public private(set) var deposit: Amount
    /// The highest amount signed (starts at the baseline).
    public private(set) var signed: Amount
    /// The highest amount the node acknowledged in a receipt.
    public private(set) var acknowledged: Amount
    /// What this session owes by the client's own count, at the last `update`.
    public private(set) var owed: Amount
    public private(set) var topUpPending = false
    public private(set) var stopped: StopReason?
    private var lastSentAt: PaymentInstant

    public init(configuration: Configuration, deposit: Amount, startedAt: PaymentInstant) {
        self.configuration = configuration
        self.startedAt = startedAt
        self.deposit = deposit
        signed = configuration.baseline
        acknowledged = configuration.baseline
        owed = configuration.baseline
        lastSentAt = startedAt
    }

    /// The most the payer may sign at all: the deposit and `maxSpend`.
    public var limit: Amount { min(deposit, configuration.maxSpend) }

    /// The payer's own bound for the next voucher: owed + one step at `owed`.
    public func bound(owed: Amount) throws(PaymentError) -> Amount {
        let paid = CheckedArithmetic.subtractClamped(owed, configuration.baseline)
        let step = try configuration.schedule.step(after: paid, at: configuration.price)
        return try CheckedArithmetic.add(owed, step, "owed plus one step")
    }

    /// Feed the client's own meter and clock; returns what to do now (possibly nothing). Call it
    /// whenever bytes flow and at least every second.
    public mutating func update(bytes: UInt64, now: PaymentInstant) -> [Action] {
        guard stopped == nil else { return [] }
        let step: Amount
        do {
            try count(bytes: bytes, now: now)
            step = try configuration.schedule.step(after: CheckedArithmetic.subtractClamped(owed, configuration.baseline), at: configuration.price)
        } catch {
            return stop(.overflow)
        }
        var actions: [Action] = []
        let credit = CheckedArithmetic.subtractClamped(signed, owed)
        // Below half a step of credit (rounded up, so a 1 udvpn step still asks): pay the next.
        if credit.udvpn < step.udvpn - step.udvpn / 2 {
            let target = min(CheckedArithmetic.addSaturating(owed, step), limit)
            if target > signed {
                signed = target
                lastSentAt = now
                actions.append(.signVoucher(target))
            }
        }
        if actions.isEmpty, signed > acknowledged, now.milliseconds(since: lastSentAt) >= configuration.resendIntervalMilliseconds {
            lastSentAt = now
            actions.append(.resendVoucher(signed))
        }
        if let topUp = topUpNeeded() {
            topUpPending = true
            actions.append(.topUp(topUp))
        }
        if owed >= limit, !topUpPending {
            actions += stop(limit == configuration.maxSpend ? .spendLimitReached : .depositExhausted)
        }
        return actions
    }

    /// The session ends: the client's last reading of its meter and clock raises `owed` (what
    /// `used` reports), and nothing more is signed. Overflow leaves `owed` as it was.
    public mutating func finish(bytes: UInt64, now: PaymentInstant) {
        try? count(bytes: bytes, now: now)
    }

    /// What this session used by the client's own count, within what the payer may sign: the
    /// amount a `SessionEnd` asks to be charged.
    public var used: Amount { min(owed, limit) }

    private mutating func count(bytes: UInt64, now: PaymentInstant) throws(PaymentError) {
        let cost = try configuration.price.cost(bytes: bytes, milliseconds: now.milliseconds(since: startedAt))
        owed = max(owed, try CheckedArithmetic.add(configuration.baseline, cost, "the owed amount"))
    }

    /// A receipt from the node: it holds a voucher up to `accepted`, or cut the session off.
    public mutating func receipt(accepted: Amount, cutOff: CutOffReason?) -> [Action] {
        // The node cannot acknowledge more than was signed; a larger claim is ignored.
        if accepted <= signed { acknowledged = max(acknowledged, accepted) }
        guard let cutOff, stopped == nil else { return [] }
        return stop(.cutOff(cutOff))
    }

    /// The ledger shows the channel's deposit now (after a top-up, or a fresh read).
    public mutating func depositChanged(to newDeposit: Amount) {
        deposit = newDeposit
        topUpPending = false
    }

    /// The top-up transaction failed; the payer may ask again on a later update.
    public mutating func topUpFailed() { topUpPending = false }

    private func topUpNeeded() -> Amount? {
        guard !topUpPending, deposit < configuration.maxSpend else { return nil }
        let left = CheckedArithmetic.subtractClamped(deposit, signed)
        guard left < configuration.topUpWhenBelow else { return nil }
        let room = CheckedArithmetic.subtractClamped(configuration.maxSpend, deposit)
        let amount = min(configuration.topUpAmount, room)
        return amount > .zero ? amount : nil
    }

    private mutating func stop(_ reason: StopReason) -> [Action] {
        stopped = reason
        return [.stop(reason)]
    }
}
