import DVPNClient
import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Testing
@testable import DVPNNode

/// Offer selection and ranking for `dvpn connect` (issue 8 item 8): country, price per GiB and
/// per hour, a named operator, stale offers left out, ranking by price then round trip, and
/// forged offers never reaching the selection (the light client catches them).
@Suite struct ConnectSelectionTests {
    static let height: UInt64 = 500

    @Test func filtersByCountryAndSortsByPrice() throws {
        let records = [
            try ConnectFixtures.offer(country: "DE", perGiB: 300_000), try ConnectFixtures.offer(country: "FR", perGiB: 100_000),
            try ConnectFixtures.offer(country: "DE", perGiB: 200_000),
        ]
        let picked = try OfferSelection.candidates(from: records, height: Self.height, criteria: OfferCriteria(country: "de"))
        #expect(picked.map(\.terms.pricePerGiB.udvpn) == [200_000, 300_000])
        #expect(picked.allSatisfy { $0.terms.country == "DE" })
        let all = try OfferSelection.candidates(from: records, height: Self.height, criteria: OfferCriteria())
        #expect(all.map(\.terms.pricePerGiB.udvpn) == [100_000, 200_000, 300_000])
    }

    @Test func staleOffersAreLeftOut() throws {
        let fresh = try ConnectFixtures.offer(perGiB: 300_000, staleAfter: Self.height)
        let stale = try ConnectFixtures.offer(perGiB: 100_000, staleAfter: Self.height - 1)
        let picked = try OfferSelection.candidates(from: [stale, fresh], height: Self.height, criteria: OfferCriteria())
        #expect(picked.map(\.owner) == [fresh.owner])
        #expect(throws: ClientError.self) {
            try OfferSelection.candidates(from: [stale], height: Self.height, criteria: OfferCriteria())
        }
    }

    @Test func maxPricePerGiBAndPerHour() throws {
        let cheapHourly = try ConnectFixtures.offer(perGiB: 100_000, perHour: 900_000)
        let dearFlat = try ConnectFixtures.offer(perGiB: 400_000)
        let mid = try ConnectFixtures.offer(perGiB: 250_000, perHour: 100_000)
        let records = [cheapHourly, dearFlat, mid]
        let underGiB = try OfferSelection.candidates(
            from: records, height: Self.height, criteria: OfferCriteria(maxPricePerGiB: Amount(udvpn: 300_000)))
        #expect(underGiB.map(\.owner) == [cheapHourly.owner, mid.owner])
        let underBoth = try OfferSelection.candidates(
            from: records, height: Self.height,
            criteria: OfferCriteria(maxPricePerGiB: Amount(udvpn: 300_000), maxPricePerHour: Amount(udvpn: 200_000)))
        #expect(underBoth.map(\.owner) == [mid.owner])
        // An offer without an hourly price costs nothing per hour.
        let flatOnly = try OfferSelection.candidates(
            from: records, height: Self.height, criteria: OfferCriteria(maxPricePerHour: .zero))
        #expect(flatOnly.map(\.owner) == [dearFlat.owner])
    }

    @Test func aPriceAboveTheLimitIsOneLineNamingTheCheapest() throws {
        let records = [try ConnectFixtures.offer(perGiB: 500_000), try ConnectFixtures.offer(country: "FR", perGiB: 1)]
        do {
            _ = try OfferSelection.candidates(
                from: records, height: Self.height, criteria: OfferCriteria(country: "DE", maxPricePerGiB: Amount(udvpn: 100_000)))
            Issue.record("a price above --max-price was accepted")
        } catch {
            #expect(error.code == .noMatchingOffer)
            #expect(error.reason == "no offer in DE within your price: the cheapest costs 0.5 DVPN/GiB, above --max-price 0.1")
        }
    }

    @Test func noOfferInTheCountryIsOneLine() throws {
        do {
            _ = try OfferSelection.candidates(
                from: [try ConnectFixtures.offer(country: "FR", perGiB: 1)], height: Self.height, criteria: OfferCriteria(country: "JP"))
            Issue.record("an offer outside the country was accepted")
        } catch let error as ClientError {
            #expect(error.reason == "no fresh offer in JP (1 offer(s) proven at block 500, 1 fresh)")
        }
    }

    @Test func aNamedOperatorOnly() throws {
        let key = Schnorr.PrivateKey()
        let named = try ConnectFixtures.offer(owner: key, perGiB: 900_000)
        let records = [try ConnectFixtures.offer(perGiB: 1), named]
        let picked = try OfferSelection.candidates(
            from: records, height: Self.height, criteria: OfferCriteria(operatorAddress: AccountAddress(publicKey: key.publicKey)))
        #expect(picked.map(\.owner) == [key.publicKey])
    }

    @Test func offersWithoutASessionAPICannotSell() throws {
        let records = [try ConnectFixtures.offer(perGiB: 1, api: nil), try ConnectFixtures.offer(perGiB: 2, api: "http://10.0.0.1:26657")]
        let picked = try OfferSelection.candidates(from: records, height: Self.height, criteria: OfferCriteria())
        #expect(picked.map(\.apiURL) == ["http://10.0.0.1:26657"])
        #expect(throws: ClientError.self) {
            try OfferSelection.candidates(from: [records[0]], height: Self.height, criteria: OfferCriteria())
        }
    }

    @Test func theAPIFromAPortServiceOnTheEndpointsHost() {
        let terms = OfferTerms(
            country: "DE", pricePerGiB: .zero, pricePerHour: nil, bandwidthMbps: 1, endpoint: "10.0.0.7:51820",
            tunnelKey: X25519.PrivateKey().publicKey, services: ["wireguard", "api-26657"])
        #expect(terms.sessionAPIURL == "http://10.0.0.7:26657")
        var named = terms
        named.services = [OfferTerms.sessionAPIService(url: "http://192.0.2.1:80")].compactMap { $0 }
        // Only the port of a URL is kept: the API is on the endpoint's host.
        #expect(named.services == ["api-80"])
        #expect(named.sessionAPIURL == "http://10.0.0.7:80")
        var bracketed = terms
        bracketed.endpoint = "[2001:db8::7]:51820"
        #expect(bracketed.sessionAPIURL == "http://[2001:db8::7]:26657")
        var none = terms
        none.services = ["api-0", "api-x"]
        #expect(none.sessionAPIURL == nil)
    }

    @Test func rankingIsPriceThenRoundTripAndDropsTheSilent() throws {
        let records = [
            try ConnectFixtures.offer(perGiB: 100_000), try ConnectFixtures.offer(perGiB: 100_000), try ConnectFixtures.offer(perGiB: 50_000),
            try ConnectFixtures.offer(perGiB: 10_000),
        ]
        let candidates = try OfferSelection.candidates(from: records, height: Self.height, criteria: OfferCriteria())
        // candidates: 10_000, 50_000, 100_000 (a), 100_000 (b) — the cheapest does not answer.
        let slowFirst = candidates[2].address.string < candidates[3].address.string ? (candidates[2], candidates[3]) : (candidates[3], candidates[2])
        let trips: [Duration?] = candidates.map { candidate in
            if candidate.terms.pricePerGiB.udvpn == 10_000 { return nil }
            if candidate == slowFirst.0 { return .milliseconds(80) }
            if candidate == slowFirst.1 { return .milliseconds(5) }
            return .milliseconds(300)
        }
        let ranked = OfferRanking.rank(candidates, roundTrips: trips)
        #expect(ranked.map(\.terms.pricePerGiB.udvpn) == [50_000, 100_000, 100_000])
        // Same price: the faster first, although its address sorts later.
        #expect(ranked[1] == slowFirst.1)
        #expect(ranked[2] == slowFirst.0)
    }

    @Test func aForgedOfferIsCaughtBeforeSelection() async throws {
        let network = try TestNetwork()
        try network.produce()
        let terms = OfferTerms(
            country: "DE", pricePerGiB: Amount(udvpn: 50_000), pricePerHour: nil, bandwidthMbps: 100, endpoint: "127.0.0.1:51820",
            tunnelKey: X25519.PrivateKey().publicKey, services: ["api-9"])
        try network.submit(.contractCall(RegistryContract.register(terms)), fee: Amount(udvpn: 100_000))
        try network.produce()
        try network.produce()
        let reports = LyingNodeTests.Reports()
        try await withServers([LyingBackend(honest: network.node, forgery: .offer), network.node]) { urls in
            let (client, _) = try LyingNodeTests.client(network, urls, reports: reports)
            let proven = try await client.offerRecords()
            // The liar made the offer a bargain (1 udvpn per GiB); the honest node's price stands.
            let picked = try OfferSelection.candidates(from: proven.value, height: proven.height, criteria: OfferCriteria(country: "DE"))
            #expect(picked.map(\.terms.pricePerGiB.udvpn) == [50_000])
            #expect(picked.first?.apiURL == "http://127.0.0.1:9")
            #expect(reports.all.count == 1)
            #expect(reports.all.first?.contains("offer proof does not match the state root") == true)
            #expect(throws: ClientError.self) {
                try OfferSelection.candidates(
                    from: proven.value, height: proven.height, criteria: OfferCriteria(maxPricePerGiB: Amount(udvpn: 10_000)))
            }
        }
    }
}
