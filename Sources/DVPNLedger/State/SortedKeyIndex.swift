/// The state's keys in byte order, for range scans by prefix (offer and channel listings, the
/// validator-set history) without copying and sorting the whole state.
///
/// A sorted array cut into chunks of at most `chunkCapacity` keys. It is a value type whose
/// chunks are copy-on-write arrays: a snapshot of the state shares every chunk, and an insertion
/// or removal after the snapshot copies one chunk and the array of chunk references, not the
/// keys. A lookup is a binary search over the chunks' last keys, then one within a chunk; a scan
/// of `k` keys under a prefix costs O(log n + k).
struct SortedKeyIndex: Sendable {
    static let chunkCapacity = 512

    /// Non-empty chunks, each sorted, every key of a chunk below every key of the next.
    private var chunks: [[[UInt8]]] = []
    private(set) var count = 0

    init() {}

    /// Builds the index from keys in any order (one sort instead of n insertions).
    init(unsortedKeys: [[UInt8]]) {
        let sorted = unsortedKeys.sorted { $0.lexicographicallyPrecedes($1) }
        var start = 0
        while start < sorted.count {
            let end = min(start + Self.chunkCapacity / 2, sorted.count)
            chunks.append(Array(sorted[start..<end]))
            start = end
        }
        count = sorted.count
    }

    /// The chunk a key belongs in: the first whose last key is ≥ `key` (or the last chunk).
    private func chunkIndex(for key: [UInt8]) -> Int {
        var low = 0, high = chunks.count - 1
        while low < high {
            let mid = (low + high) / 2
            if let last = chunks[mid].last, last.lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The position of the first key ≥ `key` within `chunk`.
    private static func lowerBound(_ key: [UInt8], in chunk: [[UInt8]]) -> Int {
        var low = 0, high = chunk.count
        while low < high {
            let mid = (low + high) / 2
            if chunk[mid].lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Adds `key` if it is not present.
    mutating func insert(_ key: [UInt8]) {
        guard !chunks.isEmpty else {
            chunks = [[key]]
            count = 1
            return
        }
        let c = chunkIndex(for: key)
        let position = Self.lowerBound(key, in: chunks[c])
        if position < chunks[c].count, chunks[c][position] == key { return }
        chunks[c].insert(key, at: position)
        count += 1
        if chunks[c].count > Self.chunkCapacity {
            let upper = Array(chunks[c][(Self.chunkCapacity / 2)...])
            chunks[c].removeLast(upper.count)
            chunks.insert(upper, at: c + 1)
        }
    }

    /// Removes `key` if it is present.
    mutating func remove(_ key: [UInt8]) {
        guard !chunks.isEmpty else { return }
        let c = chunkIndex(for: key)
        let position = Self.lowerBound(key, in: chunks[c])
        guard position < chunks[c].count, chunks[c][position] == key else { return }
        chunks[c].remove(at: position)
        count -= 1
        if chunks[c].isEmpty { chunks.remove(at: c) }
    }

    /// The keys that start with `prefix`, in byte order.
    func keys(withPrefix prefix: [UInt8]) -> [[UInt8]] {
        guard !chunks.isEmpty else { return [] }
        var result: [[UInt8]] = []
        var c = chunkIndex(for: prefix)
        var position = Self.lowerBound(prefix, in: chunks[c])
        while c < chunks.count {
            let chunk = chunks[c]
            while position < chunk.count {
                guard chunk[position].starts(with: prefix) else { return result }
                result.append(chunk[position])
                position += 1
            }
            c += 1
            position = 0
        }
        return result
    }

    /// Every key, in byte order.
    var all: [[UInt8]] { chunks.flatMap { $0 } }
}
