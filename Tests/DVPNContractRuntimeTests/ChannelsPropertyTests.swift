import DVPNContractRuntime
import DVPNLedger
import PropertyBased
import Testing

/// The acceptance properties of the channels contract (issue 4), checked on random sequences of
/// calls from random senders at random heights, run by the real runtime on the committed
/// `Contracts/build/channels.wasm`:
///
/// - the payee never gets more than the deposits;
/// - payee payments + payer refunds equal the deposits once a channel is settled, and the
///   contract holds exactly the unsettled remainder of every channel;
/// - a voucher signed by anyone but the payer, or for another channel or chain, never pays;
/// - an older voucher never lowers the redeemed total;
/// - nothing is refunded before the settlement window or the expiry (or a cooperative close).
///
/// Besides these invariants, each step's outcome is compared with a reference model of the rules
/// in Contracts/README.md, so a contract that refuses everything cannot pass either.
@Suite struct ChannelsPropertyTests {
    /// One random call. The fields are interpreted by `ChannelsScenario.run(_:)`.
    struct Step: Sendable, CustomStringConvertible {
        enum Kind: Int, CaseIterable, Sendable { case open, topUp, redeem, close, closeCooperative, reclaim, advance }
        var kind: Kind
        /// Who sends it: 0–3 the party entitled to (payer or payee), 4 the other party, 5 a stranger.
        var sender: Int
        /// Which channel: an existing one, or (5) one that does not exist.
        var target: Int
        var amount: UInt64
        /// How the signature is made: 0–4 correctly, 5–9 forged in one of five ways.
        var variant: Int

        var description: String { "\(kind)(sender: \(sender), target: \(target), amount: \(amount), variant: \(variant))" }
    }

    static let step = zip(
        Gen.int(in: 0...99), Gen.int(in: 0...5), Gen.int(in: 0...5), Gen.uint64(in: 0...100_000), Gen.int(in: 0...9)
    ).map { kind, sender, target, amount, variant in
        // Weighted: more redeems and opens than the rest, so channels have history to protect.
        let kinds: [(Int, Step.Kind)] = [
            (15, .open), (8, .topUp), (28, .redeem), (8, .close), (10, .closeCooperative), (15, .reclaim), (16, .advance),
        ]
        var roll = kind
        var chosen = Step.Kind.advance
        for (weight, candidate) in kinds {
            if roll < weight {
                chosen = candidate
                break
            }
            roll -= weight
        }
        return Step(kind: chosen, sender: sender, target: target, amount: amount, variant: variant)
    }

    @Test(.timeLimit(.minutes(2)))
    func randomCallSequencesKeepEveryInvariant() async throws {
        var succeeded: [Step.Kind: Int] = [:]
        var forgeriesRefused = 0
        await propertyCheck(count: 400, input: Self.step.array(of: 5...30)) { steps in
            do {
                var scenario = try ChannelsScenario()
                for step in steps { try scenario.run(step) }
                try scenario.settleEverything()
                succeeded.merge(scenario.succeeded, uniquingKeysWith: +)
                forgeriesRefused += scenario.forgeriesRefused
            } catch {
                Issue.record("scenario failed: \(error)")
            }
        }
        // The sequences must have exercised the paths the properties are about, not only refusals.
        for kind in Step.Kind.allCases where kind != .advance {
            #expect(succeeded[kind, default: 0] >= 25, "only \(succeeded[kind, default: 0]) successful \(kind) calls")
        }
        #expect(forgeriesRefused >= 200, "only \(forgeriesRefused) forged signatures tried")
    }
}

/// A running scenario: the ledger model, the three accounts, and what the test knows about every
/// channel independently of the contract.
struct ChannelsScenario {
    static let window: UInt64 = 20
    let accounts = [Account(1), Account(2), Account(3)]
    let stranger = Account(4)
    var ledger: LedgerModel
    var channels: [Expected] = []
    let initialSupply: UInt64
    /// Coverage: successful calls by kind, and forged signatures presented on live channels.
    var succeeded: [ChannelsPropertyTests.Step.Kind: Int] = [:]
    var forgeriesRefused = 0

    /// What the test expects of one channel, tracked from call outcomes and the rules.
    struct Expected {
        let id: UInt64
        let payer: Account
        let payee: Account
        let expiry: UInt64
        var deposits: UInt64
        var paidToPayee: UInt64 = 0
        var refundedToPayer: UInt64 = 0
        var closingSince: UInt64?
        var settled = false

        func acceptsVouchers(at height: UInt64) -> Bool {
            guard !settled, height < expiry else { return false }
            if let closingSince { return height < closingSince + ChannelsScenario.window }
            return true
        }
    }

    init() throws {
        ledger = try LedgerModel(contract: "channels")
        // Enough that no sequence runs a sender dry (30 steps × 40 000 udvpn at most).
        for account in accounts + [stranger] { ledger.balances[account.address] = 10_000_000 }
        initialSupply = 4 * 10_000_000
    }

    private var chainID: String { ledger.chainID }

    /// The channel a step targets: an index into `channels`, or nil for one that does not exist.
    private func channelIndex(_ step: ChannelsPropertyTests.Step) -> Int? {
        guard !channels.isEmpty, step.target < 5 else { return nil }
        return step.target % channels.count
    }

    private func channelID(_ index: Int?) -> UInt64 {
        index.map { channels[$0].id } ?? UInt64(channels.count + 1)
    }

    /// The sender: `entitled` for 0–3, `other` for 4, a stranger for 5.
    private func sender(_ step: ChannelsPropertyTests.Step, entitled: Account, other: Account) -> Account {
        switch step.sender {
        case 0...3: entitled
        case 4: other
        default: stranger
        }
    }

    /// A signature over (domain, chain, channel, amount), correct or forged according to `variant`.
    private func signature(
        variant: Int, domain: SigningDomain, wrongDomain: SigningDomain, signer: Account, forger: Account,
        id: UInt64, amount: UInt64
    ) -> (bytes: [UInt8], genuine: Bool) {
        func sign(_ account: Account, _ domain: SigningDomain, chain: String, channel: UInt64) -> [UInt8] {
            account.sign(ChannelsABI.message(domain, chainID: chain, channel: channel, amount: amount))
        }
        switch variant {
        case 0...4: return (sign(signer, domain, chain: chainID, channel: id), true)
        case 5: return (sign(forger, domain, chain: chainID, channel: id), false)
        case 6: return (sign(signer, domain, chain: chainID, channel: id &+ 1), false)
        case 7: return (sign(signer, domain, chain: "dvpn-other-1", channel: id), false)
        case 8: return (sign(signer, wrongDomain, chain: chainID, channel: id), false)
        default: return ([UInt8](repeating: UInt8(truncatingIfNeeded: amount), count: 64), false)
        }
    }

    mutating func run(_ step: ChannelsPropertyTests.Step) throws {
        let height = ledger.height
        switch step.kind {
        case .advance:
            ledger.height += step.amount % 61
            return
        default:
            break
        }
        let outcome = try apply(step, at: height)
        if outcome?.succeeded == true { succeeded[step.kind, default: 0] += 1 }
        try checkInvariants()
    }

    /// Runs one call and checks its outcome against the rules; returns the outcome.
    private mutating func apply(_ step: ChannelsPropertyTests.Step, at height: UInt64) throws -> CallOutcome? {
        switch step.kind {
        case .advance:
            return nil
        case .open:
            let payer = accounts[step.sender % 3]
            let payee = step.target < 4 ? accounts[step.target % 3] : stranger
            let deposit = step.amount % 40_000
            let expiry = height + UInt64(step.variant) * 5
            let outcome = ledger.call(
                "open", ChannelsABI.open(payee: payee.address, expiry: expiry, clientTunnelKey: [UInt8](repeating: 9, count: 32)),
                from: payer.address, attaching: deposit)
            let allowed = deposit > 0 && expiry > height && payer.address != payee.address
            try checkOutcome(outcome, allowed: allowed, "open")
            if allowed {
                try check(outcome?.transfers.isEmpty == true, "open pays nothing out")
                channels.append(Expected(id: UInt64(channels.count + 1), payer: payer, payee: payee, expiry: expiry, deposits: deposit))
                try check(outcome?.status == .success(returnData: ChannelsABI.channel(UInt64(channels.count))), "ids are sequential")
            }
            return outcome
        case .topUp:
            let index = channelIndex(step)
            let channel = index.map { channels[$0] }
            let payer = channel?.payer ?? accounts[0]
            let from = sender(step, entitled: payer, other: channel?.payee ?? accounts[1])
            let funds = step.amount % 20_000
            let outcome = ledger.call("topUp", ChannelsABI.channel(channelID(index)), from: from.address, attaching: funds)
            let allowed = channel.map {
                from.address == $0.payer.address && !$0.settled && $0.closingSince == nil && height < $0.expiry && funds > 0
            } ?? false
            try checkOutcome(outcome, allowed: allowed, "topUp")
            if allowed, let index { channels[index].deposits += funds }
            return outcome
        case .redeem:
            let index = channelIndex(step)
            let channel = index.map { channels[$0] }
            let id = channelID(index)
            let payee = channel?.payee ?? accounts[1]
            let from = sender(step, entitled: payee, other: channel?.payer ?? accounts[0])
            let (signature, genuine) = signature(
                variant: step.variant, domain: .voucher, wrongDomain: .channelClose, signer: channel?.payer ?? accounts[0],
                forger: channel?.payee ?? accounts[2], id: id, amount: step.amount)
            // Checked equal to the contract's total after the previous redeem.
            let before = index.map { channels[$0].paidToPayee } ?? 0
            let outcome = ledger.call("redeem", ChannelsABI.signedAmount(id, step.amount, signature), from: from.address)
            let payable = channel.map { min(step.amount, $0.deposits) } ?? 0
            let allowed = channel.map {
                genuine && from.address == $0.payee.address && $0.acceptsVouchers(at: height) && payable > $0.paidToPayee
            } ?? false
            try checkOutcome(outcome, allowed: allowed, "redeem", forged: !genuine, onChannel: channel != nil)
            if allowed, let index, let channel {
                try check(
                    outcome?.transfers == [ContractTransfer(to: channel.payee.address, amount: payable - channel.paidToPayee)],
                    "redeem pays the difference")
                channels[index].paidToPayee = payable
            }
            if let index {
                let after = try redeemedTotal(channels[index].id)
                try check(after >= before, "the redeemed total went down from \(before) to \(after)")
                try check(after == channels[index].paidToPayee, "redeemed total and payments disagree")
            }
            return outcome
        case .close:
            let index = channelIndex(step)
            let channel = index.map { channels[$0] }
            let from = sender(step, entitled: channel?.payer ?? accounts[0], other: channel?.payee ?? accounts[1])
            let outcome = ledger.call("close", ChannelsABI.channel(channelID(index)), from: from.address)
            let allowed = channel.map { from.address == $0.payer.address && !$0.settled && $0.closingSince == nil } ?? false
            try checkOutcome(outcome, allowed: allowed, "close")
            try check(outcome?.transfers.isEmpty != false, "close pays nothing")
            if allowed, let index { channels[index].closingSince = height }
            return outcome
        case .closeCooperative:
            let index = channelIndex(step)
            let channel = index.map { channels[$0] }
            let id = channelID(index)
            let from = sender(step, entitled: channel?.payer ?? accounts[0], other: channel?.payee ?? accounts[1])
            let amount = step.amount % ((channel?.deposits ?? 0) + 2)
            let (signature, genuine) = signature(
                variant: step.variant, domain: .channelClose, wrongDomain: .voucher, signer: channel?.payee ?? accounts[1],
                forger: channel?.payer ?? accounts[0], id: id, amount: amount)
            let outcome = ledger.call("closeCooperative", ChannelsABI.signedAmount(id, amount, signature), from: from.address)
            let allowed = channel.map {
                genuine && from.address == $0.payer.address && !$0.settled && amount >= $0.paidToPayee && amount <= $0.deposits
            } ?? false
            try checkOutcome(outcome, allowed: allowed, "closeCooperative", forged: !genuine, onChannel: channel != nil)
            if allowed, let index, let channel {
                var expected: [ContractTransfer] = []
                if amount > channel.paidToPayee {
                    expected.append(ContractTransfer(to: channel.payee.address, amount: amount - channel.paidToPayee))
                }
                if channel.deposits > amount {
                    expected.append(ContractTransfer(to: channel.payer.address, amount: channel.deposits - amount))
                }
                try check(outcome?.transfers == expected, "cooperative close pays both sides")
                channels[index].paidToPayee = amount
                channels[index].refundedToPayer = channel.deposits - amount
                channels[index].settled = true
            }
            return outcome
        case .reclaim:
            let index = channelIndex(step)
            let channel = index.map { channels[$0] }
            let from = sender(step, entitled: channel?.payer ?? accounts[0], other: channel?.payee ?? accounts[1])
            let outcome = ledger.call("reclaim", ChannelsABI.channel(channelID(index)), from: from.address)
            let allowed = channel.map { from.address == $0.payer.address && !$0.settled && !$0.acceptsVouchers(at: height) } ?? false
            try checkOutcome(outcome, allowed: allowed, "reclaim")
            if outcome?.succeeded == true, let channel {
                let windowOver = channel.closingSince.map { height >= $0 + Self.window } ?? false
                try check(height >= channel.expiry || windowOver, "reclaimed before the window or expiry")
            }
            if allowed, let index, let channel {
                let refund = channel.deposits - channel.paidToPayee
                try check(
                    outcome?.transfers == (refund > 0 ? [ContractTransfer(to: channel.payer.address, amount: refund)] : []),
                    "reclaim refunds the rest")
                channels[index].refundedToPayer = refund
                channels[index].settled = true
            }
            return outcome
        }
    }

    /// The redeemed total the contract reports for a channel.
    private mutating func redeemedTotal(_ id: UInt64) throws -> UInt64 {
        guard let record = try ledger.channel(id) else { throw ScenarioError("channel \(id) cannot be read") }
        return record.redeemed
    }

    /// Money is conserved, the payee never gets more than the deposits, and the contract holds
    /// exactly what is still owed on unsettled channels.
    private func checkInvariants() throws {
        let held = ledger.balances.values.reduce(0, +) + ledger.contractBalance
        try check(held == initialSupply, "money was created or destroyed: \(held) vs \(initialSupply)")
        var escrow: UInt64 = 0
        for channel in channels {
            try check(channel.paidToPayee <= channel.deposits, "channel \(channel.id) paid the payee more than the deposits")
            if channel.settled {
                try check(channel.paidToPayee + channel.refundedToPayer == channel.deposits, "settled channel \(channel.id) does not add up")
            } else {
                try check(channel.refundedToPayer == 0, "channel \(channel.id) refunded before settling")
                escrow += channel.deposits - channel.paidToPayee
            }
        }
        try check(ledger.contractBalance == escrow, "contract holds \(ledger.contractBalance), owes \(escrow)")
    }

    /// Ends the scenario: after every expiry, each payer reclaims; then every channel must be
    /// settled with payee + payer = deposits, and the contract must be empty.
    mutating func settleEverything() throws {
        ledger.height += 1_000
        for index in channels.indices where !channels[index].settled {
            let channel = channels[index]
            let outcome = ledger.call("reclaim", ChannelsABI.channel(channel.id), from: channel.payer.address)
            try check(outcome?.succeeded == true, "final reclaim of \(channel.id) failed: \(String(describing: outcome?.status))")
            channels[index].refundedToPayer = channel.deposits - channel.paidToPayee
            channels[index].settled = true
        }
        try checkInvariants()
        try check(ledger.contractBalance == 0, "the contract kept \(ledger.contractBalance) udvpn")
        for channel in channels {
            let record = try ledger.channel(channel.id)
            try check(record?.status == .settled && record?.redeemed == channel.paidToPayee, "record of \(channel.id) disagrees")
        }
    }

    /// The call succeeded exactly when the rules allow it; a forged signature never moved money.
    private mutating func checkOutcome(
        _ outcome: CallOutcome?, allowed: Bool, _ method: String, forged: Bool = false, onChannel: Bool = false
    ) throws {
        try check(outcome?.succeeded == allowed, "\(method) allowed=\(allowed) got \(String(describing: outcome?.status))")
        if forged {
            try check(outcome?.transfers.isEmpty != false, "a forged signature made \(method) pay")
            if onChannel { forgeriesRefused += 1 }
        }
    }

    private func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ScenarioError(message()) }
    }
}

struct ScenarioError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
