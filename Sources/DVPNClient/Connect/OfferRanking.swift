/// Ranking by price, then by a measured round trip (issue 8 item 8).
///
/// What is measured: the time of one HTTP request to the operator's session API (its
/// `GET /v1/status`), not a WireGuard handshake. A WireGuard endpoint answers only keys it has
/// admitted, and it admits a key only for an open channel (docs/session-protocol.md), so before a
/// channel exists the endpoint stays silent by design and a handshake cannot be timed. The API
/// runs on the operator's own host, so its round trip is the same network path, and the request
/// doubles as the proof that the session API answers at all: an operator whose API is down could
/// not sell a session anyway. A candidate that does not answer within the probe's timeout is
/// left out (and named when none is left).
public enum OfferRanking {
    /// `candidates` (cheapest first, as `OfferSelection` gives them) ordered by price and, within
    /// one price, by round trip; `roundTrips[i]` is candidate i's, nil when it did not answer
    /// (those are dropped).
    public static func rank(_ candidates: [Candidate], roundTrips: [Duration?]) -> [Candidate] {
        precondition(candidates.count == roundTrips.count, "one round trip per candidate")
        let measured = zip(candidates, roundTrips).compactMap { pair in pair.1.map { (pair.0, $0) } }
        return measured.sorted { a, b in
            let left = (a.0.terms.pricePerGiB, a.0.terms.pricePerHour ?? .zero)
            let right = (b.0.terms.pricePerGiB, b.0.terms.pricePerHour ?? .zero)
            if left != right { return left < right }
            if a.1 != b.1 { return a.1 < b.1 }
            return a.0.address.string < b.0.address.string
        }.map(\.0)
    }
}
