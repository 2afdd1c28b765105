/// The nftables table of one exit interface (nft(8)): forwarding from the tunnel out of the
/// egress interface only, the replies back, and masquerade (source NAT to the egress
/// interface's address) on the way out.
///
/// Everything lives in a table of our own, `inet dvpn-exit-IFACE`, loaded in one `nft -f`
/// transaction and removed with `delete table`, so that bringing it up is atomic and cleaning up
/// is total and never touches anybody else's rules. Chains of other tables still apply: a packet
/// must be accepted by every base chain on its hook, so a host firewall whose forward policy is
/// drop must let this traffic through itself (`docs/exit.md`).
public struct ExitFirewall: Sendable, Hashable {
    /// The tunnel interface clients arrive on.
    public var tunnelInterface: String
    /// The interface towards the internet.
    public var egressInterface: String

    public init(tunnelInterface: String, egressInterface: String) {
        self.tunnelInterface = tunnelInterface
        self.egressInterface = egressInterface
    }

    /// `dvpn-exit-IFACE`.
    public var tableName: String { Self.tableName(for: tunnelInterface) }

    public static func tableName(for tunnelInterface: String) -> String { "dvpn-exit-\(tunnelInterface)" }

    /// The `nft -f` script that creates the table. Interface names are matched by name, so the
    /// rules may be loaded before the tunnel interface exists.
    ///
    /// Forward chain: new traffic from the tunnel may leave only by the egress interface (no
    /// client-to-client traffic, no other LAN); only replies (conntrack established/related)
    /// come back in, so nothing on the egress side can open a connection to a client. TCP SYNs
    /// in both directions have their MSS clamped to the route's MTU, as tunnels on a smaller MTU
    /// need when ICMP "packet too big" is filtered on the way.
    public var script: String {
        let tun = Self.quoted(tunnelInterface)
        let egress = Self.quoted(egressInterface)
        return """
            table inet \(tableName) {
            \tchain forward {
            \t\ttype filter hook forward priority filter; policy accept;
            \t\tiifname \(tun) tcp flags syn tcp option maxseg size set rt mtu
            \t\toifname \(tun) tcp flags syn tcp option maxseg size set rt mtu
            \t\tiifname \(tun) oifname \(egress) accept
            \t\tiifname \(tun) counter drop
            \t\tiifname \(egress) oifname \(tun) ct state established,related accept
            \t\toifname \(tun) counter drop
            \t}
            \tchain postrouting {
            \t\ttype nat hook postrouting priority srcnat; policy accept;
            \t\tiifname \(tun) oifname \(egress) masquerade
            \t}
            }

            """
    }

    /// Interface names are at most 15 bytes of `[A-Za-z0-9_=+.-]` (checked by the command), so
    /// quoting needs no escapes.
    static func quoted(_ name: String) -> String { "\"\(name)\"" }
}
