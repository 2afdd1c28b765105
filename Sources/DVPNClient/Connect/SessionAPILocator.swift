import DVPNNodeAPI

/// Where an offer's operator runs the session API: the offer's `services` entry `api-PORT` on the
/// host of its WireGuard `endpoint` (`OfferTerms.sessionAPIURL`, docs/session-protocol.md).
public enum SessionAPILocator {
    public static func url(for terms: OfferTerms) -> String? { terms.sessionAPIURL }
}
