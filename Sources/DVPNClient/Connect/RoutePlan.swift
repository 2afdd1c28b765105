/// The routes and policy rules that send all traffic through the tunnel except the tunnel's own
/// UDP, exactly as wg-quick(8) does for a `0.0.0.0/0, ::/0` peer, as data: each step is the `ip`
/// arguments that add something and the arguments that remove exactly it, so the plan and its
/// inverse are generated together and can be tested without touching the system.
///
/// Per address family the tunnel has an address in:
///
///     ip -4 route add 0.0.0.0/0 dev IF table T
///     ip -4 rule add not fwmark T table T
///     ip -4 rule add table main suppress_prefixlength 0
///
/// The tunnel's UDP socket carries fwmark T (`FwMark = T` in its configuration), so its packets
/// skip table T and leave by the main table's default route; everything else finds T's default
/// route into the tunnel; `suppress_prefixlength 0` keeps the main table's more specific routes
/// (the local subnet, and the bypass routes below) in force while ignoring its default route.
///
/// Bypass routes (`/32`, `/128` in the main table, `via` the current gateway) keep the client's
/// own control traffic off the tunnel: the operator's session API (an exit refuses its own
/// addresses, docs/exit.md, and a dead exit must not take the vouchers and the failover's ledger
/// calls down with it) and the ledger nodes. Loopback destinations need none.
public struct RoutePlan: Sendable, Hashable {
    public struct Step: Sendable, Hashable {
        public let apply: [String]
        public let undo: [String]
    }

    /// A host route to keep outside the tunnel: what `ip route get HOST` said.
    public struct Bypass: Sendable, Hashable {
        public let host: String
        public let isIPv4: Bool
        public let gateway: String?
        public let device: String

        public init(host: String, isIPv4: Bool, gateway: String?, device: String) {
            self.host = host
            self.isIPv4 = isIPv4
            self.gateway = gateway
            self.device = device
        }
    }

    /// wg-quick's table and mark when no `FwMark` is configured.
    public static let defaultTable: UInt32 = 51_820

    public let interface: String
    public let table: UInt32
    public let steps: [Step]

    public init(interface: String, table: UInt32 = RoutePlan.defaultTable, ipv4: Bool, ipv6: Bool, bypass: [Bypass]) {
        self.interface = interface
        self.table = table
        var steps: [Step] = []
        for route in bypass {
            let family = route.isIPv4 ? "-4" : "-6"
            let host = route.host + (route.isIPv4 ? "/32" : "/128")
            var target = [host]
            if let gateway = route.gateway { target += ["via", gateway] }
            target += ["dev", route.device]
            steps.append(Step(apply: [family, "route", "add"] + target, undo: [family, "route", "del"] + target))
        }
        let t = String(table)
        for (family, present, everything) in [("-4", ipv4, "0.0.0.0/0"), ("-6", ipv6, "::/0")] where present {
            steps.append(Step(apply: [family, "route", "add", everything, "dev", interface, "table", t],
                              undo: [family, "route", "del", everything, "dev", interface, "table", t]))
            steps.append(Step(apply: [family, "rule", "add", "not", "fwmark", t, "table", t],
                              undo: [family, "rule", "del", "not", "fwmark", t, "table", t]))
            steps.append(Step(apply: [family, "rule", "add", "table", "main", "suppress_prefixlength", "0"],
                              undo: [family, "rule", "del", "table", "main", "suppress_prefixlength", "0"]))
        }
        self.steps = steps
    }

    /// The commands that add the plan, in order.
    public var applyCommands: [[String]] { steps.map(\.apply) }

    /// The commands that remove all of it: each step's inverse, in reverse order.
    public var undoCommands: [[String]] { steps.reversed().map(\.undo) }

    /// The inverse of the first `count` steps (what to run when applying failed after them).
    public func undoCommands(ofFirst count: Int) -> [[String]] { steps.prefix(count).reversed().map(\.undo) }
}
