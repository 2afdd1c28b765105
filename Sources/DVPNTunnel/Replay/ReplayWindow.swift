/// The sliding-window replay filter for transport counters (whitepaper §5.4.6, RFC 6479).
///
/// A ring of 128 64-bit blocks tracks which of the most recent counters have been seen. When a
/// counter moves the window forward, only the blocks it skips over are cleared, so the cost is
/// independent of the jump. The window accepts any counter within 127 × 64 = 8128 of the
/// highest seen (more than the 2048 the whitepaper asks for, as wireguard-go and the Linux module
/// do), and each counter at most once.
struct ReplayWindow {
    private static let blockBits = 64
    private static let ringBlocks = 128
    private static let blockIndexMask = ringBlocks - 1
    /// How far behind the highest seen counter a counter may be and still be accepted.
    static let windowSize: UInt64 = UInt64((ringBlocks - 1) * blockBits)

    private var last: UInt64 = 0
    private var ring = [UInt64](repeating: 0, count: ringBlocks)

    /// Records `counter` and returns true when it is new, inside the window, and below `limit`;
    /// returns false, changing nothing, for a replay or a counter too old or too large.
    @inline(__always)
    mutating func validate(_ counter: UInt64, limit: UInt64) -> Bool {
        guard counter < limit else { return false }
        let blockIndex = counter >> 6
        if counter > last {
            let currentBlock = last >> 6
            var skipped = min(blockIndex - currentBlock, UInt64(Self.ringBlocks))
            var i = currentBlock
            while skipped > 0 {
                i &+= 1
                ring[Int(truncatingIfNeeded: i) & Self.blockIndexMask] = 0
                skipped -= 1
            }
            last = counter
        } else if last - counter > Self.windowSize {
            return false
        }
        let slot = Int(truncatingIfNeeded: blockIndex) & Self.blockIndexMask
        let bit: UInt64 = 1 << (counter & 63)
        let old = ring[slot]
        ring[slot] = old | bit
        return old & bit == 0
    }
}
