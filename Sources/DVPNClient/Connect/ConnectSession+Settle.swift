import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments

extension ConnectSession {
    /// The clean end (issue 8 item 6): the final voucher inside a `SessionEnd`, the operator's
    /// `CloseCoSignature`, and `closeCooperative` on the ledger, so the operator is paid and this
    /// client refunded in one transaction. When the operator does not co-sign, the channel is
    /// remembered as abandoned and closed unilaterally (`settleAbandoned`).
    func settle(link: SessionLink, payer: PayerSession, reason: CutOffReason, book: inout ChannelBook, summary: inout ConnectSummary) async {
        do {
            let coSignature = try await endSession(link: link, payer: payer, reason: reason, book: &book)
            let committed = try await ledger.submit(coSignature.closeCall, what: "settling channel \(link.channel)")
            summary.paid &+= LedgerAccess.payouts(committed.receipt, to: link.candidate.address)
            summary.refunded &+= LedgerAccess.payouts(committed.receipt, to: ledger.identity.address)
            book.remove(link.channel)
            try? book.save(dataDirectory: configuration.dataDirectory)
        } catch {
            report(.warning("channel \(link.channel) is not settled: \(error); it will be closed and reclaimed"))
            try? abandon(link, book: &book, summary: &summary)
        }
    }

    /// The end with `--keep-channel`: the final voucher inside a `SessionEnd` as in `settle`, but
    /// the cooperative close is not submitted, so the channel stays open and the next connect to
    /// this operator reuses it (`ChannelReuse`) without a transaction. The operator holds the final
    /// voucher like any other and redeems it past its threshold or before expiry (docs/operator.md).
    /// When the operator does not answer, the channel is abandoned as in `settle`: a kept channel
    /// must be one the operator has ended the session on.
    func keep(link: SessionLink, payer: PayerSession, book: inout ChannelBook, summary: inout ConnectSummary) async {
        do {
            _ = try await endSession(link: link, payer: payer, reason: .clientEnded, book: &book)
            summary.keptChannels.append(link.channel)
            let left = AmountMath.subtract(payer.deposit, book.signed(link.channel))
            report(.channelSettling(channel: link.channel, what: "kept open for the next connect (\(left.dvpnString) DVPN left)"))
        } catch {
            report(.warning("channel \(link.channel) cannot be kept: \(error); it will be closed and reclaimed"))
            try? abandon(link, book: &book, summary: &summary)
        }
    }

    /// Gives the session's channel up: remembered as abandoned in the book (closed and reclaimed
    /// by `settleAbandoned`, now or in a later connect) and named in the summary. Throws when the
    /// book cannot be written; the entry is in the summary either way.
    func abandon(_ link: SessionLink, book: inout ChannelBook, summary: inout ConnectSummary) throws(ClientError) {
        book.markAbandoned(link.channel, payee: link.candidate.address.string, at: WallClock.unixMilliseconds())
        summary.abandonedChannels.append(link.channel)
        try book.save(dataDirectory: configuration.dataDirectory)
    }

    /// Ends the session with the operator: records and signs the final voucher (what was used, at
    /// most the limit), sends it inside a signed `SessionEnd` with the client's own count (`used`),
    /// and checks the operator's close co-signature (its channel, an amount no higher than the
    /// final voucher, its signature). The operator co-signs what was used, so the step paid ahead
    /// is refunded by the close.
    private func endSession(
        link: SessionLink, payer: PayerSession, reason: CutOffReason, book: inout ChannelBook
    ) async throws(ClientError) -> CloseCoSignature {
        let final = max(payer.signed, min(payer.owed, payer.limit))
        var voucher: Voucher?
        if final > link.baseline {
            book.recordSigned(final, channel: link.channel, payee: link.candidate.address.string)
            try? book.save(dataDirectory: configuration.dataDirectory)
            voucher = try? Voucher(chainID: ledger.chainID, channel: link.channel, cumulative: final, payerKey: ledger.identity.ledgerKey)
        }
        let end: SessionEnd
        do {
            end = try SessionEnd(
                chainID: ledger.chainID, sessionID: link.grant.sessionID, channel: link.channel, reason: reason,
                finalVoucher: voucher, used: min(payer.used, final),
                timestamp: PaymentInstant(milliseconds: WallClock.unixMilliseconds()),
                payerKey: ledger.identity.ledgerKey)
        } catch {
            throw ClientError(.session, "cannot sign the session end: \(error.reason)")
        }
        let coSignature: CloseCoSignature
        do { coSignature = try await link.api.endSession(end) } catch {
            throw ClientError(.operatorUnreachable, "the operator did not co-sign the close: \(error.reason)")
        }
        guard coSignature.channel == link.channel, coSignature.amount <= final,
            coSignature.isSigned(by: link.candidate.owner, chainID: ledger.chainID)
        else { throw ClientError(.session, "the operator's close co-signature does not verify or exceeds the final voucher") }
        return coSignature
    }

    /// Channels abandoned earlier (failover, an operator that did not co-sign): an open one is
    /// closed (the contract's settlement window starts), a closing one whose window has passed
    /// is reclaimed, a settled or vanished one is forgotten. Best effort: a failure is a warning
    /// and the channel stays in the book for the next connect (or `dvpn channel reclaim`).
    func settleAbandoned(_ book: inout ChannelBook) async {
        for entry in book.abandoned {
            do {
                let height = try ledger.light.verifiedTip().height
                guard let record = try await ledger.channelRecord(entry.channel), record.status != 2 else {
                    book.remove(entry.channel)
                    continue
                }
                if record.status == 0 {
                    let committed = try await ledger.submit(ChannelsContract.close(channel: entry.channel), what: "closing channel \(entry.channel)")
                    let after = try await ledger.channelRecord(entry.channel)
                    report(.channelSettling(
                        channel: entry.channel,
                        what: "closing in block \(committed.height); reclaim from height \(after?.settleAfter ?? 0)"))
                } else if height >= min(record.settleAfter, record.expiry) {
                    let committed = try await ledger.submit(ChannelsContract.reclaim(channel: entry.channel), what: "reclaiming channel \(entry.channel)")
                    let refunded = LedgerAccess.payouts(committed.receipt, to: ledger.identity.address)
                    report(.channelSettling(channel: entry.channel, what: "reclaimed \(Amount(udvpn: refunded).dvpnString) DVPN in block \(committed.height)"))
                    book.remove(entry.channel)
                }
            } catch {
                report(.warning("channel \(entry.channel): \(error)"))
            }
        }
        try? book.save(dataDirectory: configuration.dataDirectory)
    }
}
