import Synchronization

/// Transaction ids whose signatures this process has verified, so that a transaction checked at
/// mempool admission is not checked again when the same node builds or verifies the block that
/// carries it (issue 7: re-verification halved transfer throughput).
///
/// Keyed by `Transaction.id`, a hash of the whole signed encoding: body, payload (including any
/// evidence votes) and signature. A hit therefore means these exact bytes verified, and only
/// successes are cached, so a forged signature is checked (and refused) every time. The result of
/// a verification depends only on those bytes (the chain id is inside the body), so the cache
/// cannot change any outcome, only skip repeated work. Bounded: when full, the oldest id is
/// forgotten (first in, first out), which costs at most a repeated verification.
///
/// Thread safety: the mutex guards the set and the ring; both are touched for O(1) per call.
public final class SignatureCache: Sendable {
    struct Storage {
        var members: Set<Hash256> = []
        /// Insertion order, as a ring of `capacity` slots.
        var ring: [Hash256] = []
        var next = 0
    }

    public let capacity: Int
    private let storage = Mutex(Storage())

    /// `capacity` ids (at least 1); the default covers twice the default mempool.
    public init(capacity: Int = 20_000) {
        self.capacity = max(1, capacity)
    }

    public func contains(_ id: Hash256) -> Bool {
        storage.withLock { $0.members.contains(id) }
    }

    public func insert(_ id: Hash256) {
        let capacity = self.capacity
        storage.withLock { s in
            guard s.members.insert(id).inserted else { return }
            if s.ring.count < capacity {
                s.ring.append(id)
            } else {
                s.members.remove(s.ring[s.next])
                s.ring[s.next] = id
                s.next = (s.next + 1) % capacity
            }
        }
    }

    public var count: Int { storage.withLock { $0.members.count } }
}
