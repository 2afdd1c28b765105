import DVPNLedger

/// Where a peer listens: a host (name, IPv4 or IPv6 literal) and a TCP port. Parsed from the
/// `--peers HOST:PORT,…` list and carried in PEX answers.
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible, CanonicalCodable {
    /// A DNS name is at most 253 bytes.
    public static let maxHostLength = 253

    public let host: String
    public let port: UInt16

    public init(host: String, port: UInt16) throws(GossipError) {
        guard !host.isEmpty, host.utf8.count <= Self.maxHostLength,
              host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }), port != 0
        else {
            throw GossipError(.invalidConfiguration, "peer address \(String(reflecting: String(host.prefix(64)))):\(port) is not a host and a non-zero port")
        }
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port`.
    public init(parsing text: String) throws(GossipError) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw GossipError(.invalidConfiguration, "peer address \(text) has no port") }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw GossipError(.invalidConfiguration, "peer address \(text) is not HOST:PORT")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portPart) else { throw GossipError(.invalidConfiguration, "peer address \(text) has no valid port") }
        try self.init(host: String(hostPart), port: port)
    }

    /// Parses a comma-separated `--peers` list; empty entries are skipped.
    public static func parseList(_ text: String) throws(GossipError) -> [PeerAddress] {
        var result: [PeerAddress] = []
        for item in text.split(separator: ",") {
            let trimmed = String(item.filter { $0 != " " && $0 != "\t" })
            if !trimmed.isEmpty { result.append(try PeerAddress(parsing: trimmed)) }
        }
        return result
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(string: host, maxLength: Self.maxHostLength, field: "host")
        encoder.encode(port)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let host = try decoder.decodeString(maxLength: Self.maxHostLength, field: "host")
        let port = try decoder.decodeUInt16(field: "port")
        do {
            try self.init(host: host, port: port)
        } catch {
            throw LedgerError(.outOfRange, error.reason)
        }
    }
}

/// The payload of a `pexResponse`: at most `maxCount` addresses.
public struct PeerAddressList: Hashable, Sendable, CanonicalCodable {
    public static let maxCount = 64

    public let addresses: [PeerAddress]

    public init(_ addresses: [PeerAddress]) {
        self.addresses = Array(addresses.prefix(Self.maxCount))
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(array: addresses, maxCount: Self.maxCount, field: "addresses")
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        addresses = try decoder.decodeArray(of: PeerAddress.self, maxCount: Self.maxCount, field: "addresses")
    }
}
