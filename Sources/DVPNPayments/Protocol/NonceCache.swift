import DVPNCrypto

/// The request nonces a node has admitted within the time window (docs/session-protocol.md,
/// "Replays"). A request's timestamp must be within `window` of the node's clock, so a nonce only
/// needs remembering until its timestamp plus the window has passed: after that the timestamp
/// check alone refuses the replay. Bounded: when full of live entries, new requests are refused
/// (`.busy`) rather than an old nonce forgotten early.
public struct NonceCache: Sendable {
    private struct Key: Hashable, Sendable {
        var payer: Schnorr.PublicKey
        var nonce: [UInt8]
    }

    public let windowMilliseconds: UInt64
    public let capacity: Int
    private var expiries: [Key: PaymentInstant] = [:]

    public init(windowMilliseconds: UInt64, capacity: Int = 65_536) {
        self.windowMilliseconds = windowMilliseconds
        self.capacity = capacity
    }

    public var count: Int { expiries.count }

    /// Whether this payer's nonce was recorded and has not yet expired at `now`.
    public func contains(payer: Schnorr.PublicKey, nonce: [UInt8], now: PaymentInstant) -> Bool {
        guard let expiry = expiries[Key(payer: payer, nonce: nonce)] else { return false }
        return expiry >= now
    }

    /// Records a nonce first seen with `timestamp`; false when the cache is full of live entries.
    public mutating func insert(payer: Schnorr.PublicKey, nonce: [UInt8], timestamp: PaymentInstant, now: PaymentInstant) -> Bool {
        if expiries.count >= capacity { prune(now: now) }
        guard expiries.count < capacity else { return false }
        // Keep it until both the request's own window and the node's have passed.
        let expiry = max(timestamp, now).advanced(byMilliseconds: windowMilliseconds)
        expiries[Key(payer: payer, nonce: nonce)] = expiry
        return true
    }

    /// Forgets the nonces whose window is over.
    public mutating func prune(now: PaymentInstant) {
        expiries = expiries.filter { $0.value >= now }
    }
}
