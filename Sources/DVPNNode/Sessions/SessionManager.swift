import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import DVPNTunnel
import Foundation
import Logging

/// The operator's paid sessions (issue 8 items 3–6; docs/operator.md, docs/session-protocol.md):
/// admits session requests, gives each client addresses and a WireGuard peer on the exit, takes
/// vouchers (persisted before they count), meters and cuts off, and settles.
///
/// One actor, so every decision about a session has one writer. The rules are the pure
/// `SessionAdmission` and `PayeeSession`; this type does their I/O: the ledger (`SessionLedger`),
/// the exit's tunnel (`SessionDataPlane`), the operator's SQLite (`OperatorStore`). Nothing a
/// client sends can trap it: undecodable bodies and refusals are values with a reason.
actor SessionManager {
    let configuration: OperatorConfiguration
    let identity: KeyFile.Identity
    let chainID: String
    let ledger: any SessionLedger
    let dataPlane: any SessionDataPlane
    let store: OperatorStore
    let metrics: OperatorMetrics
    let logger: Logger
    /// Unix time in milliseconds (admission compares it with the client's timestamps).
    let clock: @Sendable () -> PaymentInstant

    var admission: SessionAdmission
    var pool: AddressPool
    /// Sessions by id: serving ones, and finished ones still settling.
    var sessions: [[UInt8]: ActiveSession] = [:]
    /// The latest session of each channel.
    var byChannel: [UInt64: [UInt8]] = [:]
    /// The ledger height at the last tick.
    var height: UInt64 = 0
    var lastChannelRefresh: PaymentInstant = .zero

    /// What `open` answers.
    enum OpenOutcome: Sendable {
        case granted(SessionGrant)
        case refused(AdmissionRefusal)
        case failed(NodeError)
    }

    init(
        configuration: OperatorConfiguration, identity: KeyFile.Identity, chainID: String, ledger: any SessionLedger,
        dataPlane: any SessionDataPlane, store: OperatorStore, metrics: OperatorMetrics, logger: Logger,
        clock: @escaping @Sendable () -> PaymentInstant = SessionManager.unixNow
    ) {
        self.configuration = configuration
        self.identity = identity
        self.chainID = chainID
        self.ledger = ledger
        self.dataPlane = dataPlane
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        let pool = AddressPool()
        self.pool = pool
        admission = SessionAdmission(configuration: SessionAdmission.Configuration(
            chainID: chainID, operatorKey: identity.ledgerKey.publicKey, maxSessions: min(configuration.maxSessions, pool.capacity)))
    }

    static let unixNow: @Sendable () -> PaymentInstant = {
        PaymentInstant(milliseconds: UInt64(max(0, Date().timeIntervalSince1970 * 1000)))
    }

    var servingCount: Int { sessions.values.count { $0.isServing } }

    // MARK: Open

    /// `POST /v1/sessions`: a `SessionRequest`'s bytes in, a signed grant or a refusal out.
    func open(_ body: [UInt8]) async -> OpenOutcome {
        let request: SessionRequest
        do {
            request = try SessionRequest(decoding: body)
        } catch {
            return .failed(NodeError(.badRequest, "not a session request: \(error.reason)"))
        }
        let record: ChannelRecord?
        do {
            record = try await ledger.channelRecord(id: request.channel)
            let status = try await ledger.status()
            height = max(height, status.latestHeight)
        } catch {
            return .failed(error)
        }
        let now = clock()
        let held = (try? store.channel(request.channel))?.best?.cumulative ?? .zero
        let decision = admission.admit(
            request, channel: record, held: held, activeSessions: servingCount, now: now, height: height)
        guard case .admitted(let channel) = decision else {
            if case .refused(let refusal) = decision {
                metrics.admissionRefused(refusal)
                logger.info("session refused: \(refusal)", metadata: ["channel": "\(request.channel)"])
                return .refused(refusal)
            }
            return .refused(.busy)
        }
        // A payer asking again on a channel (its grant was lost, or it reconnects), or for the same
        // tunnel key, replaces its earlier session: one peer per key.
        for old in sessions.values where old.channel == request.channel || old.clientKey == request.clientTunnelKey {
            if old.isServing { old.payee.cutOff(.clientEnded) }
            await finish(old, now: now)
            sessions[old.id] = nil
        }
        guard let addresses = pool.allocate() else { return .refused(.maxSessions) }
        do {
            try store.updateChannel(request.channel, record: channel, now: now.milliseconds)
            let best = try store.channel(request.channel)?.best
            let payee = PayeeSession(
                configuration: PayeeSession.Configuration(
                    chainID: chainID, channel: request.channel, payer: request.payer, price: configuration.price,
                    schedule: configuration.schedule, gracePeriodMilliseconds: configuration.gracePeriodMilliseconds,
                    redemptionThreshold: configuration.redemptionThreshold),
                channel: channel, best: best, startedAt: now)
            let id = SecureRandom.bytes(count: SessionWire.sessionIDByteCount)
            var grant = try SessionGrant(
                sessionID: id, channel: request.channel, requestNonce: request.nonce,
                clientTunnelKey: request.clientTunnelKey, operator: identity.ledgerKey.publicKey,
                nodeTunnelKey: identity.tunnelKey.publicKey, endpoint: configuration.endpoint,
                ipv4: addresses.ipv4.bytes, ipv6: addresses.ipv6.bytes, dnsIPv4: configuration.dnsIPv4.bytes,
                dnsIPv6: configuration.dnsIPv6.bytes, mtu: configuration.mtu, price: configuration.price,
                schedule: configuration.schedule, gracePeriodMilliseconds: configuration.gracePeriodMilliseconds)
            try grant.sign(chainID: chainID, operatorKey: identity.ledgerKey)
            let session = ActiveSession(
                id: id, channel: request.channel, payer: request.payer, clientKey: request.clientTunnelKey,
                addressIndex: addresses.index, ipv4: addresses.ipv4, ipv6: addresses.ipv6, payee: payee)
            try store.insertSession(OperatorStore.SessionRow(
                id: id, channel: request.channel, payer: request.payer, clientKey: request.clientTunnelKey,
                ipv4: "\(addresses.ipv4)", ipv6: "\(addresses.ipv6)", startedAt: now.milliseconds, bytes: 0))
            sessions[id] = session
            byChannel[request.channel] = id
            do {
                try await dataPlane.addPeer(
                    request.clientTunnelKey, allowedIPs: [IPPrefix(host: addresses.ipv4), IPPrefix(host: addresses.ipv6)])
            } catch {
                session.payee.cutOff(.operatorShutdown)
                await finish(session, now: now)
                throw error
            }
            await apply(session.payee.tick(bytes: 0, now: now, height: height), to: session, now: now)
            metrics.sessionOpened()
            logger.info(
                "session granted",
                metadata: [
                    "session": "\(Hex.encode(id))", "channel": "\(request.channel)", "ipv4": "\(addresses.ipv4)",
                    "payer": "\(AccountAddress(publicKey: request.payer).string)",
                ])
            return .granted(grant)
        } catch let error as NodeError {
            pool.release(addresses.index)
            return .failed(error)
        } catch {
            pool.release(addresses.index)
            return .failed(NodeError(.configuration, "cannot grant the session: \(error)"))
        }
    }

    // MARK: Vouchers

    /// `POST /v1/sessions/{id}/vouchers`: verifies, persists (before it counts), answers a receipt.
    func submitVoucher(sessionID pathID: String, _ body: [UInt8]) async throws(NodeError) -> VoucherReceipt {
        let submission: VoucherSubmission
        do {
            submission = try VoucherSubmission(decoding: body)
        } catch {
            throw NodeError(.badRequest, "not a voucher submission: \(error.reason)")
        }
        guard Hex.encode(submission.sessionID) == pathID.lowercased() else {
            throw NodeError(.badRequest, "the submission names another session than its path")
        }
        guard let session = sessions[submission.sessionID] else {
            metrics.voucherRefused(.unknownSession)
            return try receipt(
                sessionID: submission.sessionID, channel: submission.voucher.channel, accepted: .zero, limit: .zero,
                outcome: .refused(.unknownSession))
        }
        let refusal = take(submission.voucher, into: session)
        let now = clock()
        if session.isServing {
            await apply(session.payee.tick(bytes: session.bytes, now: now, height: height), to: session, now: now)
        }
        let outcome: VoucherReceipt.Outcome =
            if let reason = session.payee.cutOffReason { .cutOff(reason) } else if let refusal { .refused(refusal) } else { .held }
        return try receipt(
            sessionID: session.id, channel: session.channel, accepted: session.payee.accepted,
            limit: (try? session.payee.servingLimit()) ?? session.payee.accepted, outcome: outcome)
    }

    /// Runs one voucher through the session's rules and the store (`VoucherIntake`), counts and
    /// logs the outcome; nil when it was persisted.
    private func take(_ voucher: Voucher, into session: ActiveSession) -> VoucherRefusal? {
        switch VoucherIntake.take(voucher, into: &session.payee, store: store, now: clock().milliseconds) {
        case .held:
            session.heldSince = nil
            metrics.voucherHeld()
            return nil
        case .refused(let refusal):
            metrics.voucherRefused(refusal)
            logger.debug("voucher refused: \(refusal)", metadata: ["session": "\(Hex.encode(session.id))"])
            return refusal
        case .notPersisted(let error):
            logger.error("cannot persist a voucher: \(error.reason)", metadata: ["channel": "\(voucher.channel)"])
            metrics.voucherRefused(.persistenceBacklog)
            return .persistenceBacklog
        }
    }

    private func receipt(
        sessionID: [UInt8], channel: UInt64, accepted: Amount, limit: Amount, outcome: VoucherReceipt.Outcome
    ) throws(NodeError) -> VoucherReceipt {
        do {
            return try VoucherReceipt(
                chainID: chainID, sessionID: sessionID, channel: channel, accepted: accepted, servingLimit: limit,
                outcome: outcome, operatorKey: identity.ledgerKey)
        } catch {
            throw NodeError(.configuration, "cannot sign a receipt: \(error.reason)")
        }
    }

    // MARK: End

    /// `POST /v1/sessions/{id}/end`: the payer ends its session (with its last voucher and its own
    /// count); the node removes the peer and co-signs the cooperative close for what was used
    /// (`PayeeSession.closeAmount(payerCount:ownBytes:now:)`). Idempotent: the same end again gets
    /// the same co-signature.
    func end(sessionID pathID: String, _ body: [UInt8]) async throws(NodeError) -> CloseCoSignature {
        let end: SessionEnd
        do {
            end = try SessionEnd(decoding: body)
        } catch {
            throw NodeError(.badRequest, "not a session end: \(error.reason)")
        }
        guard Hex.encode(end.sessionID) == pathID.lowercased() else {
            throw NodeError(.badRequest, "the session end names another session than its path")
        }
        guard let session = sessions[end.sessionID] else { throw NodeError(.notFound, "no such session") }
        guard end.channel == session.channel, end.isSigned(by: session.payer, chainID: chainID) else {
            throw NodeError(.refused, "the session end is not signed by the channel's payer")
        }
        if let voucher = end.finalVoucher { _ = take(voucher, into: session) }
        let now = clock()
        if !session.finished, let traffic = await dataPlane.counters()[session.clientKey] {
            // The node's own last count, for the close amount (ticks read it only now and then).
            session.bytes = max(session.bytes, traffic.bytes)
        }
        session.payee.cutOff(.clientEnded)
        await finish(session, now: now)
        // The payer submits the cooperative close; redeem only if it has not within 30 s.
        session.retryRedemptionAfter = max(session.retryRedemptionAfter, now.advanced(byMilliseconds: 30_000))
        // What was used (the larger of both counts), not the step paid ahead; fixed at the first
        // end, so the same end again gets the same co-signature.
        let amount = session.closeAmount ?? session.payee.closeAmount(payerCount: end.used, ownBytes: session.bytes, now: now)
        session.closeAmount = amount
        do {
            return try CloseCoSignature(chainID: chainID, channel: session.channel, amount: amount, payeeKey: identity.ledgerKey)
        } catch {
            throw NodeError(.configuration, "cannot co-sign the close: \(error.reason)")
        }
    }

    // MARK: Ending a session

    /// Removes the peer, releases the addresses and records the end (once).
    func finish(_ session: ActiveSession, now: PaymentInstant) async {
        guard !session.finished else { return }
        session.finished = true
        session.finishedAt = now
        let reason = session.payee.cutOffReason ?? .operatorShutdown
        await dataPlane.removePeer(session.clientKey)
        if let index = session.addressIndex {
            pool.release(index)
            session.addressIndex = nil
        }
        do {
            try store.endSession(session.id, bytes: session.bytes, reason: reason, at: now.milliseconds)
        } catch {
            logger.error("cannot record the end of a session: \(error.reason)")
        }
        metrics.cutOff(reason)
        let level: Logger.Level = reason == .clientEnded ? .info : .notice
        logger.log(
            level: level, "session ended: \(reason)",
            metadata: [
                "session": "\(Hex.encode(session.id))", "channel": "\(session.channel)", "bytes": "\(session.bytes)",
                "accepted": "\(session.payee.accepted)",
            ])
    }
}
