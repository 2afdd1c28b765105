import DVPNNodeAPI

/// Times one request to each candidate's session API, all at once (see `OfferRanking` for why
/// the API and not the WireGuard endpoint). A candidate that does not answer within `timeout` has
/// no round trip.
public enum OperatorProbe {
    public static func roundTrips(_ candidates: [Candidate], timeout: Duration = .seconds(2)) async -> [Duration?] {
        await withTaskGroup(of: (Int, Duration?).self) { group in
            for (index, candidate) in candidates.enumerated() {
                group.addTask { (index, await roundTrip(candidate.apiURL, timeout: timeout)) }
            }
            var results = [Duration?](repeating: nil, count: candidates.count)
            for await (index, duration) in group { results[index] = duration }
            return results
        }
    }

    /// The time of one `GET /v1/status` at `url`, nil when it fails.
    public static func roundTrip(_ url: String, timeout: Duration) async -> Duration? {
        guard let client = try? NodeClient(url: url, requestTimeout: timeout) else { return nil }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await client.status()
        } catch {
            return nil
        }
        let elapsed = clock.now - start
        return elapsed <= timeout ? elapsed : nil
    }
}
