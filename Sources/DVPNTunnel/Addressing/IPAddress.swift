/// An IPv4 address as its 32-bit value in network order read as a big-endian integer, so
/// `10.0.0.1` is `0x0A00_0001` and integer order is address order.
public struct IPv4Address: Hashable, Comparable, Sendable {
    public var value: UInt32

    public init(value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// The four bytes in network order.
    public var bytes: [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv6 address as two 64-bit halves, each the big-endian reading of eight network-order bytes.
public struct IPv6Address: Hashable, Comparable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Builds an address from its eight 16-bit groups, as written in text.
    public init(groups: [UInt16]) {
        precondition(groups.count == 8, "an IPv6 address has eight groups")
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<4 { high = high << 16 | UInt64(groups[i]) }
        for i in 4..<8 { low = low << 16 | UInt64(groups[i]) }
        self.init(high: high, low: low)
    }

    /// The eight 16-bit groups, most significant first.
    public var groups: [UInt16] {
        (0..<8).map { i in
            let half = i < 4 ? high : low
            return UInt16(truncatingIfNeeded: half >> (UInt64(3 - i % 4) * 16))
        }
    }

    /// The sixteen bytes in network order.
    public var bytes: [UInt8] {
        (0..<16).map { i in
            let half = i < 8 ? high : low
            return UInt8(truncatingIfNeeded: half >> (UInt64(7 - i % 8) * 8))
        }
    }

    /// `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2): how a dual-stack socket reports an IPv4 peer.
    public var mappedIPv4: IPv4Address? {
        guard high == 0, low >> 32 == 0xFFFF else { return nil }
        return IPv4Address(value: UInt32(truncatingIfNeeded: low))
    }

    public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// An IP address of either family. Text forms follow RFC 4291 §2.2 for parsing and RFC 5952 for
/// printing (what `wg show` prints); no Foundation or libc networking is involved, so the same
/// code runs in the core and in tests.
public enum IPAddress: Hashable, Comparable, Sendable {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Builds an address from its network-order bytes: 4 bytes make IPv4, 16 make IPv6.
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4:
            var v: UInt32 = 0
            for b in bytes { v = v << 8 | UInt32(b) }
            self = .v4(IPv4Address(value: v))
        case 16:
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (i, b) in bytes.enumerated() {
                if i < 8 { high = high << 8 | UInt64(b) } else { low = low << 8 | UInt64(b) }
            }
            self = .v6(IPv6Address(high: high, low: low))
        default:
            return nil
        }
    }

    /// The address's bytes in network order (4 or 16 of them).
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): a.bytes
        case .v6(let a): a.bytes
        }
    }

    /// 32 for IPv4, 128 for IPv6: the largest prefix length of the family.
    public var bitCount: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it stands for; any
    /// other address unchanged. Dual-stack sockets report IPv4 peers in the mapped form.
    public var unmappingIPv4: IPAddress {
        if case .v6(let a) = self, let v4 = a.mappedIPv4 { return .v4(v4) }
        return self
    }

    /// IPv4 sorts before IPv6; within a family, numeric order.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a), .v6(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}
