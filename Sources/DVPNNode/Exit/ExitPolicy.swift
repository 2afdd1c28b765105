public import DVPNNodeAPI
public import DVPNTunnel

/// What clients of this exit may reach (DESIGN.md "The node is the exit", issue 8 item 7,
/// `docs/exit.md`): the built-in refusals, the node's own addresses, and the operator's
/// `--allow`/`--deny` rules, compiled for the tunnel core into a `DestinationFilter`.
///
/// Precedence (`DestinationRule.precedes`): the most specific prefix wins; at equal length a rule
/// with ports beats one with only a protocol, which beats one without either; then an operator's
/// rule beats a built-in one; then deny beats allow. A destination no rule covers is allowed.
/// So `--allow 10.99.0.0/16` opens that range (longer than the built-in 10.0.0.0/8),
/// `--allow 0.0.0.0/0` does not open 10.0.0.0/8 or port 25, and `--allow 0.0.0.0/0:25/tcp` does
/// open port 25 (same prefix and specificity as the built-in refusal, and the operator's).
public struct ExitPolicy: Sendable, Hashable {
    /// The destinations every exit refuses unless the operator allows them: "this" network,
    /// RFC 1918 private ranges, CGNAT (RFC 6598), loopback, link-local, multicast and reserved
    /// IPv4; IPv6 loopback, unique-local, link-local and multicast.
    public static let refusedRanges = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    ]

    /// Outbound mail submission to any host, the classic abuse of open exits.
    public static let refusedPorts = ["0.0.0.0/0:25/tcp", "[::/0]:25/tcp"]

    /// The operator's `--allow` rules.
    public var allow: [DestinationRule]
    /// The operator's `--deny` rules.
    public var deny: [DestinationRule]
    /// The node's own addresses (every interface's, the tunnel's included): refused as hosts, so
    /// that clients cannot reach services listening on the operator's machine.
    public var ownAddresses: [IPAddress]

    public init(allow: [DestinationRule] = [], deny: [DestinationRule] = [], ownAddresses: [IPAddress] = []) {
        self.allow = allow.map { var r = $0; r.action = .allow; r.origin = .operatorRule; return r }
        self.deny = deny.map { var r = $0; r.action = .deny; r.origin = .operatorRule; return r }
        self.ownAddresses = ownAddresses
    }

    /// Parses `--allow`/`--deny` arguments (`DestinationRule`'s syntax).
    public init(allowing allow: [String], denying deny: [String], ownAddresses: [IPAddress] = []) throws(NodeError) {
        func parse(_ texts: [String], _ action: DestinationRule.Action, _ flag: String) throws(NodeError) -> [DestinationRule] {
            var rules: [DestinationRule] = []
            for text in texts {
                do {
                    rules.append(try DestinationRule(parsing: text, action: action))
                } catch {
                    throw NodeError(.configuration, "\(flag) \(error.reason)")
                }
            }
            return rules
        }
        self.init(allow: try parse(allow, .allow, "--allow"), deny: try parse(deny, .deny, "--deny"), ownAddresses: ownAddresses)
    }

    /// The built-in refusals: the ranges, port 25, and each own address as a host prefix.
    public var builtInRules: [DestinationRule] {
        let texts = Self.refusedRanges + Self.refusedPorts
        // The built-in texts are constants checked by the tests, so parsing cannot fail.
        let fixed = texts.compactMap { try? DestinationRule(parsing: $0, action: .deny, origin: .builtIn) }
        let own = ownAddresses.map { DestinationRule(.deny, IPPrefix(host: $0.unmappingIPv4), origin: .builtIn) }
        return fixed + own
    }

    /// Every rule: built-in ones, then the operator's (order does not matter; precedence does).
    public var rules: [DestinationRule] { builtInRules + allow + deny }

    /// The policy as the tunnel core checks it (`WireGuardDevice.destinationFilter`).
    public var filter: DestinationFilter { DestinationFilter(rules: rules) }
}
