import DVPNLedger

/// The hashes of gossiped items already seen, so each is handled and relayed once. Bounded: past
/// `capacity` the oldest hash is forgotten (an item that old arriving again is handled again,
/// which the node's own checks, such as the mempool's, make harmless).
public struct SeenCache: Sendable {
    public let capacity: Int
    private var members: Set<Hash256> = []
    private var order: [Hash256] = []
    private var oldest = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        members.reserveCapacity(capacity)
    }

    public var count: Int { members.count }

    public func contains(_ hash: Hash256) -> Bool { members.contains(hash) }

    /// Records `hash`; false when it was already there.
    @discardableResult
    public mutating func insert(_ hash: Hash256) -> Bool {
        guard !members.contains(hash) else { return false }
        if order.count < capacity {
            order.append(hash)
        } else {
            members.remove(order[oldest])
            order[oldest] = hash
            oldest = (oldest + 1) % capacity
        }
        members.insert(hash)
        return true
    }
}
