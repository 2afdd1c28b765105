import DVPNCrypto

/// A compacted sparse Merkle tree over 256-bit keys: the commitment behind the state root.
///
/// Construction (docs/state-root.md has the diagram):
/// - A tree key is SHA-256 of the state key; bit *i* (most significant first) picks the left (0)
///   or right (1) child at depth *i*.
/// - An empty subtree hashes to 32 zero bytes.
/// - A subtree holding exactly one entry is that entry's leaf, wherever it sits:
///   `leaf = SHA-256(0x00 ‖ treeKey ‖ SHA-256(value))`.
/// - A subtree holding two or more entries is a branch:
///   `branch = SHA-256(0x01 ‖ left ‖ right)`.
///
/// So the tree has about 2n nodes and depth about log₂ n, its shape depends only on the set of
/// keys (not on the order of insertion), and one key's value is proven by the siblings on its
/// path. Nodes are immutable and shared: applying a block's changes rebuilds only the paths they
/// touch, each touched node hashed once, and the previous root stays valid as a snapshot.
public struct StateTree: Sendable {
    /// One node. Immutable; subtrees are shared between versions of the tree.
    indirect enum Node: Sendable {
        case leaf(key: [UInt8], valueHash: [UInt8], hash: [UInt8])
        case branch(left: Node?, right: Node?, hash: [UInt8])

        var hash: [UInt8] {
            switch self {
            case .leaf(_, _, let h), .branch(_, _, let h): h
            }
        }
    }

    /// One change: the new value hash of `key`, or nil to delete it.
    struct Update {
        let key: [UInt8]
        let valueHash: [UInt8]?
    }

    static let emptyHash = [UInt8](repeating: 0, count: 32)

    private(set) var root: Node?

    public init() {}

    /// The commitment to every entry.
    public var rootHash: Hash256 { Hash256(unchecked: root?.hash ?? Self.emptyHash) }

    /// The tree key of a state key.
    public static func treeKey(_ stateKey: [UInt8]) -> [UInt8] { SHA256.hash(stateKey) }

    static func leafHash(key: [UInt8], valueHash: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update([UInt8(0)])
        h.update(key)
        h.update(valueHash)
        return h.finalize()
    }

    static func branchHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update([UInt8(1)])
        h.update(left)
        h.update(right)
        return h.finalize()
    }

    static func bit(_ key: [UInt8], _ depth: Int) -> Int {
        Int(key[depth >> 3] >> (7 - UInt8(depth & 7))) & 1
    }

    /// Applies a batch of changes (state key → new value, nil deletes). Each node on a touched
    /// path is rebuilt and hashed once, however many changes pass through it.
    public mutating func apply(_ changes: some Sequence<(key: [UInt8], value: [UInt8]?)>) {
        var updates = changes.map { Update(key: Self.treeKey($0.key), valueHash: $0.value.map { SHA256.hash($0) }) }
        updates.sort { $0.key.lexicographicallyPrecedes($1.key) }
        // The last change of a key wins.
        var unique: [Update] = []
        unique.reserveCapacity(updates.count)
        for u in updates {
            if let last = unique.last, last.key == u.key { unique[unique.count - 1] = u } else { unique.append(u) }
        }
        root = Self.apply(root, depth: 0, unique[...])
    }

    private static func apply(_ node: Node?, depth: Int, _ updates: ArraySlice<Update>) -> Node? {
        guard !updates.isEmpty else { return node }
        switch node {
        case nil:
            return build(depth: depth, updates.compactMap { u in u.valueHash.map { (u.key, $0) } }[...])
        case .leaf(let key, let valueHash, _):
            var entries = updates.compactMap { u in u.valueHash.map { (u.key, $0) } }
            if !updates.contains(where: { $0.key == key }) {
                let index = entries.firstIndex { key.lexicographicallyPrecedes($0.0) } ?? entries.endIndex
                entries.insert((key, valueHash), at: index)
            }
            return build(depth: depth, entries[...])
        case .branch(let left, let right, _):
            let split = updates.firstIndex { bit($0.key, depth) == 1 } ?? updates.endIndex
            return branch(apply(left, depth: depth + 1, updates[..<split]),
                          apply(right, depth: depth + 1, updates[split...]))
        }
    }

    /// The canonical subtree of sorted, distinct entries below `depth`.
    private static func build(depth: Int, _ entries: ArraySlice<([UInt8], [UInt8])>) -> Node? {
        switch entries.count {
        case 0:
            return nil
        case 1:
            let (key, valueHash) = entries.first!
            return .leaf(key: key, valueHash: valueHash, hash: leafHash(key: key, valueHash: valueHash))
        default:
            let split = entries.firstIndex { bit($0.0, depth) == 1 } ?? entries.endIndex
            return branch(build(depth: depth + 1, entries[..<split]), build(depth: depth + 1, entries[split...]))
        }
    }

    /// A branch over two subtrees, collapsed when it would hold a single leaf.
    private static func branch(_ left: Node?, _ right: Node?) -> Node? {
        switch (left, right) {
        case (nil, nil): return nil
        case (.leaf?, nil): return left
        case (nil, .leaf?): return right
        default: return .branch(left: left, right: right, hash: branchHash(left?.hash ?? emptyHash, right?.hash ?? emptyHash))
        }
    }

    /// The proof of `stateKey`'s value (or of its absence).
    public func proof(for stateKey: [UInt8]) -> StateProof {
        let key = Self.treeKey(stateKey)
        var siblings: [Hash256] = []
        var node = root
        var depth = 0
        while case .branch(let left, let right, _)? = node {
            let goRight = Self.bit(key, depth) == 1
            siblings.append(Hash256(unchecked: (goRight ? left : right)?.hash ?? Self.emptyHash))
            node = goRight ? right : left
            depth += 1
        }
        switch node {
        case .leaf(let k, let v, _)?:
            return StateProof(siblings: siblings, terminal: .leaf(treeKey: Hash256(unchecked: k), valueHash: Hash256(unchecked: v)))
        default:
            return StateProof(siblings: siblings, terminal: .empty)
        }
    }
}
