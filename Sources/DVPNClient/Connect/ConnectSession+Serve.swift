import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation

extension ConnectSession {
    /// How often the loop reads the tunnel's counters and feeds the payer (the payer wants at
    /// least one update a second; 100 ms lets the first small steps keep up with a fast link).
    static let tickMilliseconds: UInt64 = 100
    /// How often the operator's API is asked whether it is alive when no voucher went out.
    static let probeMilliseconds: UInt64 = 1_000

    /// The payment loop of one session: meter, sign, submit, read receipts, top up, watch for
    /// silence, publish the status; until stopped, cut off or failed over.
    func serve(
        link: SessionLink, tunnel: TunnelLink, payer: inout PayerSession, book: inout ChannelBook, stop: StopSignal,
        summary: inout ConnectSummary
    ) async throws(ClientError) -> Ending {
        let started = WallClock.monotonicMilliseconds()
        let since = WallClock.unixMilliseconds()
        var monitor = FailoverMonitor(startedAt: started, silenceMilliseconds: configuration.failoverSilenceMilliseconds)
        var lastProbe = started
        var lastStatus = started
        var lastStatusBytes: UInt64 = 0
        let bytesBefore = summary.bytes
        var bytes: UInt64 = 0
        var lastVoucher: Voucher?
        let topUp = TopUpResult()
        // A top-up in flight when the loop ends is left to finish on its own (its requests time
        // out), not cancelled: cancelling a task inside an URLSession request can deadlock
        // FoundationNetworking on Linux (seen in dvpn-bench consensus), and a top-up that lands
        // after the loop is harmless (refunded by the close, or refused on a settled channel).
        var first = true

        while true {
            let now = WallClock.monotonicMilliseconds()
            let counters = try tunnel.counters()
            bytes = counters.bytes
            summary.bytes = bytesBefore &+ bytes
            if stop.isStopped {
                // The last reading counts: the final voucher and `SessionEnd.used` cover it.
                payer.finish(bytes: bytes, now: PaymentInstant(milliseconds: now))
                return .stopped
            }
            monitor.tunnel(rxBytes: counters.rxBytes, txBytes: counters.txBytes, handshakeCompleted: counters.lastHandshakeSeconds > 0, at: now)

            if let result = topUp.take() {
                switch result {
                case .success(let deposit):
                    let added = AmountMath.subtract(Amount(udvpn: deposit), payer.deposit)
                    payer.depositChanged(to: Amount(udvpn: deposit))
                    report(.toppedUp(channel: link.channel, amount: added, deposit: Amount(udvpn: deposit)))
                case .failure(let error):
                    payer.topUpFailed()
                    report(.warning("top-up of channel \(link.channel) failed: \(error.reason)"))
                }
            }

            var replied = false
            for action in payer.update(bytes: bytes, now: PaymentInstant(milliseconds: now)) {
                switch action {
                case .signVoucher(let amount):
                    book.recordSigned(amount, channel: link.channel, payee: link.candidate.address.string)
                    try book.save(dataDirectory: configuration.dataDirectory)
                    let voucher: Voucher
                    do {
                        voucher = try Voucher(chainID: ledger.chainID, channel: link.channel, cumulative: amount, payerKey: ledger.identity.ledgerKey)
                    } catch {
                        throw ClientError(.session, "cannot sign a voucher: \(error.reason)")
                    }
                    lastVoucher = voucher
                    if let ending = await submit(voucher, link: link, payer: &payer, monitor: &monitor) { return ending }
                    replied = true
                case .resendVoucher:
                    if let voucher = lastVoucher, let ending = await submit(voucher, link: link, payer: &payer, monitor: &monitor) {
                        return ending
                    }
                    replied = true
                case .topUp(let amount):
                    let ledger = self.ledger
                    let channel = link.channel
                    // Unstructured: the top-up waits for a block while the loop keeps paying;
                    // it only hands its result back through `topUp`.
                    _ = Task {
                        do {
                            _ = try await ledger.submit(ChannelsContract.topUp(channel: channel, amount: amount), what: "topping up channel \(channel)")
                            let record = try await ledger.channelRecord(channel)
                            topUp.set(.success(record?.deposit ?? 0))
                        } catch {
                            topUp.set(.failure(error as? ClientError ?? ClientError(.session, "\(error)")))
                        }
                    }
                case .stop(let reason):
                    if case .cutOff(let cut) = reason { return .cutOff(cut.summary, cut) }
                    return .cutOff(reason.description, .clientEnded)
                }
            }

            if !replied, now - lastProbe >= Self.probeMilliseconds {
                lastProbe = now
                if (try? await link.api.status()) != nil { monitor.replied(at: WallClock.monotonicMilliseconds()) }
            } else if replied {
                lastProbe = now
            }
            if case .failover(let reason) = monitor.check(now: WallClock.monotonicMilliseconds()) { return .failover(reason) }

            if first || now - lastStatus >= configuration.statusIntervalMilliseconds {
                let interval = max(1, now - lastStatus)
                let rate = first ? 0 : (bytes &- lastStatusBytes) &* 1_000 / interval
                lastStatus = now
                lastStatusBytes = bytes
                let status = ConnectStatus(
                    pid: getpid(), state: "connected", node: link.candidate.address.string, country: link.candidate.terms.country,
                    pricePerGiB: link.grant.price.perGiB.dvpnString,
                    pricePerHour: link.grant.price.perHour == .zero ? nil : link.grant.price.perHour.dvpnString,
                    channel: link.channel, interface: tunnel.interface, bytes: summary.bytes,
                    spentUdvpn: AmountMath.subtract(payer.signed, link.baseline).udvpn, bytesPerSecond: rate,
                    since: since, updated: WallClock.unixMilliseconds())
                do { try StatusFile.write(status, dataDirectory: configuration.dataDirectory) } catch {
                    report(.warning(error.reason))
                }
                report(first ? .connected(status) : .status(status))
                first = false
            }
            do { try await Task.sleep(for: .milliseconds(Self.tickMilliseconds)) } catch { return .stopped }
        }
    }

    /// Sends one voucher; a cut-off in the receipt ends the session. A receipt not signed by the
    /// operator for this session counts as no reply.
    func submit(_ voucher: Voucher, link: SessionLink, payer: inout PayerSession, monitor: inout FailoverMonitor) async -> Ending? {
        let receipt: VoucherReceipt
        do {
            receipt = try await link.api.submitVoucher(VoucherSubmission(sessionID: link.grant.sessionID, voucher: voucher))
        } catch {
            logger.debug("voucher for \(voucher.cumulative) not delivered: \(error.reason)")
            return nil
        }
        guard receipt.sessionID == link.grant.sessionID, receipt.channel == link.channel,
            receipt.isSigned(by: link.candidate.owner, chainID: ledger.chainID)
        else {
            report(.warning("the operator sent a voucher receipt it did not sign; ignored"))
            return nil
        }
        monitor.replied(at: WallClock.monotonicMilliseconds())
        var cutOff: CutOffReason?
        if case .cutOff(let reason) = receipt.outcome { cutOff = reason }
        if case .refused(let refusal) = receipt.outcome { logger.debug("voucher refused: \(refusal)") }
        for action in payer.receipt(accepted: receipt.accepted, cutOff: cutOff) {
            if case .stop(.cutOff(let reason)) = action { return .cutOff(reason.summary, reason) }
        }
        return nil
    }
}
