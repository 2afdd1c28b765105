/// Counts the inner (decrypted IP) bytes of one session in both directions (issue 8 item 4: both
/// ends count, each its own way). The client's meter sets what it signs; the node's meter what it
/// serves. Counters saturate instead of trapping: 2^64 bytes cannot be reached, but the count
/// comes from traffic, and traffic never traps.
public struct ByteMeter: Hashable, Sendable, CustomStringConvertible {
    /// Bytes from the client towards the internet (client sent, node received).
    public private(set) var upstream: UInt64 = 0
    /// Bytes from the internet towards the client (node sent, client received).
    public private(set) var downstream: UInt64 = 0

    public init() {}

    public init(upstream: UInt64, downstream: UInt64) {
        self.upstream = upstream
        self.downstream = downstream
    }

    public mutating func countUpstream(_ bytes: Int) { upstream = Self.add(upstream, bytes) }
    public mutating func countDownstream(_ bytes: Int) { downstream = Self.add(downstream, bytes) }

    /// Both directions together: what the price per GiB applies to.
    public var total: UInt64 {
        let (sum, overflow) = upstream.addingReportingOverflow(downstream)
        return overflow ? .max : sum
    }

    public var description: String { "↑\(upstream) ↓\(downstream) bytes" }

    private static func add(_ counter: UInt64, _ bytes: Int) -> UInt64 {
        guard bytes > 0 else { return counter }
        let (sum, overflow) = counter.addingReportingOverflow(UInt64(bytes))
        return overflow ? .max : sum
    }
}
