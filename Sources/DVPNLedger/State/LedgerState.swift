/// The committed ledger state: every key's value, and the sparse Merkle tree over them.
///
/// A value type. Applying a block's changes updates the values and rebuilds only the touched
/// tree paths (`StateTree.apply`), so the state root after a block costs O(changes × log n)
/// hashes, not a rehash of everything.
public struct LedgerState: StateReader, Sendable {
    private var values: [[UInt8]: [UInt8]] = [:]
    /// The same keys in byte order, for prefix scans (`entries(withPrefix:)`).
    private var index = SortedKeyIndex()
    public private(set) var tree = StateTree()

    public init() {}

    /// Rebuilds the state from stored entries (one batch through the tree), validating every key
    /// and value.
    public init(entries: some Sequence<(key: [UInt8], value: [UInt8])>) throws(LedgerError) {
        var changes = StateChanges()
        for (key, value) in entries {
            let parsed = try StateKey(bytes: key)
            try parsed.validate(value)
            changes.set(rawKey: key, value)
        }
        apply(changes)
    }

    public var rootHash: Hash256 { tree.rootHash }
    public var count: Int { values.count }

    public func value(forKey key: StateKey) -> [UInt8]? { values[key.bytes] }

    public func value(forRawKey key: [UInt8]) -> [UInt8]? { values[key] }

    /// Every entry, sorted by key bytes.
    public var entries: [(key: [UInt8], value: [UInt8])] {
        index.all.compactMap { key in values[key].map { (key: key, value: $0) } }
    }

    /// The entries whose raw key starts with `prefix`, sorted by key bytes: a range scan of the
    /// ordered key index, O(log n + results), no copy of the rest of the state. Listings of offers
    /// and channels read `StateKey.contractStorage(contract:key: prefix).bytes` this way.
    public func entries(withPrefix prefix: [UInt8]) -> [(key: [UInt8], value: [UInt8])] {
        index.keys(withPrefix: prefix).compactMap { key in values[key].map { (key: key, value: $0) } }
    }

    public mutating func apply(_ changes: StateChanges) {
        var next = tree
        next.apply(changes.writes.map { (key: $0.key, value: $0.value) })
        commitValues(changes, tree: next)
    }

    /// Writes the values of `changes` and adopts `tree`, which must already reflect them.
    mutating func commitValues(_ changes: StateChanges, tree: StateTree) {
        if values.isEmpty, changes.count > SortedKeyIndex.chunkCapacity {
            // Loading a whole state: one sort instead of n insertions.
            for (key, value) in changes.writes { values[key] = value }
            index = SortedKeyIndex(unsortedKeys: Array(values.keys))
        } else {
            for (key, value) in changes.writes {
                if let value {
                    if values.updateValue(value, forKey: key) == nil { index.insert(key) }
                } else if values.removeValue(forKey: key) != nil {
                    index.remove(key)
                }
            }
        }
        self.tree = tree
    }

    /// A proof of `key`'s current value (or absence) under `rootHash`.
    public func proof(for key: StateKey) -> StateProof { tree.proof(for: key.bytes) }

    /// Totals for the supply invariant: account balances, contract escrow, burned fees.
    public func supply() throws(LedgerError) -> SupplyTotals {
        var totals = SupplyTotals()
        for (rawKey, value) in values {
            switch try StateKey(bytes: rawKey) {
            case .account:
                totals.balances = try totals.balances.adding(try Account(canonicalBytes: value).balance)
            case .contractBalance:
                totals.escrow = try totals.escrow.adding(try Amount(canonicalBytes: value))
            case .burnedFees:
                totals.burned = try totals.burned.adding(try Amount(canonicalBytes: value))
            default:
                break
            }
        }
        return totals
    }
}

/// Where the money is: balances + escrow + burned must equal the genesis supply at every height.
public struct SupplyTotals: Hashable, Sendable {
    public var balances = Amount.zero
    public var escrow = Amount.zero
    public var burned = Amount.zero

    public init() {}

    public func total() throws(LedgerError) -> Amount {
        try balances.adding(escrow).adding(burned)
    }
}
