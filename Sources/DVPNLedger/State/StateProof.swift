import DVPNCrypto

/// A proof that a state key has a given value, or none, under a state root (see `StateTree`).
///
/// The siblings run from the root down; the terminal is what the path ends in: an empty subtree,
/// or a leaf (the key's own, or another key's that occupies the only slot the key could be in).
public struct StateProof: Hashable, Sendable {
    public enum Terminal: Hashable, Sendable {
        case empty
        case leaf(treeKey: Hash256, valueHash: Hash256)
    }

    public var siblings: [Hash256]
    public var terminal: Terminal

    public init(siblings: [Hash256], terminal: Terminal) {
        self.siblings = siblings
        self.terminal = terminal
    }

    /// True when this proof shows that under `root`, `key` holds `value` (nil: holds nothing).
    public func verify(root: Hash256, key: [UInt8], value: [UInt8]?) -> Bool {
        guard siblings.count <= 256 else { return false }
        let treeKey = StateTree.treeKey(key)
        var current: [UInt8]
        switch (terminal, value) {
        case (.leaf(let k, let v), let value?):
            guard k.bytes == treeKey, v.bytes == SHA256.hash(value) else { return false }
            current = StateTree.leafHash(key: k.bytes, valueHash: v.bytes)
        case (.leaf(let k, let v), nil):
            // Another key's leaf proves absence only if it sits on this key's path.
            guard k.bytes != treeKey,
                  (0..<siblings.count).allSatisfy({ StateTree.bit(k.bytes, $0) == StateTree.bit(treeKey, $0) })
            else { return false }
            current = StateTree.leafHash(key: k.bytes, valueHash: v.bytes)
        case (.empty, nil):
            current = StateTree.emptyHash
        case (.empty, _?):
            return false
        }
        for depth in stride(from: siblings.count - 1, through: 0, by: -1) {
            let sibling = siblings[depth].bytes
            current = StateTree.bit(treeKey, depth) == 0
                ? StateTree.branchHash(current, sibling) : StateTree.branchHash(sibling, current)
        }
        return current == root.bytes
    }
}

extension StateProof.Terminal: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        switch self {
        case .empty:
            encoder.encode(UInt8(0))
        case .leaf(let k, let v):
            encoder.encode(UInt8(1))
            encoder.encode(k)
            encoder.encode(v)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        switch try decoder.decodeUInt8() {
        case 0: self = .empty
        case 1: self = .leaf(treeKey: try decoder.decode(Hash256.self), valueHash: try decoder.decode(Hash256.self))
        case let tag: throw LedgerError(.malformedEncoding, "unknown proof terminal \(tag)")
        }
    }
}

extension StateProof: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(array: siblings, maxCount: 256)
        encoder.encode(terminal)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        siblings = try decoder.decodeArray(of: Hash256.self, maxCount: 256)
        terminal = try decoder.decode(Terminal.self)
    }
}
