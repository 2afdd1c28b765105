import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments

/// What `dvpn connect` is willing to buy (issue 8 item 8): a country, a ceiling on each part of
/// the price (per GiB = 2^30 bytes, per hour), or one named operator.
public struct OfferCriteria: Sendable, Hashable {
    public var country: String?
    public var maxPricePerGiB: Amount?
    public var maxPricePerHour: Amount?
    public var operatorAddress: AccountAddress?

    public init(country: String? = nil, maxPricePerGiB: Amount? = nil, maxPricePerHour: Amount? = nil,
                operatorAddress: AccountAddress? = nil) {
        self.country = country?.uppercased()
        self.maxPricePerGiB = maxPricePerGiB
        self.maxPricePerHour = maxPricePerHour
        self.operatorAddress = operatorAddress
    }
}

/// An offer that passed the criteria and names the operator's session API: something
/// `ConnectSession` can buy from.
public struct Candidate: Sendable, Equatable {
    public let owner: Schnorr.PublicKey
    public let terms: OfferTerms
    /// The operator's session API (`OfferTerms.sessionAPIURL`).
    public let apiURL: String

    public init(owner: Schnorr.PublicKey, terms: OfferTerms, apiURL: String) {
        self.owner = owner
        self.terms = terms
        self.apiURL = apiURL
    }

    public var address: AccountAddress { AccountAddress(publicKey: owner) }
    public var price: Price { Price(perGiB: terms.pricePerGiB, perHour: terms.pricePerHour ?? .zero) }
}

/// Offer selection, pure: proven offer records and the proven height in, candidates or one line
/// saying why there is none out. Ranking by measured round trip is `OfferRanking`.
public enum OfferSelection {
    /// The records that match `criteria` and are fresh at `height`, cheapest first (per GiB, then
    /// per hour, then address, so the order is total and the same on every run). Stale offers
    /// (heartbeat older than the registry allows) are left out: their operator may be gone.
    public static func candidates(
        from records: [OfferRecord], height: UInt64, criteria: OfferCriteria
    ) throws(ClientError) -> [Candidate] {
        let fresh = records.filter { height <= $0.staleAfter }
        let named = fresh.filter { record in
            guard let address = criteria.operatorAddress else { return true }
            return record.owner == address.publicKey
        }
        let inCountry = named.filter { record in
            guard let country = criteria.country else { return true }
            return record.terms.country == country
        }
        let where_ = describe(criteria)
        guard !inCountry.isEmpty else {
            throw ClientError(.noMatchingOffer, "no fresh offer\(where_) (\(records.count) offer(s) proven at block \(height), \(fresh.count) fresh)")
        }
        let affordable = inCountry.filter { record in within(criteria, price: price(of: record)) }
        guard !affordable.isEmpty else {
            let prices = inCountry.map(price(of:))
            let cheapest = prices.min { ($0.perGiB, $0.perHour) < ($1.perGiB, $1.perHour) }
            throw ClientError(.noMatchingOffer, "no offer\(where_) within your price: the cheapest costs \(cheapest.map(PriceText.describe) ?? "?")\(limits(criteria))")
        }
        let usable = affordable.compactMap { record in
            record.terms.sessionAPIURL.map { Candidate(owner: record.owner, terms: record.terms, apiURL: $0) }
        }
        guard !usable.isEmpty else {
            throw ClientError(.noMatchingOffer, "no offer\(where_) names a session API (services api-PORT): none of them can sell a session")
        }
        return usable.sorted(by: cheaperFirst)
    }

    static func price(of record: OfferRecord) -> Price {
        Price(perGiB: record.terms.pricePerGiB, perHour: record.terms.pricePerHour ?? .zero)
    }

    static func within(_ criteria: OfferCriteria, price: Price) -> Bool {
        if let limit = criteria.maxPricePerGiB, price.perGiB > limit { return false }
        if let limit = criteria.maxPricePerHour, price.perHour > limit { return false }
        return true
    }

    static func cheaperFirst(_ a: Candidate, _ b: Candidate) -> Bool {
        let left = (a.terms.pricePerGiB.udvpn, (a.terms.pricePerHour ?? .zero).udvpn)
        let right = (b.terms.pricePerGiB.udvpn, (b.terms.pricePerHour ?? .zero).udvpn)
        if left != right { return left < right }
        return a.address.string < b.address.string
    }

    private static func describe(_ criteria: OfferCriteria) -> String {
        var parts: [String] = []
        if let country = criteria.country { parts.append(" in \(country)") }
        if let address = criteria.operatorAddress { parts.append(" from \(address.string)") }
        return parts.joined()
    }

    private static func limits(_ criteria: OfferCriteria) -> String {
        var parts: [String] = []
        if let perGiB = criteria.maxPricePerGiB { parts.append("--max-price \(perGiB.dvpnString)") }
        if let perHour = criteria.maxPricePerHour { parts.append("--max-price-per-hour \(perHour.dvpnString)") }
        return parts.isEmpty ? "" : ", above " + parts.joined(separator: " and ")
    }
}

/// How a price reads in one line: `0.5 DVPN/GiB`, `0.5 DVPN/GiB + 0.1 DVPN/h`.
public enum PriceText {
    public static func describe(_ price: Price) -> String {
        let perGiB = "\(price.perGiB.dvpnString) DVPN/GiB"
        return price.perHour == .zero ? perGiB : "\(perGiB) + \(price.perHour.dvpnString) DVPN/h"
    }
}
