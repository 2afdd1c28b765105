/// An exit's destination policy in the form the data path uses: the decrypted packets a peer
/// sends are checked against it before they are written to the TUN device, and refused ones are
/// dropped and counted (`WireGuardDevice.destinationFilter`, `docs/exit.md`).
///
/// The rules are sorted once, by `DestinationRule.precedes` (most specific prefix first), so the
/// first rule that matches a packet decides; a packet no rule matches is allowed. Each family's
/// rules are a flat array of masked 128-bit keys: a check is a few dozen compares on one cache
/// line or two, with no allocation, which is cheap next to the ~1.5 µs the AEAD takes per packet.
/// Policies have tens of rules; a trie would only pay off with thousands.
public struct DestinationFilter: Sendable {
    /// The rules in precedence order.
    public let rules: [DestinationRule]
    private let v4: [CompiledRule]
    private let v6: [CompiledRule]

    public init(rules: [DestinationRule]) {
        // A stable sort keeps the given order among rules of equal precedence (they agree).
        let sorted = rules.enumerated().sorted { a, b in
            if DestinationRule.precedes(a.element, b.element) { return true }
            if DestinationRule.precedes(b.element, a.element) { return false }
            return a.offset < b.offset
        }.map(\.element)
        self.rules = sorted
        v4 = sorted.filter { $0.prefix.address.isIPv4 }.map(CompiledRule.init)
        v6 = sorted.filter { !$0.prefix.address.isIPv4 }.map(CompiledRule.init)
    }

    /// Whether a packet to `destination` with this transport protocol and destination port may
    /// leave (`port` nil: none or unknown, as for ICMP or a later fragment).
    public func permits(_ destination: IPAddress, protocol transport: UInt8, port: UInt16?) -> Bool {
        let portValue = port.map(Int32.init) ?? PacketDestination.unknownPort
        switch destination {
        case .v4(let a): return Self.decide(v4, key: UInt128(a.value) << 96, transport: transport, port: portValue)
        case .v6(let a): return Self.decide(v6, key: UInt128(a.high) << 64 | UInt128(a.low), transport: transport, port: portValue)
        }
    }

    /// Whether the IP packet may leave: the data-path check. `packet` is a whole IPv4 or IPv6
    /// packet whose header length fields the caller has checked against its size. A packet whose
    /// headers cannot be followed to a destination port where one is needed is treated as
    /// conservatively as `PacketDestination` says.
    @inline(__always)
    public func permits(packet: UnsafeRawBufferPointer) -> Bool {
        guard let destination = PacketDestination(packet) else { return false }
        return Self.decide(
            destination.isIPv6 ? v6 : v4, key: destination.key, transport: destination.transport,
            port: destination.port)
    }

    @inline(__always)
    private static func decide(_ rules: [CompiledRule], key: UInt128, transport: UInt8, port: Int32) -> Bool {
        for rule in rules where key & rule.mask == rule.network {
            if rule.transport != 0, rule.transport != transport { continue }
            if rule.hasPorts {
                if rule.transport == 0, transport != TCPUDP.tcp, transport != TCPUDP.udp { continue }
                // An unknown port: a port rule that denies still applies (fail closed), one
                // that allows does not.
                if port < 0 {
                    if rule.allows { continue }
                    return false
                }
                if port < rule.portLow || port > rule.portHigh { continue }
            }
            return rule.allows
        }
        return true
    }

    /// A rule as the data path reads it: the prefix left-aligned in 128 bits (as `AllowedIPs`).
    private struct CompiledRule: Sendable {
        var network: UInt128
        var mask: UInt128
        var portLow: Int32
        var portHigh: Int32
        var hasPorts: Bool
        /// 0: any protocol.
        var transport: UInt8
        var allows: Bool

        init(_ rule: DestinationRule) {
            let length = rule.prefix.length
            mask = length == 0 ? 0 : ~UInt128(0) << UInt128(128 - length)
            switch rule.prefix.address {
            case .v4(let a): network = UInt128(a.value) << 96
            case .v6(let a): network = UInt128(a.high) << 64 | UInt128(a.low)
            }
            portLow = Int32(rule.ports?.lowerBound ?? 0)
            portHigh = Int32(rule.ports?.upperBound ?? 0)
            hasPorts = rule.ports != nil
            transport = rule.transport?.rawValue ?? 0
            allows = rule.action == .allow
        }
    }
}

enum TCPUDP {
    static let tcp: UInt8 = 6
    static let udp: UInt8 = 17
}
