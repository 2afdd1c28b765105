import DVPNContractRuntime
import DVPNCrypto
import DVPNLedger
import Testing

/// The channels contract, scenario by scenario, on the compiled `Contracts/build/channels.wasm`.
@Suite struct ChannelsContractTests {
    let payer = Account(1)
    let payee = Account(2)
    let stranger = Account(3)
    let tunnelKey = [UInt8](repeating: 0x77, count: 32)
    var ledger: LedgerModel

    init() throws {
        ledger = try LedgerModel(contract: "channels")
        ledger.balances = [payer.address: 1_000_000, payee.address: 0, stranger.address: 1_000_000]
    }

    private mutating func open(deposit: UInt64 = 100_000, expiryIn: UInt64 = 100) throws -> UInt64 {
        let outcome = ledger.call(
            "open", ChannelsABI.open(payee: payee.address, expiry: ledger.height + expiryIn, clientTunnelKey: tunnelKey),
            from: payer.address, attaching: deposit)
        guard case .success(let data) = outcome?.status else {
            Issue.record("open failed: \(String(describing: outcome?.status))")
            return 0
        }
        var decoder = CanonicalDecoder(data)
        let id = try decoder.decodeUInt64()
        try decoder.finish()
        return id
    }

    private func voucher(_ id: UInt64, _ amount: UInt64, by signer: Account? = nil, chainID: String? = nil) -> [UInt8] {
        let message = ChannelsABI.message(.voucher, chainID: chainID ?? ledger.chainID, channel: id, amount: amount)
        return ChannelsABI.signedAmount(id, amount, (signer ?? payer).sign(message))
    }

    private mutating func redeem(_ id: UInt64, _ amount: UInt64, by signer: Account? = nil) -> CallOutcome? {
        ledger.call("redeem", voucher(id, amount, by: signer), from: payee.address)
    }

    @Test mutating func openAssignsSequentialIDsAndLocksTheDeposit() throws {
        #expect(try open() == 1)
        #expect(try open(deposit: 5) == 2)
        #expect(ledger.contractBalance == 100_005)
        #expect(ledger.balances[payer.address] == 1_000_000 - 100_005)
        let record = try #require(try ledger.channel(1))
        #expect(record.payer == payer.address && record.payee == payee.address)
        #expect(record.clientTunnelKey == tunnelKey)
        #expect(record.deposit == 100_000 && record.redeemed == 0 && record.status == .open)
        #expect(record.expiry == 101 && record.openedAt == 1)
    }

    @Test mutating func openRefusesBadChannels() {
        let noDeposit = ledger.call(
            "open", ChannelsABI.open(payee: payee.address, expiry: 50, clientTunnelKey: tunnelKey), from: payer.address)
        #expect(noDeposit?.failureCode == .aborted)
        let past = ledger.call(
            "open", ChannelsABI.open(payee: payee.address, expiry: 1, clientTunnelKey: tunnelKey),
            from: payer.address, attaching: 10)
        #expect(past?.failureCode == .aborted)
        let toSelf = ledger.call(
            "open", ChannelsABI.open(payee: payer.address, expiry: 50, clientTunnelKey: tunnelKey),
            from: payer.address, attaching: 10)
        #expect(toSelf?.failureCode == .aborted)
        let truncated = ledger.call("open", Array(ChannelsABI.open(payee: payee.address, expiry: 50, clientTunnelKey: tunnelKey).dropLast()), from: payer.address, attaching: 10)
        #expect(truncated?.failureCode == .aborted)
        #expect(ledger.contractBalance == 0, "nothing was locked by a refused open")
    }

    @Test mutating func redeemPaysTheDifferenceAndNeverGoesBackwards() throws {
        let id = try open()
        #expect(redeem(id, 30_000)?.transfers == [ContractTransfer(to: payee.address, amount: 30_000)])
        #expect(redeem(id, 45_000)?.transfers == [ContractTransfer(to: payee.address, amount: 15_000)])
        #expect(redeem(id, 40_000)?.failureCode == .aborted, "an older voucher is refused")
        #expect(redeem(id, 45_000)?.failureCode == .aborted, "a replayed voucher is refused")
        #expect(ledger.balances[payee.address] == 45_000)
        #expect(try ledger.channel(id)?.redeemed == 45_000)
    }

    @Test mutating func redeemIsCappedAtTheDeposit() throws {
        let id = try open(deposit: 1_000)
        #expect(redeem(id, 5_000)?.transfers == [ContractTransfer(to: payee.address, amount: 1_000)])
        #expect(redeem(id, 6_000)?.failureCode == .aborted)
        #expect(ledger.balances[payee.address] == 1_000)
        // A top-up makes the rest of a larger voucher redeemable.
        #expect(ledger.call("topUp", ChannelsABI.channel(id), from: payer.address, attaching: 500)?.succeeded == true)
        #expect(redeem(id, 6_000)?.transfers == [ContractTransfer(to: payee.address, amount: 500)])
    }

    @Test mutating func forgedVouchersNeverPay() throws {
        let id = try open()
        let other = try open()
        #expect(redeem(id, 10, by: stranger)?.failureCode == .aborted, "signed by someone else")
        #expect(redeem(id, 10, by: payee)?.failureCode == .aborted, "signed by the payee itself")
        let otherChannel = ChannelsABI.message(.voucher, chainID: ledger.chainID, channel: other, amount: 10)
        #expect(ledger.call("redeem", ChannelsABI.signedAmount(id, 10, payer.sign(otherChannel)), from: payee.address)?.failureCode == .aborted)
        #expect(ledger.call("redeem", voucher(id, 10, chainID: "dvpn-other-1"), from: payee.address)?.failureCode == .aborted)
        let closeDomain = ChannelsABI.message(.channelClose, chainID: ledger.chainID, channel: id, amount: 10)
        #expect(ledger.call("redeem", ChannelsABI.signedAmount(id, 10, payer.sign(closeDomain)), from: payee.address)?.failureCode == .aborted)
        #expect(ledger.call("redeem", voucher(id, 10), from: stranger.address)?.failureCode == .aborted, "only the payee redeems")
        #expect(ledger.balances[payee.address] == 0)
    }

    @Test mutating func closeStartsAWindowAfterWhichThePayerReclaims() throws {
        let id = try open(deposit: 10_000, expiryIn: 1_000)
        #expect(redeem(id, 2_000)?.succeeded == true)
        #expect(ledger.call("reclaim", ChannelsABI.channel(id), from: payer.address)?.failureCode == .aborted)
        #expect(ledger.call("close", ChannelsABI.channel(id), from: stranger.address)?.failureCode == .aborted)
        #expect(ledger.call("close", ChannelsABI.channel(id), from: payer.address)?.succeeded == true)
        let record = try #require(try ledger.channel(id))
        #expect(record.status == .closing && record.settleAfter == ledger.height + 20)

        ledger.height += 19
        #expect(ledger.call("reclaim", ChannelsABI.channel(id), from: payer.address)?.failureCode == .aborted, "window still open")
        #expect(redeem(id, 3_000)?.succeeded == true, "the payee can still redeem in the window")
        ledger.height += 1
        #expect(redeem(id, 4_000)?.failureCode == .aborted, "not after the window")
        let reclaim = ledger.call("reclaim", ChannelsABI.channel(id), from: payer.address)
        #expect(reclaim?.transfers == [ContractTransfer(to: payer.address, amount: 7_000)])
        #expect(ledger.call("reclaim", ChannelsABI.channel(id), from: payer.address)?.failureCode == .aborted, "only once")
        #expect(ledger.balances[payee.address]! + 7_000 == 10_000)
        #expect(ledger.contractBalance == 0)
    }

    @Test mutating func reclaimAfterExpiryWithoutClose() throws {
        let id = try open(deposit: 10_000, expiryIn: 10)
        ledger.height += 9
        #expect(ledger.call("reclaim", ChannelsABI.channel(id), from: payer.address)?.failureCode == .aborted)
        #expect(redeem(id, 1_000)?.succeeded == true)
        ledger.height += 1
        #expect(redeem(id, 2_000)?.failureCode == .aborted, "expired channels take no vouchers")
        #expect(ledger.call("reclaim", ChannelsABI.channel(id), from: stranger.address)?.failureCode == .aborted)
        #expect(ledger.call("reclaim", ChannelsABI.channel(id), from: payer.address)?.transfers == [ContractTransfer(to: payer.address, amount: 9_000)])
    }

    @Test mutating func cooperativeCloseSettlesAtOnce() throws {
        let id = try open(deposit: 10_000, expiryIn: 1_000)
        #expect(redeem(id, 2_500)?.succeeded == true)
        let coSigned = { (amount: UInt64, signer: Account) in
            ChannelsABI.signedAmount(id, amount, signer.sign(ChannelsABI.message(.channelClose, chainID: "dvpn-test-1", channel: id, amount: amount)))
        }
        #expect(ledger.call("closeCooperative", coSigned(4_000, payer), from: payer.address)?.failureCode == .aborted, "needs the payee's signature")
        #expect(ledger.call("closeCooperative", coSigned(2_000, payee), from: payer.address)?.failureCode == .aborted, "cannot undo a redeem")
        #expect(ledger.call("closeCooperative", coSigned(10_001, payee), from: payer.address)?.failureCode == .aborted)
        let settled = ledger.call("closeCooperative", coSigned(4_000, payee), from: payer.address)
        #expect(settled?.transfers == [ContractTransfer(to: payee.address, amount: 1_500), ContractTransfer(to: payer.address, amount: 6_000)])
        #expect(try ledger.channel(id)?.status == .settled)
        #expect(redeem(id, 9_000)?.failureCode == .aborted)
        #expect(ledger.contractBalance == 0)
    }

    @Test mutating func methodsThatTakeNoFundsRefuseThem() throws {
        let id = try open()
        #expect(ledger.call("close", ChannelsABI.channel(id), from: payer.address, attaching: 1)?.failureCode == .aborted)
        #expect(ledger.call("redeem", voucher(id, 5), from: payee.address, attaching: 0)?.succeeded == true)
    }

    /// The worked example of Contracts/README.md, "Signed messages".
    @Test func voucherMessageMatchesTheDocumentedExample() {
        let hex = "0000000f6476706e2f766f75636865722f7631" + "0000000d6476706e2d6465766e65742d31"
            + "0000000000000007" + "000000000003d090"
        let expected: [UInt8] = stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        #expect(ChannelsABI.message(.voucher, chainID: "dvpn-devnet-1", channel: 7, amount: 250_000) == expected)
    }

    @Test mutating func eventsDescribeWhatHappened() throws {
        let outcome = ledger.call(
            "open", ChannelsABI.open(payee: payee.address, expiry: 50, clientTunnelKey: tunnelKey),
            from: payer.address, attaching: 10)
        #expect(outcome?.events.map { String(decoding: $0.topic, as: UTF8.self) } == ["channel.open"])
        #expect(redeem(1, 4)?.events.map { String(decoding: $0.topic, as: UTF8.self) } == ["channel.redeem"])
    }
}
