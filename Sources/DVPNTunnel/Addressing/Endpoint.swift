/// Where a peer's UDP datagrams go: an address and a port. The text forms are the ones `wg`
/// prints and wg-quick's `Endpoint =` takes once the host name is resolved: `1.2.3.4:51820` and
/// `[fd00::1]:51820`.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses `a.b.c.d:port` or `[v6]:port`. Host names are not resolved here (the core does no
    /// I/O); the configuration layer resolves them first.
    public init(parsing text: String) throws(TunnelError) {
        let bytes = Array(text.utf8)
        let hostText: String
        let portText: Substring
        if bytes.first == UInt8(ascii: "[") {
            guard let close = text.firstIndex(of: "]"),
                  text[text.index(after: close)...].hasPrefix(":")
            else { throw TunnelError(.invalidEndpoint, "'\(text)' is not [IPv6]:port") }
            hostText = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else {
                throw TunnelError(.invalidEndpoint, "'\(text)' is not address:port (IPv6 needs brackets)")
            }
            hostText = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = UInt16(portText)
        else { throw TunnelError(.invalidEndpoint, "'\(text)' has an invalid port") }
        do {
            address = try IPAddress(parsing: hostText)
        } catch {
            throw TunnelError(.invalidEndpoint, "'\(text)' is not an endpoint: \(error.reason)")
        }
        if bytes.first == UInt8(ascii: "["), address.isIPv4 {
            throw TunnelError(.invalidEndpoint, "'\(text)' puts an IPv4 address in brackets")
        }
        self.port = port
    }

    public init?(_ description: String) {
        guard let e = try? Endpoint(parsing: description) else { return nil }
        self = e
    }

    public var description: String {
        switch address {
        case .v4: "\(address):\(port)"
        case .v6: "[\(address)]:\(port)"
        }
    }
}
