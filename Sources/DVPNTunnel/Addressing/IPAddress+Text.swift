/// Text forms of IP addresses: dotted quads for IPv4 (RFC 791 notation, no leading zeros, as
/// glibc's `inet_pton` accepts), RFC 4291 §2.2 groups with one optional `::` and an optional
/// trailing dotted quad for IPv6; printing follows RFC 5952 §4 (lowercase, longest zero run
/// compressed, IPv4-mapped addresses with a dotted quad).
extension IPAddress: CustomStringConvertible, LosslessStringConvertible {
    /// Parses `text`, or returns nil. Use `init(parsing:)` for an error that says why.
    public init?(_ description: String) {
        guard let a = try? IPAddress(parsing: description) else { return nil }
        self = a
    }

    /// Parses an IPv4 or IPv6 address. Zone identifiers (`%eth0`) are not accepted.
    public init(parsing text: String) throws(TunnelError) {
        let utf8 = Array(text.utf8)
        if utf8.contains(UInt8(ascii: ":")) {
            guard let a = IPv6Address.parse(utf8[...]) else {
                throw TunnelError(.invalidAddress, "'\(text)' is not an IPv6 address")
            }
            self = .v6(a)
        } else {
            guard let a = IPv4Address.parse(utf8[...]) else {
                throw TunnelError(.invalidAddress, "'\(text)' is not an IPv4 address")
            }
            self = .v4(a)
        }
    }

    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }
}

extension IPv4Address: CustomStringConvertible {
    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    /// Four decimal octets 0...255 separated by dots; leading zeros are refused because some
    /// parsers read them as octal.
    static func parse(_ text: ArraySlice<UInt8>) -> IPv4Address? {
        var value: UInt32 = 0
        var octets = 0
        var current: UInt32 = 0
        var digits = 0
        var leadingZero = false
        for c in text {
            if c == UInt8(ascii: ".") {
                guard digits > 0, octets < 3 else { return nil }
                value = value << 8 | current
                octets += 1
                current = 0
                digits = 0
                continue
            }
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            if digits == 0 { leadingZero = c == UInt8(ascii: "0") } else if leadingZero { return nil }
            current = current * 10 + UInt32(c - UInt8(ascii: "0"))
            digits += 1
            guard current <= 255 else { return nil }
        }
        guard digits > 0, octets == 3 else { return nil }
        return IPv4Address(value: value << 8 | current)
    }
}

extension IPv6Address: CustomStringConvertible {
    public var description: String {
        let g = groups
        if let v4 = mappedIPv4 { return "::ffff:\(v4)" }
        // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first on a tie.
        var bestStart = -1
        var bestLength = 1
        var i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8, g[j] == 0 { j += 1 }
                if j - i > bestLength {
                    bestStart = i
                    bestLength = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            range.map { String(g[$0], radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    static func parse(_ text: ArraySlice<UInt8>) -> IPv6Address? {
        // Split at the one allowed "::" into a head and a tail of groups.
        var head: ArraySlice<UInt8> = text
        var tail: ArraySlice<UInt8>? = nil
        var i = text.startIndex
        while i < text.endIndex - 1 {
            if text[i] == UInt8(ascii: ":"), text[i + 1] == UInt8(ascii: ":") {
                guard tail == nil else { return nil }
                head = text[text.startIndex..<i]
                tail = text[(i + 2)...]
                i += 2
                continue
            }
            i += 1
        }
        guard var groups = parseGroups(head, allowIPv4: tail == nil) else { return nil }
        if let tail {
            guard let tailGroups = parseGroups(tail, allowIPv4: true),
                  groups.count + tailGroups.count <= 7
            else { return nil }
            groups += [UInt16](repeating: 0, count: 8 - groups.count - tailGroups.count) + tailGroups
        }
        guard groups.count == 8 else { return nil }
        return IPv6Address(groups: groups)
    }

    /// Colon-separated groups of one to four hex digits; the last may be a dotted IPv4 address
    /// (two groups) when `allowIPv4`. An empty input is zero groups.
    private static func parseGroups(_ text: ArraySlice<UInt8>, allowIPv4: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (n, part) in parts.enumerated() {
            if n == parts.count - 1, allowIPv4, part.contains(UInt8(ascii: ".")) {
                guard let v4 = IPv4Address.parse(part) else { return nil }
                groups.append(UInt16(truncatingIfNeeded: v4.value >> 16))
                groups.append(UInt16(truncatingIfNeeded: v4.value))
                continue
            }
            guard (1...4).contains(part.count) else { return nil }
            var v: UInt16 = 0
            for c in part {
                guard let d = hexDigit(c) else { return nil }
                v = v << 4 | UInt16(d)
            }
            groups.append(v)
        }
        return groups
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
