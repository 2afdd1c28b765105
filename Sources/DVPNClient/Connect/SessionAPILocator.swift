import DVPNNodeAPI

/// Where an offer's operator runs the session API. Two forms in the offer's `services`:
///
/// - `api=http://HOST:PORT` (`OfferTerms.sessionAPIURL`, docs/session-protocol.md);
/// - `api-PORT`: the API on the host of the offer's WireGuard `endpoint`, at PORT.
///
/// The second exists because the registry contract accepts only service names of 1–32 of
/// `a-z 0-9 -` (Contracts/registry/Registry.swift, `isValidService`), so an offer naming
/// `api=http://…` cannot be registered on today's chain; `api-26657` can.
public enum SessionAPILocator {
    public static let portServicePrefix = "api-"

    public static func url(for terms: OfferTerms) -> String? {
        if let url = terms.sessionAPIURL { return url }
        guard let service = terms.services.first(where: { $0.hasPrefix(portServicePrefix) }),
            let port = UInt16(service.dropFirst(portServicePrefix.count)), port > 0,
            let colon = terms.endpoint.lastIndex(of: ":")
        else { return nil }
        let host = String(terms.endpoint[..<colon])
        guard !host.isEmpty else { return nil }
        return "http://\(host):\(port)"
    }
}
