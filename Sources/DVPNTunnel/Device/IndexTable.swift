import DVPNCrypto

/// Maps our 32-bit session indices to peers (whitepaper §5.4.1: `I_i`/`I_r`, chosen at random).
///
/// Every pending handshake and every key pair has a local index; the peer puts it in the
/// `receiver` field of what it sends us. The table only says which peer an index belongs to; the
/// peer's own state says whether it is the pending handshake or which key pair, so an entry can
/// never point at something stale.
struct IndexTable {
    private var entries: [UInt32: PeerID] = [:]

    subscript(index: UInt32) -> PeerID? {
        @inline(__always) get { entries[index] }
    }

    /// A fresh random index not in use, registered for `peer`.
    mutating func allocate(for peer: PeerID) -> UInt32 {
        while true {
            var index: UInt32 = 0
            withUnsafeMutableBytes(of: &index) { SecureRandom.fill($0) }
            if entries[index] == nil {
                entries[index] = peer
                return index
            }
        }
    }

    mutating func release(_ index: UInt32) {
        entries[index] = nil
    }

    mutating func removeAll() {
        entries = [:]
    }

    var count: Int { entries.count }
}
