import DVPNTunnel

/// The inner addresses an exit hands to its clients (docs/operator.md, "Addresses"): client `i`
/// of the pool gets `v4 base + i` and `v6 base + i`; index 1 is the exit's own address (the
/// gateway), so clients start at 2. Pure; the session manager allocates at admission and releases
/// when the session ends.
struct AddressPool: Sendable {
    /// The IPv4 network (/16 to /30) and the IPv6 one (/64 to /120), host bits zero.
    let ipv4Base: IPv4Address
    let ipv4Length: Int
    let ipv6Base: IPv6Address
    let ipv6Length: Int
    private var used: Set<UInt32> = []
    private var nextHint: UInt32 = 2

    /// 10.88.0.0/16 and fd00:88::/64 by default: private ranges rarely used by home networks.
    init(
        ipv4Base: IPv4Address = IPv4Address(10, 88, 0, 0), ipv4Length: Int = 16,
        ipv6Base: IPv6Address = IPv6Address(groups: [0xfd00, 0x88, 0, 0, 0, 0, 0, 0]), ipv6Length: Int = 64
    ) {
        precondition((16...30).contains(ipv4Length), "the IPv4 pool must be /16 to /30")
        precondition((64...120).contains(ipv6Length), "the IPv6 pool must be /64 to /120")
        self.ipv4Base = ipv4Base
        self.ipv4Length = ipv4Length
        self.ipv6Base = ipv6Base
        self.ipv6Length = ipv6Length
    }

    /// How many clients fit: the IPv4 hosts minus network, gateway and broadcast.
    var capacity: Int { (1 << (32 - ipv4Length)) - 3 }

    var count: Int { used.count }

    /// The exit's own addresses (index 1), with the pools' prefix lengths.
    var gateway: (ipv4: IPAddress, ipv6: IPAddress) { (address(v4: 1), address(v6: 1)) }

    /// A free pair of addresses, or nil when the pool is full.
    mutating func allocate() -> (index: UInt32, ipv4: IPAddress, ipv6: IPAddress)? {
        let size = UInt32(capacity)
        guard used.count < capacity else { return nil }
        var index = nextHint
        for _ in 0..<size {
            if index < 2 || index >= size + 2 { index = 2 }
            if !used.contains(index) {
                used.insert(index)
                nextHint = index + 1
                return (index, address(v4: index), address(v6: index))
            }
            index += 1
        }
        return nil
    }

    mutating func release(_ index: UInt32) { used.remove(index) }

    private func address(v4 index: UInt32) -> IPAddress { .v4(IPv4Address(value: ipv4Base.value | index)) }

    private func address(v6 index: UInt32) -> IPAddress { .v6(IPv6Address(high: ipv6Base.high, low: ipv6Base.low | UInt64(index))) }
}
