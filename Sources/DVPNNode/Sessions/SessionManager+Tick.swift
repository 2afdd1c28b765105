import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Logging

/// The session manager's clock-driven half: every tick it reads the exit's counters and the
/// ledger height, lets each session's `PayeeSession` decide (forwarding limit, cut-off,
/// redemption), and carries the decisions out.
extension SessionManager {
    /// One look at everything (called by `SessionService` every `tickInterval`).
    func tick() async {
        let now = clock()
        do {
            let status = try await ledger.status()
            height = max(height, status.latestHeight)
        } catch {
            logger.warning("sessions: cannot read the ledger status: \(error.reason)")
        }
        let counters = await dataPlane.counters()
        if now.milliseconds(since: lastChannelRefresh) >= configuration.channelRefreshMilliseconds {
            lastChannelRefresh = now
            await refreshChannels(now: now)
        }
        for session in Array(sessions.values) {
            if session.isServing, let traffic = counters[session.clientKey] {
                metrics.traffic(traffic.bytes &- min(traffic.bytes, session.bytes))
                session.bytes = max(session.bytes, traffic.bytes)
                noteHolding(session, heldPackets: traffic.heldPackets, now: now)
                if let cap = configuration.sessionByteCap, session.bytes >= cap { session.payee.cutOff(.bandwidthCap) }
                if now.milliseconds(since: session.storedBytesAt) >= 2_000 {
                    session.storedBytesAt = now
                    try? store.updateSessionBytes(session.id, bytes: session.bytes)
                }
            }
            await apply(session.payee.tick(bytes: session.bytes, now: now, height: height), to: session, now: now)
            await followRedemption(of: session, now: now)
            forgetIfSettled(session, now: now)
        }
        metrics.gauges(activeSessions: servingCount, peers: counters.count, height: height)
    }

    /// Carries out what a session's rules decided.
    func apply(_ actions: [PayeeSession.Action], to session: ActiveSession, now: PaymentInstant) async {
        for action in actions {
            switch action {
            case .serve(let untilBytes):
                guard !session.finished else { continue }
                if session.limit != untilBytes {
                    session.limit = untilBytes
                    await dataPlane.setByteLimit(untilBytes, for: session.clientKey)
                }
            case .cutOff:
                await finish(session, now: now)
            case .redeem(let voucher):
                await redeem(voucher, for: session, now: now)
            }
        }
    }

    /// A session the exit holds at its limit (packets held back) without a new voucher for
    /// `unpaidHoldMilliseconds` stopped paying: cut off as `unpaid`. Its loss is at most the
    /// one step it was served ahead.
    private func noteHolding(_ session: ActiveSession, heldPackets: UInt64, now: PaymentInstant) {
        defer { session.heldPackets = heldPackets }
        // Before the first voucher the grace period decides (`noFirstVoucher`).
        guard session.payee.paidThisSession else { return }
        let atLimit = heldPackets > session.heldPackets || (session.limit.map { session.bytes >= $0 } ?? false)
        guard atLimit else { return }
        let since = session.heldSince ?? now
        session.heldSince = since
        if now.milliseconds(since: since) >= configuration.unpaidHoldMilliseconds { session.payee.cutOff(.unpaid) }
    }

    /// Re-reads each session's channel (top-ups, a payer closing, redemptions by anyone).
    private func refreshChannels(now: PaymentInstant) async {
        for session in Array(sessions.values) {
            guard let record = try? await ledger.channelRecord(id: session.channel) else { continue }
            session.payee.channelUpdated(record)
            try? store.updateChannel(session.channel, record: record, now: now.milliseconds)
        }
    }

    /// Drops a finished session once nothing is left to collect on it: its channel is settled or
    /// expired, or everything it holds is redeemed and it ended a minute ago (late vouchers).
    private func forgetIfSettled(_ session: ActiveSession, now: PaymentInstant) {
        guard session.finished, session.redemptionHash == nil else { return }
        let channel = session.payee.channel
        let done =
            channel.status == 2 || height >= channel.expiry
            || (session.payee.accepted <= session.payee.redeemed
                && now.milliseconds(since: session.finishedAt ?? now) >= 60_000)
        guard done else { return }
        sessions[session.id] = nil
        if byChannel[session.channel] == session.id { byChannel[session.channel] = nil }
    }

    // MARK: Redemption

    /// Submits `channels.redeem` with the best voucher (one at a time per session; a failure is
    /// retried after 5 s). The contract pays only the difference to what was redeemed, so a
    /// redemption repeated for any reason never pays twice.
    func redeem(_ voucher: Voucher, for session: ActiveSession, now: PaymentInstant) async {
        guard session.redemptionHash == nil, now >= session.retryRedemptionAfter else {
            if session.redemptionHash == nil { session.payee.redemptionFailed() }
            return
        }
        switch await submit(ChannelsContract.redeem(voucher)) {
        case .success(let hash):
            session.redemptionHash = hash
            session.redemptionAmount = voucher.cumulative
            try? store.recordRedemption(OperatorStore.RedemptionRow(
                transaction: hash, channel: voucher.channel, amount: voucher.cumulative.udvpn, submittedAt: now.milliseconds,
                status: "pending"))
            logger.info("redeeming", metadata: ["channel": "\(voucher.channel)", "amount": "\(voucher.cumulative)", "tx": "\(hash)"])
        case .failure(let error):
            session.payee.redemptionFailed()
            session.retryRedemptionAfter = now.advanced(byMilliseconds: 5_000)
            metrics.redemption(committed: false, amount: .zero)
            logger.warning("cannot redeem channel \(voucher.channel): \(error.reason)")
        }
    }

    /// Follows a redemption in flight until it is committed (or lost).
    private func followRedemption(of session: ActiveSession, now: PaymentInstant) async {
        guard let hash = session.redemptionHash, let status = try? await ledger.transactionStatus(hash: hash) else { return }
        switch status.status {
        case .pending:
            return
        case .committed where status.receipt?.success ?? false:
            session.redemptionHash = nil
            let before = session.payee.redeemed
            if let record = try? await ledger.channelRecord(id: session.channel) {
                session.payee.channelUpdated(record)
                try? store.updateChannel(session.channel, record: record, now: now.milliseconds)
            }
            session.payee.redeemed(upTo: max(session.payee.redeemed, min(session.redemptionAmount, session.payee.deposit)))
            try? store.setRedemptionStatus(hash, "committed")
            metrics.redemption(
                committed: true, amount: Amount(udvpn: session.payee.redeemed.udvpn - min(before.udvpn, session.payee.redeemed.udvpn)))
            logger.info("redeemed", metadata: ["channel": "\(session.channel)", "redeemed": "\(session.payee.redeemed)"])
        case .committed, .unknown:
            session.redemptionHash = nil
            session.payee.redemptionFailed()
            session.retryRedemptionAfter = now.advanced(byMilliseconds: 5_000)
            try? store.setRedemptionStatus(hash, "failed")
            metrics.redemption(committed: false, amount: .zero)
            logger.warning(
                "redemption failed: \(status.receipt?.error ?? "the transaction was lost")", metadata: ["channel": "\(session.channel)"])
        }
    }

    /// Signs and offers one contract call from the operator's account.
    func submit(_ call: ContractCall) async -> Result<String, NodeError> {
        do throws(NodeError) {
            let chain = try await ledger.status()
            let account = try await ledger.account(identity.address)
            let (product, overflow) = chain.minimumFee.multipliedReportingOverflow(by: configuration.feeMultiplier)
            let transaction: Transaction
            do throws(LedgerError) {
                transaction = try DVPNLedger.TransactionBody(
                    chainID: chainID, sender: identity.ledgerKey.publicKey, nonce: account?.pendingNonce ?? 0,
                    fee: Amount(udvpn: overflow ? .max : product), payload: .contractCall(call)
                ).signed(with: identity.ledgerKey)
            } catch {
                return .failure(NodeError(.configuration, "cannot sign: \(error.reason)"))
            }
            switch try await ledger.submitTransaction(transaction.canonicalBytes) {
            case .accepted(let hash): return .success(hash)
            case .rejected(let reason), .malformed(let reason): return .failure(NodeError(.rejected, reason))
            }
        } catch {
            return .failure(error)
        }
    }

    // MARK: Start and stop

    /// After a restart: sessions the previous run left open are recorded as ended, and every
    /// channel with vouchers not yet redeemed is watched again, so it is redeemed before expiry.
    func restore() async {
        let now = clock()
        do {
            try store.endAbandonedSessions(at: now.milliseconds)
            for row in try store.unsettledChannels() {
                guard let best = row.best, let record = try? await ledger.channelRecord(id: row.channel) else { continue }
                var payee = PayeeSession(
                    configuration: PayeeSession.Configuration(
                        chainID: chainID, channel: row.channel, payer: row.payer, price: configuration.price,
                        schedule: configuration.schedule, redemptionThreshold: configuration.redemptionThreshold),
                    channel: record, best: best, startedAt: now)
                payee.cutOff(.operatorShutdown)
                let key = (try? X25519.PublicKey(rawRepresentation: record.clientTunnelKey)) ?? identity.tunnelKey.publicKey
                let session = ActiveSession(
                    id: SecureRandom.bytes(count: SessionWire.sessionIDByteCount), channel: row.channel, payer: row.payer,
                    clientKey: key, addressIndex: nil, ipv4: pool.gateway.ipv4, ipv6: pool.gateway.ipv6, payee: payee)
                session.finished = true
                session.finishedAt = now
                sessions[session.id] = session
                byChannel[row.channel] = session.id
                logger.info(
                    "watching channel \(row.channel) to redeem \(payee.accepted) (redeemed \(payee.redeemed))")
            }
            // A redemption the previous run submitted is followed, not repeated.
            for redemption in try store.redemptions() where redemption.status == "pending" {
                guard let id = byChannel[redemption.channel], let session = sessions[id], session.redemptionHash == nil else {
                    try store.setRedemptionStatus(redemption.transaction, "abandoned")
                    continue
                }
                session.redemptionHash = redemption.transaction
                session.redemptionAmount = Amount(udvpn: redemption.amount)
            }
        } catch {
            logger.error("cannot restore the operator's sessions: \(error.reason)")
        }
    }

    /// Graceful shutdown: every serving session is cut off (`operatorShutdown`) and its peer
    /// removed; whatever is held and not redeemed is offered for redemption now.
    func shutdown() async {
        let now = clock()
        for session in Array(sessions.values) {
            if session.isServing { session.payee.cutOff(.operatorShutdown) }
            await finish(session, now: now)
            let payee = session.payee
            if session.redemptionHash == nil, let best = payee.best, payee.accepted > payee.redeemed,
                height < payee.channel.expiry, payee.channel.status != 2
            {
                session.retryRedemptionAfter = .zero
                await redeem(best, for: session, now: now)
            }
        }
    }
}
