/// The binary Merkle tree hash of RFC 6962 §2.1 over a list of items: leaves are
/// SHA-256(0x00 ‖ item), inner nodes SHA-256(0x01 ‖ left ‖ right), the split is at the largest
/// power of two below the count, and the empty list hashes to SHA-256 of nothing. Block headers
/// use it for their transactions and receipts.
public enum MerkleRoot {
    public static func of(_ items: [[UInt8]]) -> Hash256 {
        guard !items.isEmpty else { return Hash256.sha256([UInt8]()) }
        return Hash256(unchecked: root(items.map(leaf)[...]))
    }

    static func leaf(_ item: [UInt8]) -> [UInt8] {
        var h = [UInt8(0)]
        h.append(contentsOf: item)
        return Hash256.sha256(h).bytes
    }

    private static func root(_ hashes: ArraySlice<[UInt8]>) -> [UInt8] {
        if hashes.count == 1 { return hashes.first! }
        var split = 1
        while split * 2 < hashes.count { split *= 2 }
        let mid = hashes.startIndex + split
        var h = [UInt8(1)]
        h.append(contentsOf: root(hashes[..<mid]))
        h.append(contentsOf: root(hashes[mid...]))
        return Hash256.sha256(h).bytes
    }
}
