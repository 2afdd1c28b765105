import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Logging

/// `dvpn connect` (issue 8 items 8 and 9): selects an offer through the light client, opens or
/// reuses a channel, brings the tunnel up with the grant, pays as bytes flow, fails over when the
/// operator goes silent, and on stop settles cooperatively and puts the system back.
///
/// The flow, one session at a time:
/// 1. proven offers → `OfferSelection` (country, price, fresh) → `OperatorProbe` round trips →
///    `OfferRanking`;
/// 2. `SessionLink.establish` with the best candidate that answers (channel reuse or open,
///    `SessionRequest`, grant checks);
/// 3. `TunnelLink.start` (tunnel, routes, rules, DNS);
/// 4. `serve`: the payment loop (`PayerSession`) and the `FailoverMonitor`;
/// 5. stop → `settle` (final voucher, `SessionEnd`, `closeCooperative`), or with `--keep-channel`
///    `keep` (final voucher, `SessionEnd`, the channel left open for reuse); failover → the next
///    candidate from step 2, the old channel remembered in `ChannelBook` and reclaimed later.
public struct ConnectSession: Sendable {
    public let configuration: ConnectConfiguration
    public let ledger: LedgerAccess
    let logger: Logger
    let report: @Sendable (ConnectEvent) -> Void

    public init(configuration: ConnectConfiguration, ledger: LedgerAccess, logger: Logger,
                report: @escaping @Sendable (ConnectEvent) -> Void) {
        self.configuration = configuration
        self.ledger = ledger
        self.logger = logger
        self.report = report
    }

    /// How a session ended.
    enum Ending {
        /// The user stopped (SIGINT, SIGTERM).
        case stopped
        /// The node cut the session off, or the payer reached its limit.
        case cutOff(String, CutOffReason)
        /// The node stopped answering.
        case failover(String)
    }

    /// Runs until `stop` or a cut-off; the summary of what was used, paid and refunded.
    public func run(stop: StopSignal) async throws(ClientError) -> ConnectSummary {
        let resolver = configuration.resolvConf.map { ResolverConfiguration(path: $0, dataDirectory: configuration.dataDirectory) }
        if let resolver, try resolver.recoverIfLeftBehind() {
            report(.warning("restored \(resolver.path) left behind by an earlier connect"))
        }
        if LeftoverRoutes.removeIfLeftBehind(dataDirectory: configuration.dataDirectory) > 0 {
            report(.warning("removed routes and rules left behind by an earlier connect"))
        }
        var book = try ChannelBook.load(dataDirectory: configuration.dataDirectory)
        try await ledger.light.sync()
        await settleAbandoned(&book)

        let ranked = try await rankedCandidates()
        var summary = ConnectSummary()
        var spent = Amount.zero
        var tried: Set<AccountAddress> = []
        var excluded: Set<UInt64> = []
        var (link, tunnel) = try await connect(ranked, tried: &tried, excluded: excluded, book: book, resolver: resolver, spent: spent)
        defer { StatusFile.remove(dataDirectory: configuration.dataDirectory) }
        while true {
            var payer = payerSession(for: link, spent: spent)
            let ending: Ending
            do {
                ending = try await serve(link: link, tunnel: tunnel, payer: &payer, book: &book, stop: stop, summary: &summary)
            } catch {
                // The loop failed (the tunnel died, the book cannot be written): still pay what
                // was served and get the rest back before giving up.
                await settle(link: link, payer: payer, reason: .clientEnded, book: &book, summary: &summary)
                await teardown(tunnel)
                throw error
            }
            spent = AmountMath.add(spent, AmountMath.subtract(payer.signed, link.baseline))
            switch ending {
            case .failover(let reason):
                await teardown(tunnel)
                try abandon(link, book: &book, summary: &summary)
                excluded.insert(link.channel)
                let from = link.candidate.address.string
                do {
                    (link, tunnel) = try await connect(ranked, tried: &tried, excluded: excluded, book: book, resolver: resolver, spent: spent)
                } catch {
                    throw ClientError(error.code, "\(from) stopped answering (\(reason)) and no other matching operator took over: \(error.reason)")
                }
                report(.switched(from: from, to: link.candidate.address.string, reason: reason))
            case .stopped:
                if configuration.keepChannel {
                    await keep(link: link, payer: payer, book: &book, summary: &summary)
                } else {
                    await settle(link: link, payer: payer, reason: .clientEnded, book: &book, summary: &summary)
                }
                await teardown(tunnel)
                await settleAbandoned(&book)
                return summary
            case .cutOff(let line, let reason):
                report(.cutOff(reason: line))
                summary.cutOff = line
                await settle(link: link, payer: payer, reason: reason, book: &book, summary: &summary)
                await teardown(tunnel)
                return summary
            }
        }
    }

    /// The matching offers that answer, best first; one line when there is none.
    func rankedCandidates() async throws(ClientError) -> [Candidate] {
        let records = try await ledger.light.offerRecords()
        let candidates = try OfferSelection.candidates(from: records.value, height: records.height, criteria: configuration.criteria)
        let trips = await OperatorProbe.roundTrips(candidates)
        let ranked = OfferRanking.rank(candidates, roundTrips: trips)
        guard let best = ranked.first, let index = candidates.firstIndex(of: best), let trip = trips[index] else {
            let names = candidates.prefix(3).map { "\($0.address.string) at \($0.apiURL)" }.joined(separator: ", ")
            throw ClientError(.operatorUnreachable, "no matching operator answers: \(names)\(candidates.count > 3 ? ", …" : "")")
        }
        report(.selected(
            operator: best.address.string, country: best.terms.country, price: PriceText.describe(best.price),
            roundTripMilliseconds: UInt64(trip.components.seconds) * 1_000 + UInt64(trip.components.attoseconds / 1_000_000_000_000_000),
            candidates: ranked.count))
        return ranked
    }

    /// The first candidate not yet tried that grants a session and whose tunnel comes up.
    func connect(
        _ ranked: [Candidate], tried: inout Set<AccountAddress>, excluded: Set<UInt64>, book: ChannelBook,
        resolver: ResolverConfiguration?, spent: Amount
    ) async throws(ClientError) -> (SessionLink, TunnelLink) {
        var last: ClientError?
        for candidate in ranked where !tried.contains(candidate.address) {
            tried.insert(candidate.address)
            var remaining = configuration
            remaining.maxSpend = AmountMath.subtract(configuration.maxSpend, spent)
            guard remaining.maxSpend > .zero else {
                throw ClientError(.session, "--max-spend \(configuration.maxSpend.dvpnString) DVPN is spent")
            }
            do {
                let link = try await SessionLink.establish(
                    with: candidate, ledger: ledger, book: book, configuration: remaining, excludingChannels: excluded,
                    report: report)
                let bypass = bypassHosts(for: candidate)
                let tunnel = try await TunnelLink.start(
                    grant: link.grant, privateKey: ledger.identity.tunnelKey, interface: configuration.interfaceName,
                    bypassHosts: bypass, resolver: resolver, dataDirectory: configuration.dataDirectory, logger: logger)
                return (link, tunnel)
            } catch {
                if error.code == .system || error.code == .badRequest { throw error }
                if ranked.count > 1 { report(.warning(error.reason)) }
                last = error
            }
        }
        throw last ?? ClientError(.operatorUnreachable, "no other matching operator is left to try")
    }

    /// The hosts whose traffic stays off the tunnel: the operator's session API and the ledger
    /// nodes (`RoutePlan`).
    func bypassHosts(for candidate: Candidate) -> [String] {
        let urls = [URL(string: candidate.apiURL)].compactMap { $0 } + ledger.light.nodes.map(\.baseURL)
        return urls.compactMap { url in
            url.host.map { $0.hasPrefix("[") ? String($0.dropFirst().dropLast()) : $0 }
        }.filter { IPAddressText.isLiteral($0) && !$0.hasPrefix("127.") && $0 != "::1" }
    }

    func payerSession(for link: SessionLink, spent: Amount) -> PayerSession {
        let remaining = AmountMath.subtract(configuration.maxSpend, spent)
        let cap = AmountMath.add(link.baseline, remaining)
        let topUp = min(configuration.deposit, remaining)
        return PayerSession(
            configuration: .init(
                price: link.grant.price, schedule: link.grant.schedule, baseline: link.baseline, maxSpend: cap,
                topUpAmount: topUp, topUpWhenBelow: Amount(udvpn: max(1, topUp.udvpn / 4))),
            deposit: link.deposit, startedAt: PaymentInstant(milliseconds: WallClock.monotonicMilliseconds()))
    }

    func teardown(_ tunnel: TunnelLink) async {
        for failure in await tunnel.stop() { report(.warning("cleanup: \(failure)")) }
    }
}

/// Whether a URL host is an address literal (bypass routes are added for those; a host name
/// would need a resolution the tunnel's DNS then changes).
enum IPAddressText {
    static func isLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
