import DVPNCrypto
import DVPNLedger

/// Where a peer listens: a host (name, IPv4 or IPv6 literal) and a TCP port. Parsed from the
/// `--peers HOST:PORT,…` list and carried in PEX answers.
///
/// Text and hosts follow the project's one `HOST:PORT` syntax (`DVPNCrypto.HostPortText`, the same
/// parser as DVPNNode's `HostPort` for `node.toml` and the serve flags), with one difference by
/// purpose: a peer address is dialled, so port 0 ("any free port", fine for listening) is refused.
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible, CanonicalCodable {
    /// A DNS name is at most 253 bytes.
    public static let maxHostLength = HostPortText.maxHostLength

    public let host: String
    public let port: UInt16

    public init(host: String, port: UInt16) throws(GossipError) {
        if let problem = HostPortText.hostProblem(host) {
            throw GossipError(.invalidConfiguration, "peer address \(String(reflecting: String(host.prefix(64)))):\(port): \(problem)")
        }
        guard port != 0 else {
            throw GossipError(.invalidConfiguration, "peer address \(String(reflecting: String(host.prefix(64)))):0: port 0 cannot be dialled")
        }
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port` (`HostPortText`).
    public init(parsing text: String) throws(GossipError) {
        switch HostPortText.parse(text) {
        case .valid(let host, let port):
            // parse() bounds the port to 0...65535.
            try self.init(host: host, port: UInt16(clamping: port))
        case .invalid(let reason):
            throw GossipError(.invalidConfiguration, "peer address '\(text.prefix(80))' is not HOST:PORT: \(reason)")
        }
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

    public var description: String { HostPortText.format(host: host, port: Int(port)) }

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
