/// The envelopes waiting to be written to one peer, bounded both by count and by bytes
/// (docs/p2p.md, "Limits"). A count alone is not a memory bound: 1024 queued blocks of 4 MiB are
/// 4 GiB. When a new item does not fit, the **oldest** items are dropped until it does: gossip is
/// redundant (every item also reaches the peer over its other links, and consensus re-gossips what
/// matters), and the newest items (this round's votes and proposal) are the valuable ones, so a
/// peer too slow to keep up misses old items instead of holding our memory.
///
/// A pure value; `GossipService` keeps one per link under its lock, and the link's writer pops.
struct OutboundQueue: Sendable {
    let maxCount: Int
    let maxBytes: Int
    private var items: [[UInt8]] = []
    /// Index of the oldest item in `items`; the consumed prefix is compacted away once it is
    /// the larger half, so pushes and pops are amortised O(1).
    private var head = 0
    private(set) var byteCount = 0

    init(maxCount: Int, maxBytes: Int) {
        precondition(maxCount > 0 && maxBytes > 0)
        self.maxCount = maxCount
        self.maxBytes = maxBytes
    }

    var count: Int { items.count - head }
    var isEmpty: Bool { count == 0 }

    enum PushResult: Sendable, Equatable {
        /// Queued; `dropped` older items made room for it.
        case queued(dropped: Int)
        /// Larger than the whole byte budget: not queued (nothing was dropped for it).
        case tooLarge
    }

    mutating func push(_ item: [UInt8]) -> PushResult {
        guard item.count <= maxBytes else { return .tooLarge }
        var dropped = 0
        while count >= maxCount || byteCount + item.count > maxBytes {
            _ = pop()
            dropped += 1
        }
        items.append(item)
        byteCount += item.count
        return .queued(dropped: dropped)
    }

    mutating func pop() -> [UInt8]? {
        guard head < items.count else { return nil }
        let item = items[head]
        items[head] = []
        head += 1
        byteCount -= item.count
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }
}
