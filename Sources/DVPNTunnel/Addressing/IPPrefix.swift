/// An address prefix such as `10.0.0.0/24` or `fd00::/64`: what `AllowedIPs` lists.
///
/// Host bits are cleared on construction, as WireGuard's allowed-IPs table does, so `10.0.0.7/24`
/// and `10.0.0.0/24` are the same prefix and print as `10.0.0.0/24`.
public struct IPPrefix: Hashable, Comparable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    /// The network address (host bits zero).
    public let address: IPAddress
    /// The number of leading bits that matter: 0...32 for IPv4, 0...128 for IPv6.
    public let length: Int

    /// Builds a prefix; throws when `length` is out of range for the family.
    public init(address: IPAddress, length: Int) throws(TunnelError) {
        guard (0...address.bitCount).contains(length) else {
            throw TunnelError(.invalidPrefix, "prefix length \(length) is out of range for \(address)")
        }
        self.address = IPPrefix.masking(address, to: length)
        self.length = length
    }

    /// A prefix that covers exactly one address (`/32` or `/128`).
    public init(host address: IPAddress) {
        self.address = address
        self.length = address.bitCount
    }

    /// Parses `address/length`; a bare address is a host prefix, as `wg` accepts.
    public init(parsing text: String) throws(TunnelError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address: IPAddress
        do {
            address = try IPAddress(parsing: String(parts[0]))
        } catch {
            throw TunnelError(.invalidPrefix, "'\(text)' is not a prefix: \(error.reason)")
        }
        guard parts.count == 2 else {
            self.init(host: address)
            return
        }
        let lengthText = parts[1]
        guard !lengthText.isEmpty, lengthText.count <= 3, lengthText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let length = Int(lengthText), length <= address.bitCount
        else {
            throw TunnelError(.invalidPrefix, "'\(text)' has an invalid prefix length")
        }
        try self.init(address: address, length: length)
    }

    public init?(_ description: String) {
        guard let p = try? IPPrefix(parsing: description) else { return nil }
        self = p
    }

    public var description: String { "\(address)/\(length)" }

    /// True when `other` lies inside this prefix.
    public func contains(_ other: IPAddress) -> Bool {
        switch (address, other) {
        case (.v4, .v4), (.v6, .v6): IPPrefix.masking(other, to: length) == address
        default: false
        }
    }

    public static func < (lhs: IPPrefix, rhs: IPPrefix) -> Bool {
        (lhs.address, lhs.length) < (rhs.address, rhs.length)
    }

    /// `address` with every bit after the first `length` cleared.
    static func masking(_ address: IPAddress, to length: Int) -> IPAddress {
        switch address {
        case .v4(let a):
            let mask: UInt32 = length == 0 ? 0 : ~0 << UInt32(32 - length)
            return .v4(IPv4Address(value: a.value & mask))
        case .v6(let a):
            let highMask: UInt64 = length == 0 ? 0 : length >= 64 ? ~0 : ~0 << UInt64(64 - length)
            let lowMask: UInt64 = length <= 64 ? 0 : length == 128 ? ~0 : ~0 << UInt64(128 - length)
            return .v6(IPv6Address(high: a.high & highMask, low: a.low & lowMask))
        }
    }
}
