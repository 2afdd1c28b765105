/// Cryptokey routing (whitepaper §2): a longest-prefix-match table from IP prefixes to peers.
///
/// It answers two questions on the data path: which peer an outgoing packet's destination belongs
/// to, and whether a decrypted packet's source is one the sending peer may use. Each family has
/// its own path-compressed binary trie (a PATRICIA trie, as the kernel's and wireguard-go's
/// `allowedips` are), so a lookup visits at most one node per stored prefix on the way down, not
/// one per address bit. Keys are left-aligned in a `UInt128` so that bit `i` of an IPv4 and of an
/// IPv6 key is found the same way.
///
/// `Owner` is whatever identifies a peer to the caller (the device uses its peer slot number).
struct AllowedIPs<Owner: Hashable> {
    private var v4 = PrefixTrie<Owner>(maxBits: 32)
    private var v6 = PrefixTrie<Owner>(maxBits: 128)

    /// Adds `prefix` for `owner` and returns the owner it was taken from, if another peer held it
    /// (WireGuard moves a prefix to the peer that claims it last).
    @discardableResult
    mutating func insert(_ prefix: IPPrefix, owner: Owner) -> Owner? {
        switch prefix.address {
        case .v4(let a): v4.insert(key: UInt128(a.value) << 96, length: prefix.length, owner: owner)
        case .v6(let a): v6.insert(key: UInt128(a.high) << 64 | UInt128(a.low), length: prefix.length, owner: owner)
        }
    }

    /// Removes exactly `prefix` if `owner` holds it.
    mutating func remove(_ prefix: IPPrefix, owner: Owner) {
        switch prefix.address {
        case .v4(let a): v4.remove(key: UInt128(a.value) << 96, length: prefix.length, owner: owner)
        case .v6(let a): v6.remove(key: UInt128(a.high) << 64 | UInt128(a.low), length: prefix.length, owner: owner)
        }
    }

    /// The owner of the longest prefix that contains `address`.
    func lookup(_ address: IPAddress) -> Owner? {
        switch address {
        case .v4(let a): v4.lookup(UInt128(a.value) << 96)
        case .v6(let a): v6.lookup(UInt128(a.high) << 64 | UInt128(a.low))
        }
    }

    /// Longest-prefix match for the IPv4 address at `offset` in a packet header (the data path
    /// reads addresses straight from the packet).
    @inline(__always)
    func lookupIPv4(in packet: UnsafeRawBufferPointer, at offset: Int) -> Owner? {
        v4.lookup(UInt128(packet.loadBigEndianUInt32(at: offset)) << 96)
    }

    /// Longest-prefix match for the IPv6 address at `offset` in a packet header.
    @inline(__always)
    func lookupIPv6(in packet: UnsafeRawBufferPointer, at offset: Int) -> Owner? {
        v6.lookup(UInt128(packet.loadBigEndianUInt64(at: offset)) << 64 | UInt128(packet.loadBigEndianUInt64(at: offset + 8)))
    }

    mutating func removeAll() {
        v4 = PrefixTrie(maxBits: 32)
        v6 = PrefixTrie(maxBits: 128)
    }
}

/// One family's PATRICIA trie. Nodes live in one array and refer to each other by index, so the
/// table is a plain value with no reference cycles and lookups touch contiguous memory.
struct PrefixTrie<Owner: Hashable> {
    private struct Node {
        /// The node's prefix, left-aligned, bits after `length` zero.
        var key: UInt128
        var length: Int
        /// Set when this exact prefix is in the table; nil for a branching node.
        var owner: Owner?
        var children: (Int32, Int32) = (-1, -1)

        func child(_ bit: Int) -> Int32 { bit == 0 ? children.0 : children.1 }
        mutating func setChild(_ bit: Int, _ index: Int32) {
            if bit == 0 { children.0 = index } else { children.1 = index }
        }
        var childCount: Int { (children.0 >= 0 ? 1 : 0) + (children.1 >= 0 ? 1 : 0) }
    }

    private let maxBits: Int
    private var nodes: [Node] = []
    private var free: [Int32] = []
    private var root: Int32 = -1

    init(maxBits: Int) { self.maxBits = maxBits }

    @inline(__always)
    private static func mask(_ length: Int) -> UInt128 {
        length == 0 ? 0 : ~UInt128(0) << UInt128(128 - length)
    }

    @inline(__always)
    private static func bit(_ key: UInt128, at index: Int) -> Int {
        Int(truncatingIfNeeded: (key >> UInt128(127 - index)) & 1)
    }

    private static func commonLength(_ a: UInt128, _ b: UInt128) -> Int {
        (a ^ b).leadingZeroBitCount
    }

    private mutating func allocate(_ node: Node) -> Int32 {
        if let index = free.popLast() {
            nodes[Int(index)] = node
            return index
        }
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    private mutating func release(_ index: Int32) {
        nodes[Int(index)].owner = nil
        nodes[Int(index)].children = (-1, -1)
        free.append(index)
    }

    /// Replaces the link that points at `old` (the root or a parent's child) with `new`.
    private mutating func relink(parent: Int32, bit: Int, to new: Int32) {
        if parent < 0 { root = new } else { nodes[Int(parent)].setChild(bit, new) }
    }

    mutating func insert(key rawKey: UInt128, length: Int, owner: Owner) -> Owner? {
        precondition((0...maxBits).contains(length))
        let key = rawKey & Self.mask(length)
        var parent: Int32 = -1
        var parentBit = 0
        var current = root
        while current >= 0 {
            let node = nodes[Int(current)]
            let common = min(Self.commonLength(node.key, key), node.length, length)
            if common == node.length, common == length {
                let previous = node.owner
                nodes[Int(current)].owner = owner
                return previous == owner ? nil : previous
            }
            if common == node.length {
                // `node` is a proper ancestor of the new prefix: go down.
                parent = current
                parentBit = Self.bit(key, at: node.length)
                current = node.child(parentBit)
                continue
            }
            if common == length {
                // The new prefix is a proper ancestor of `node`: put it above.
                var fresh = Node(key: key, length: length, owner: owner)
                fresh.setChild(Self.bit(node.key, at: length), current)
                relink(parent: parent, bit: parentBit, to: allocate(fresh))
                return nil
            }
            // They diverge below both: a branching node at the first differing bit.
            let leaf = allocate(Node(key: key, length: length, owner: owner))
            var branch = Node(key: key & Self.mask(common), length: common, owner: nil)
            branch.setChild(Self.bit(key, at: common), leaf)
            branch.setChild(Self.bit(node.key, at: common), current)
            relink(parent: parent, bit: parentBit, to: allocate(branch))
            return nil
        }
        relink(parent: parent, bit: parentBit, to: allocate(Node(key: key, length: length, owner: owner)))
        return nil
    }

    mutating func remove(key rawKey: UInt128, length: Int, owner: Owner) {
        let key = rawKey & Self.mask(length)
        // Find the exact node, remembering the path for clean-up.
        var path: [(index: Int32, bit: Int)] = []
        var current = root
        while current >= 0 {
            let node = nodes[Int(current)]
            if node.length > length || (node.key ^ key) & Self.mask(node.length) != 0 { return }
            if node.length == length { break }
            let bit = Self.bit(key, at: node.length)
            path.append((current, bit))
            current = node.child(bit)
        }
        guard current >= 0, nodes[Int(current)].owner == owner else { return }
        nodes[Int(current)].owner = nil
        // Remove nodes that no longer carry a prefix and no longer branch.
        var index = current
        while index >= 0 {
            let node = nodes[Int(index)]
            guard node.owner == nil, node.childCount < 2 else { return }
            let replacement = node.children.0 >= 0 ? node.children.0 : node.children.1
            let parent = path.popLast()
            relink(parent: parent?.index ?? -1, bit: parent?.bit ?? 0, to: replacement)
            release(index)
            // Only a parent left with one child and no prefix can now be spliced out too.
            index = parent?.index ?? -1
        }
    }

    func lookup(_ address: UInt128) -> Owner? {
        var best: Owner? = nil
        var current = root
        while current >= 0 {
            let node = nodes[Int(current)]
            if (node.key ^ address) & Self.mask(node.length) != 0 { break }
            if let owner = node.owner { best = owner }
            if node.length == maxBits { break }
            current = node.child(Self.bit(address, at: node.length))
        }
        return best
    }
}
