/// Per-source token buckets for handshake messages under load (wireguard-go `ratelimiter`):
/// once a sender has proven its address with MAC2, it may still make at most 20 handshakes a
/// second, with bursts of 5, per source address.
struct RateLimiter {
    private static let packetsPerSecond: UInt64 = 20
    private static let packetsBurstable: UInt64 = 5
    private static let packetCost = ProtocolConstants.second / packetsPerSecond
    private static let maxTokens = packetCost * packetsBurstable
    private static let garbageCollectInterval = ProtocolConstants.second

    private struct Bucket {
        var tokens: UInt64
        var lastTime: TunnelInstant
    }

    private var buckets: [IPAddress: Bucket] = [:]
    private var lastCollection: TunnelInstant?

    /// Spends one packet's worth of tokens from `source`'s bucket; false when it is empty.
    mutating func allow(_ source: IPAddress, now: TunnelInstant) -> Bool {
        collectGarbage(now: now)
        let key = source.unmappingIPv4
        guard var bucket = buckets[key] else {
            buckets[key] = Bucket(tokens: Self.maxTokens - Self.packetCost, lastTime: now)
            return true
        }
        bucket.tokens = min(Self.maxTokens, bucket.tokens.addingSaturating(now.nanoseconds(since: bucket.lastTime)))
        bucket.lastTime = max(bucket.lastTime, now)
        let allowed = bucket.tokens > Self.packetCost
        if allowed { bucket.tokens -= Self.packetCost }
        buckets[key] = bucket
        return allowed
    }

    /// Forgets buckets idle for more than a second (they would be full again anyway).
    private mutating func collectGarbage(now: TunnelInstant) {
        if let last = lastCollection, now.nanoseconds(since: last) < Self.garbageCollectInterval { return }
        lastCollection = now
        buckets = buckets.filter { now.nanoseconds(since: $0.value.lastTime) <= Self.garbageCollectInterval }
    }
}
