import DVPNNodeAPI
import DVPNTunnel
import Foundation
import Testing
@testable import DVPNNode

/// The exit's policy (defaults, own addresses, operator rules), its nftables table and what it
/// reads from `ip` (`docs/exit.md`). The namespace test is `Scripts/test/exit-policy.sh`.
@Suite struct ExitPolicyTests {
    static let tcp: UInt8 = 6
    static let udp: UInt8 = 17

    static func address(_ text: String) -> IPAddress { try! IPAddress(parsing: text) }

    @Test func refusesExactlyTheDefaultRanges() {
        let filter = ExitPolicy().filter
        let refused = [
            "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.5.5.5",
            "169.254.1.1", "172.16.0.1", "172.31.255.255", "192.168.0.1", "224.0.0.251", "239.255.255.250",
            "240.0.0.1", "255.255.255.255", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "ff02::1",
        ]
        for text in refused {
            #expect(!filter.permits(Self.address(text), protocol: Self.udp, port: 53), "\(text) must be refused")
        }
        // Just outside each range, and the documentation ranges the namespace test uses as "public".
        let allowed = [
            "1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
            "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255",
            "192.169.0.0", "223.255.255.255", "198.51.100.7", "203.0.113.9", "192.0.2.1", "8.8.8.8",
            "::2", "fbff::1", "fe00::1", "fec0::1", "2001:db8::1", "2606:4700::1111",
        ]
        for text in allowed {
            #expect(filter.permits(Self.address(text), protocol: Self.udp, port: 53), "\(text) must be allowed")
        }
        #expect(!filter.permits(Self.address("8.8.8.8"), protocol: Self.tcp, port: 25))
        #expect(!filter.permits(Self.address("2001:db8::1"), protocol: Self.tcp, port: 25))
        #expect(filter.permits(Self.address("8.8.8.8"), protocol: Self.tcp, port: 587))
        #expect(ExitPolicy().builtInRules.count == ExitPolicy.refusedRanges.count + ExitPolicy.refusedPorts.count)
    }

    @Test func refusesTheNodesOwnAddresses() {
        let policy = ExitPolicy(ownAddresses: [Self.address("203.0.113.1"), Self.address("2001:db8:5::1"), Self.address("::ffff:198.51.100.1")])
        let filter = policy.filter
        #expect(!filter.permits(Self.address("203.0.113.1"), protocol: Self.tcp, port: 22))
        #expect(filter.permits(Self.address("203.0.113.2"), protocol: Self.tcp, port: 22))
        #expect(!filter.permits(Self.address("2001:db8:5::1"), protocol: Self.udp, port: 53))
        #expect(!filter.permits(Self.address("198.51.100.1"), protocol: Self.udp, port: 53), "a mapped address is refused as IPv4")
    }

    @Test func operatorRulesChangeTheDefaults() throws {
        let policy = try ExitPolicy(
            allowing: ["10.99.0.0/16", "[::/0]:25/tcp"], denying: ["198.51.100.0/24:443/tcp", "2001:db8:bad::/48"],
            ownAddresses: [Self.address("10.99.0.1")])
        let filter = policy.filter
        #expect(filter.permits(Self.address("10.99.0.2"), protocol: Self.tcp, port: 80))
        #expect(!filter.permits(Self.address("10.99.0.1"), protocol: Self.tcp, port: 80), "own address: a /32 beats the /16")
        #expect(!filter.permits(Self.address("10.98.0.1"), protocol: Self.tcp, port: 80))
        #expect(filter.permits(Self.address("2001:db8::1"), protocol: Self.tcp, port: 25))
        #expect(!filter.permits(Self.address("8.8.8.8"), protocol: Self.tcp, port: 25), "only IPv6 port 25 was opened")
        #expect(!filter.permits(Self.address("198.51.100.5"), protocol: Self.tcp, port: 443))
        #expect(filter.permits(Self.address("198.51.100.5"), protocol: Self.tcp, port: 80))
        #expect(!filter.permits(Self.address("2001:db8:bad::7"), protocol: Self.udp, port: 1))
        #expect(policy.allow.allSatisfy { $0.action == .allow && $0.origin == .operatorRule })
        #expect(policy.deny.allSatisfy { $0.action == .deny && $0.origin == .operatorRule })
    }

    @Test func aBadRuleNamesItsFlag() {
        #expect(throws: NodeError.self) { try ExitPolicy(allowing: ["10.0.0.0/40"], denying: []) }
        do {
            _ = try ExitPolicy(allowing: [], denying: ["10.0.0.0/8:99999"])
            Issue.record("accepted a port out of range")
        } catch {
            #expect(error.reason.hasPrefix("--deny '10.0.0.0/8:99999'"), "\(error.reason)")
        }
    }

    @Test func firewallTableIsOurOwnAndForwardsOnlyToTheEgress() {
        let firewall = ExitFirewall(tunnelInterface: "wg-exit", egressInterface: "eth0")
        #expect(firewall.tableName == "dvpn-exit-wg-exit")
        let script = firewall.script
        #expect(script.hasPrefix("table inet dvpn-exit-wg-exit {"))
        for line in [
            "type filter hook forward priority filter; policy accept;",
            "iifname \"wg-exit\" oifname \"eth0\" accept",
            "iifname \"wg-exit\" counter drop",
            "iifname \"eth0\" oifname \"wg-exit\" ct state established,related accept",
            "oifname \"wg-exit\" counter drop",
            "type nat hook postrouting priority srcnat; policy accept;",
            "iifname \"wg-exit\" oifname \"eth0\" masquerade",
        ] {
            #expect(script.contains(line), "missing: \(line)")
        }
        // Nothing outside our table: no flush, no other table, no chain of someone else's.
        #expect(!script.contains("flush"))
        #expect(script.components(separatedBy: "table ").count == 2)
    }

    @Test func interfaceNames() {
        #expect(ExitConfiguration.isValidInterfaceName("wg0"))
        #expect(ExitConfiguration.isValidInterfaceName("dvpn-exit.1_=+"))
        for bad in ["", "sixteen-chars-xx", "wg 0", "wg\"0", "wg;0", "wg0\n"] {
            #expect(!ExitConfiguration.isValidInterfaceName(bad), "\(bad)")
        }
    }

    @Test func readsRoutesAndAddressesFromIP() {
        let routes = "default via 192.0.2.254 dev uplink0 proto static metric 100 \n"
        #expect(HostNetwork.interface(inRoutes: routes) == "uplink0")
        #expect(HostNetwork.interface(inRoutes: "") == nil)
        let listing = """
            1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
            1: lo    inet6 ::1/128 scope host noprefixroute \\       valid_lft forever preferred_lft forever
            2: uplink0    inet 203.0.113.1/24 scope global uplink0\\       valid_lft forever preferred_lft forever
            2: uplink0    inet 10.99.0.1/24 scope global uplink0\\       valid_lft forever preferred_lft forever
            2: uplink0    inet6 fe80::1/64 scope link \\       valid_lft forever preferred_lft forever
            """
        #expect(HostNetwork.addresses(inListing: listing) == ["127.0.0.1", "::1", "203.0.113.1", "10.99.0.1", "fe80::1"].map(Self.address))
    }

    @Test func stateFileRoundTrips() throws {
        let state = ExitHostState(table: "dvpn-exit-wg0", previousSysctls: [.ipv4: "0", .ipv6: "1"])
        let decoded = try JSONDecoder().decode(ExitHostState.self, from: JSONEncoder().encode(state))
        #expect(decoded == state)
        #expect(ForwardingSysctl.ipv4.path == "/proc/sys/net/ipv4/ip_forward")
        #expect(ForwardingSysctl.ipv6.path == "/proc/sys/net/ipv6/conf/all/forwarding")
    }
}
