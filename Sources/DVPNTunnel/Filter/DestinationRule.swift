/// One rule of an exit's destination policy: allow or deny the packets whose destination lies in
/// `prefix`, optionally only those to some TCP/UDP ports or of one transport protocol.
///
/// Text form (`--allow`/`--deny` arguments, `docs/exit.md`):
///
/// ```
/// RULE  = TARGET [ "/" ( "tcp" | "udp" ) ]
/// TARGET = V4 [ ":" PORTS ]  |  V6  |  "[" V6 "]" [ ":" PORTS ]
/// V4    = a.b.c.d [ "/" LEN ]          V6 = x:…:x [ "/" LEN ]
/// PORTS = PORT | PORT "-" PORT          (1…65535)
/// ```
///
/// For example `10.99.0.0/16`, `0.0.0.0/0:25/tcp`, `192.0.2.7:1000-2000/udp`, `fc00::/7`,
/// `[2001:db8::/32]:443/tcp`. An IPv6 target with ports is bracketed, since its colons would
/// otherwise be ambiguous. A bare address is a host prefix (`/32` or `/128`).
public struct DestinationRule: Hashable, Sendable, CustomStringConvertible {
    public enum Action: Hashable, Sendable {
        case allow
        case deny
    }

    /// The transport protocols a rule can name (IANA protocol numbers).
    public enum TransportProtocol: UInt8, Hashable, Sendable {
        case tcp = 6
        case udp = 17
    }

    /// Where a rule came from. An operator's rule beats a built-in one of the same specificity.
    public enum Origin: Hashable, Sendable {
        case builtIn
        case operatorRule
    }

    public var action: Action
    public var prefix: IPPrefix
    /// Destination ports; nil means every port and also packets without ports (ICMP, …).
    public var ports: ClosedRange<UInt16>?
    /// Only this transport protocol; nil means any protocol (with `ports`: TCP and UDP).
    public var transport: TransportProtocol?
    public var origin: Origin

    public init(
        _ action: Action, _ prefix: IPPrefix, ports: ClosedRange<UInt16>? = nil, transport: TransportProtocol? = nil,
        origin: Origin = .operatorRule
    ) {
        self.action = action
        self.prefix = prefix
        self.ports = ports
        self.transport = transport
        self.origin = origin
    }

    /// Parses the text form above.
    public init(parsing text: String, action: Action, origin: Origin = .operatorRule) throws(TunnelError) {
        var rest = Substring(text)
        var transport: TransportProtocol?
        if let slash = rest.lastIndex(of: "/") {
            switch rest[rest.index(after: slash)...].lowercased() {
            case "tcp": transport = .tcp
            case "udp": transport = .udp
            default: break
            }
            if transport != nil { rest = rest[..<slash] }
        }
        var prefixText = rest
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw TunnelError(.invalidRule, "'\(text)': '[' without ']'")
            }
            prefixText = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw TunnelError(.invalidRule, "'\(text)': expected ':PORT' after ']'") }
                portText = after.dropFirst()
            }
        } else if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") {
            // One colon: an IPv4 target with ports (an IPv6 address has at least two).
            prefixText = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        let prefix: IPPrefix
        do {
            prefix = try IPPrefix(parsing: String(prefixText))
        } catch {
            throw TunnelError(.invalidRule, "'\(text)': \(error.reason)")
        }
        var ports: ClosedRange<UInt16>?
        if let portText {
            ports = try Self.parsePorts(portText, in: text)
        }
        self.init(action, prefix, ports: ports, transport: transport, origin: origin)
    }

    private static func parsePorts(_ text: Substring, in rule: String) throws(TunnelError) -> ClosedRange<UInt16> {
        func port(_ part: Substring) throws(TunnelError) -> UInt16 {
            guard !part.isEmpty, part.count <= 5, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = UInt16(part), value > 0
            else { throw TunnelError(.invalidRule, "'\(rule)': '\(part)' is not a port (1 to 65535)") }
            return value
        }
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let low = try port(parts[0])
        let high = parts.count == 2 ? try port(parts[1]) : low
        guard low <= high else { throw TunnelError(.invalidRule, "'\(rule)': port range \(low)-\(high) is empty") }
        return low...high
    }

    /// The text form, which parses back to the same rule (the action is not part of it).
    public var description: String {
        var text = prefix.description
        if let ports {
            if !prefix.address.isIPv4 { text = "[\(text)]" }
            text += ports.lowerBound == ports.upperBound ? ":\(ports.lowerBound)" : ":\(ports.lowerBound)-\(ports.upperBound)"
        }
        switch transport {
        case .tcp: text += "/tcp"
        case .udp: text += "/udp"
        case nil: break
        }
        return text
    }

    /// How narrowly the rule picks packets beyond its prefix: ports beat a protocol alone, which
    /// beats neither.
    var specificity: Int { ports != nil ? 2 : transport != nil ? 1 : 0 }

    /// The precedence order of `DestinationFilter`: the first rule in this order that matches a
    /// packet decides. Longer prefix first; then ports, then a protocol; then the operator's rules
    /// before built-in ones; then deny before allow. Ties after that cannot disagree.
    static func precedes(_ a: DestinationRule, _ b: DestinationRule) -> Bool {
        if a.prefix.length != b.prefix.length { return a.prefix.length > b.prefix.length }
        if a.specificity != b.specificity { return a.specificity > b.specificity }
        if a.origin != b.origin { return a.origin == .operatorRule }
        if a.action != b.action { return a.action == .deny }
        return false
    }
}
