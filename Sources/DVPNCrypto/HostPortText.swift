/// The one syntax of `HOST:PORT` in this project: `node.toml`, `dvpn-node serve --p2p/--api/--peers`
/// (DVPNNode's `HostPort`) and the gossip layer's dialable `PeerAddress` (seeds and PEX answers)
/// all parse through here, so an address one of them accepts the others accept too.
///
/// It lives in DVPNCrypto, beside the project's other text forms (`AccountAddress`, `Base64`),
/// because that is the lowest module both DVPNNode and DVPNGossip depend on; nothing here is
/// cryptographic.
///
/// The rules:
/// - `HOST:PORT` with a name or IPv4 literal, or `[IPv6]:PORT`; an IPv6 literal must be in
///   brackets (`::1:80` is ambiguous and refused), and a bracketed host must be one (contain `:`);
/// - the host is 1...253 bytes (a DNS name's limit) of printable ASCII without space, `/`, `[`,
///   `]` (so a URL or a typo with a scheme never passes as a host);
/// - the port is 1 to 5 decimal digits (no sign, no spaces) with a value in 0...65535. Port 0
///   means "pick a free port" where a node listens; a dialable address refuses it itself.
///
/// A rejection is a value with a one-line reason (STYLE.md: expected rejections are values), so
/// each module wraps it in its own error type.
public enum HostPortText {
    public static let maxHostLength = 253

    public enum Parsed: Sendable, Equatable {
        case valid(host: String, port: Int)
        case invalid(reason: String)
    }

    public static func parse(_ text: String) -> Parsed {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .invalid(reason: "'[' without ']'") }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return .invalid(reason: "no ':PORT' after ']'") }
            portPart = rest.dropFirst()
            guard hostPart.contains(":") else { return .invalid(reason: "brackets are only for IPv6 literals") }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .invalid(reason: "no ':PORT'") }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            guard !hostPart.contains(":") else { return .invalid(reason: "an IPv6 host must be written [HOST]:PORT") }
        }
        if let problem = hostProblem(hostPart) { return .invalid(reason: problem) }
        guard (1...5).contains(portPart.utf8.count), portPart.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let port = Int(portPart), port <= 65535
        else { return .invalid(reason: "the port must be a number in 0...65535") }
        return .valid(host: String(hostPart), port: port)
    }

    /// Why `host` cannot be a host, or nil when it can (the host rules above, without the
    /// bracket rule, which belongs to the text form).
    public static func hostProblem(_ host: some StringProtocol) -> String? {
        guard !host.isEmpty else { return "the host is empty" }
        guard host.utf8.count <= maxHostLength else { return "the host is longer than \(maxHostLength) bytes" }
        guard host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "]") })
        else { return "the host holds a character other than printable ASCII (no space, '/', '[' or ']')" }
        return nil
    }

    /// The text form: `[host]:port` for an IPv6 literal, `host:port` otherwise.
    public static func format(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
