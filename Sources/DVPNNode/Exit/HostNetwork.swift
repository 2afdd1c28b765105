import DVPNNodeAPI
import DVPNTunnel

/// What the exit reads about the host's network with iproute2's `ip`: the interface of the
/// default route (the egress when `--egress` is not given) and every address the host holds
/// (refused as destinations).
enum HostNetwork {
    /// The interface of the IPv4 default route, else of the IPv6 one.
    static func defaultRouteInterface() throws(NodeError) -> String {
        for family in ["-4", "-6"] {
            let routes = try HostCommand.run("ip", [family, "-o", "route", "show", "default"])
            if let name = interface(inRoutes: routes) { return name }
        }
        throw NodeError(.configuration, "there is no default route: name the egress interface with --egress")
    }

    /// The `dev` of the first line of `ip -o route show default` output.
    static func interface(inRoutes text: String) -> String? {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if let dev = words.firstIndex(of: "dev"), dev + 1 < words.count { return String(words[dev + 1]) }
        }
        return nil
    }

    /// Every address on every interface (`ip -o address show`).
    static func addresses() throws(NodeError) -> [IPAddress] {
        addresses(inListing: try HostCommand.run("ip", ["-o", "address", "show"]))
    }

    /// The addresses in `ip -o address show` output: the word after each `inet`/`inet6`, without
    /// its prefix length.
    static func addresses(inListing text: String) -> [IPAddress] {
        var found: [IPAddress] = []
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            for (i, word) in words.enumerated() where (word == "inet" || word == "inet6") && i + 1 < words.count {
                let text = words[i + 1].split(separator: "/").first.map(String.init) ?? ""
                if let address = try? IPAddress(parsing: text), !found.contains(address) { found.append(address) }
            }
        }
        return found
    }

    /// Whether an interface exists.
    static func interfaceExists(_ name: String) -> Bool {
        (try? HostCommand.run("ip", ["link", "show", "dev", name])) != nil
    }
}
