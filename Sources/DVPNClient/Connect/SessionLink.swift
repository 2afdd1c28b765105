import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation

/// One admitted session with one operator: its channel, the verified grant and the operator's
/// session API. `establish` opens or reuses the channel and asks for the session
/// (docs/session-protocol.md); `verify(grant:…)` is the client's check of the grant, pure.
public struct SessionLink: Sendable {
    public let candidate: Candidate
    public let channel: UInt64
    public let deposit: Amount
    /// The highest amount signed on the channel before this session (`PayerSession` baseline).
    public let baseline: Amount
    public let grant: SessionGrant
    public let api: NodeClient
    /// Whether the channel was opened for this session (false: reused, no transaction).
    public let opened: Bool

    /// Reuses a channel to `candidate` naming this tunnel key when one has deposit left
    /// (`ChannelReuse`), else opens one with `deposit`; then sends a `SessionRequest` and checks
    /// the grant. `report` receives the channel event.
    public static func establish(
        with candidate: Candidate, ledger: LedgerAccess, book: ChannelBook, configuration: ConnectConfiguration,
        excludingChannels: Set<UInt64>, report: @Sendable (ConnectEvent) -> Void
    ) async throws(ClientError) -> SessionLink {
        let api: NodeClient
        do { api = try NodeClient(url: candidate.apiURL, requestTimeout: .seconds(3)) } catch {
            throw ClientError(.operatorUnreachable, "the offer of \(candidate.address.string) names an unusable API: \(error.reason)")
        }
        let tunnelKey = ledger.identity.tunnelKey.publicKey
        let (height, channels) = try await ledger.myChannels()
        let channel: UInt64
        let deposit: Amount
        let baseline: Amount
        var opened = false
        if let reuse = ChannelReuse.choose(
            channels: channels, payer: ledger.payer, payee: candidate.owner, tunnelKey: tunnelKey, height: height,
            signed: book.signed, excluding: excludingChannels)
        {
            channel = reuse.channel
            deposit = Amount(udvpn: reuse.record.deposit)
            baseline = reuse.baseline
            report(.channelReused(channel: channel, left: reuse.left))
        } else {
            let deposit_ = min(configuration.deposit, configuration.maxSpend)
            let (expiry, overflow) = height.addingReportingOverflow(configuration.expiryBlocks)
            guard !overflow else { throw ClientError(.badRequest, "the channel expiry overflows") }
            let committed = try await ledger.submit(
                ChannelsContract.open(payee: candidate.owner, expiryHeight: expiry, clientTunnelKey: tunnelKey, deposit: deposit_),
                what: "opening a channel to \(candidate.address.string)")
            do {
                channel = try ChannelsContract.channelID(fromReturnValue: Hex.decode(committed.receipt.returnValue ?? "") ?? [])
            } catch {
                throw ClientError(.session, "channels.open returned no channel id: \(error.reason)")
            }
            deposit = deposit_
            baseline = .zero
            opened = true
            report(.channelOpened(channel: channel, deposit: deposit_, height: committed.height))
            // The node admits only a channel it can read; wait until the light client proves it.
            _ = try await ledger.channelRecord(channel)
        }
        // A channel opened a moment ago may not be in the operator's replica yet: its node
        // refuses (unknown channel) until the block reaches it, so a new channel is asked for
        // a few times, a second apart, each time with a fresh request.
        var attempt = 0
        while true {
            attempt += 1
            let request = try sessionRequest(channel: channel, candidate: candidate, ledger: ledger)
            do {
                let grant = try await api.openSession(request)
                try verify(grant: grant, request: request, candidate: candidate, chainID: ledger.chainID)
                return SessionLink(
                    candidate: candidate, channel: channel, deposit: deposit, baseline: baseline, grant: grant, api: api, opened: opened)
            } catch let error as NodeError {
                if opened, error.code == .refused, attempt < 6 {
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                let verb = error.code == .refused ? "refused the session" : "does not answer"
                throw ClientError(.operatorUnreachable, "the operator \(candidate.address.string) at \(candidate.apiURL) \(verb): \(error.reason)")
            } catch let error as ClientError {
                throw error
            } catch {
                throw ClientError(.session, "\(error)")
            }
        }
    }

    static func sessionRequest(channel: UInt64, candidate: Candidate, ledger: LedgerAccess) throws(ClientError) -> SessionRequest {
        do {
            return try SessionRequest(
                chainID: ledger.chainID, channel: channel, payerKey: ledger.identity.ledgerKey, operator: candidate.owner,
                clientTunnelKey: ledger.identity.tunnelKey.publicKey, nonce: SecureRandom.bytes(count: 16),
                timestamp: PaymentInstant(milliseconds: WallClock.unixMilliseconds()))
        } catch {
            throw ClientError(.session, "cannot sign the session request: \(error.reason)")
        }
    }

    /// The client's checks of a grant (docs/session-protocol.md, `SessionGrant`): signed by the
    /// offer's owner for this chain, answering this request (nonce, channel, tunnel key), the
    /// offer's WireGuard key, and no price above the offer's.
    public static func verify(grant: SessionGrant, request: SessionRequest, candidate: Candidate, chainID: String) throws(ClientError) {
        let who = "the operator \(candidate.address.string)"
        guard grant.operator == candidate.owner, grant.isSigned(chainID: chainID) else {
            throw ClientError(.session, "\(who) sent a session grant that it did not sign")
        }
        guard grant.requestNonce == request.nonce, grant.channel == request.channel,
            grant.clientTunnelKey == request.clientTunnelKey
        else { throw ClientError(.session, "\(who) sent a session grant for another request") }
        guard grant.nodeTunnelKey == candidate.terms.tunnelKey else {
            throw ClientError(.session, "\(who) granted a WireGuard key that is not its offer's")
        }
        let offer = candidate.price
        guard grant.price.perGiB <= offer.perGiB, grant.price.perHour <= offer.perHour else {
            throw ClientError(.session, "\(who) asks \(PriceText.describe(grant.price)), above its offer of \(PriceText.describe(offer))")
        }
    }
}
