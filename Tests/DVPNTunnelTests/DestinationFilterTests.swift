import Testing
@testable import DVPNTunnel

/// `DestinationRule` syntax, `DestinationFilter` precedence and `PacketDestination` parsing:
/// the exit policy as the core checks it (`docs/exit.md`).
@Suite struct DestinationFilterTests {
    static let tcp: UInt8 = 6
    static let udp: UInt8 = 17
    static let icmp: UInt8 = 1

    static func rule(_ text: String, _ action: DestinationRule.Action, _ origin: DestinationRule.Origin = .operatorRule) -> DestinationRule {
        try! DestinationRule(parsing: text, action: action, origin: origin)
    }

    static func address(_ text: String) -> IPAddress { try! IPAddress(parsing: text) }

    @Test func parsesEveryForm() throws {
        let cases: [(String, String, ClosedRange<UInt16>?, DestinationRule.TransportProtocol?)] = [
            ("10.0.0.0/8", "10.0.0.0/8", nil, nil),
            ("10.1.2.3", "10.1.2.3/32", nil, nil),
            ("0.0.0.0/0:25/tcp", "0.0.0.0/0", 25...25, .tcp),
            ("192.0.2.7:1000-2000/udp", "192.0.2.7/32", 1000...2000, .udp),
            ("198.51.100.0/24/UDP", "198.51.100.0/24", nil, .udp),
            ("203.0.113.0/24:53", "203.0.113.0/24", 53...53, nil),
            ("fc00::/7", "fc00::/7", nil, nil),
            ("::1", "::1/128", nil, nil),
            ("[2001:db8::/32]:443/tcp", "2001:db8::/32", 443...443, .tcp),
            ("[::]:53", "::/128", 53...53, nil),
            ("2001:db8::/32/udp", "2001:db8::/32", nil, .udp),
        ]
        for (text, prefix, ports, transport) in cases {
            let rule = try DestinationRule(parsing: text, action: .deny)
            #expect(rule.prefix == IPPrefix(prefix), "\(text)")
            #expect(rule.ports == ports, "\(text)")
            #expect(rule.transport == transport, "\(text)")
            // The text form parses back to the same rule.
            #expect(try DestinationRule(parsing: rule.description, action: .deny) == rule, "\(text) -> \(rule)")
        }
    }

    @Test func rejectsMalformedRules() {
        for text in ["", "10.0.0.0/33", "10.0.0.0/8:0", "10.0.0.0/8:65536", "10.0.0.0/8:20-10", "10.0.0.0/8:x/tcp",
                     "[fc00::/7", "[fc00::/7]25", "2001:db8::/32:443", "10.0.0.0/8/icmp", "example.com", "10.0.0.0/8:"] {
            #expect(throws: TunnelError.self, "\(text)") { try DestinationRule(parsing: text, action: .allow) }
        }
    }

    /// The default refusals of an exit, as `ExitPolicy` builds them, plus an operator's rules.
    static func exitLike(_ extra: [DestinationRule] = []) -> DestinationFilter {
        let ranges = ["10.0.0.0/8", "127.0.0.0/8", "192.168.0.0/16", "fc00::/7", "::1", "0.0.0.0/0:25/tcp", "[::/0]:25/tcp"]
        return DestinationFilter(rules: ranges.map { rule($0, .deny, .builtIn) } + extra)
    }

    @Test func mostSpecificPrefixWinsThenPortsThenOperatorThenDeny() {
        let plain = Self.exitLike()
        #expect(plain.permits(Self.address("198.51.100.7"), protocol: Self.tcp, port: 443))
        #expect(!plain.permits(Self.address("198.51.100.7"), protocol: Self.tcp, port: 25))
        #expect(plain.permits(Self.address("198.51.100.7"), protocol: Self.udp, port: 25), "port 25 is refused for TCP only")
        #expect(!plain.permits(Self.address("10.99.0.2"), protocol: Self.icmp, port: nil))
        #expect(!plain.permits(Self.address("fd12::1"), protocol: Self.udp, port: 53))
        #expect(!plain.permits(Self.address("::1"), protocol: Self.tcp, port: 80))
        #expect(!plain.permits(Self.address("2001:db8::1"), protocol: Self.tcp, port: 25))
        #expect(plain.permits(Self.address("2001:db8::1"), protocol: Self.tcp, port: 26))

        // A longer allowed prefix opens part of a refused range, port 25 included (longer wins).
        let opened = Self.exitLike([Self.rule("10.99.0.0/16", .allow)])
        #expect(opened.permits(Self.address("10.99.0.2"), protocol: Self.tcp, port: 80))
        #expect(opened.permits(Self.address("10.99.0.2"), protocol: Self.tcp, port: 25))
        #expect(!opened.permits(Self.address("10.98.0.2"), protocol: Self.tcp, port: 80))

        // Allowing everything does not open the more specific refusals, nor port 25.
        let everything = Self.exitLike([Self.rule("0.0.0.0/0", .allow)])
        #expect(!everything.permits(Self.address("10.1.1.1"), protocol: Self.udp, port: 53))
        #expect(!everything.permits(Self.address("198.51.100.7"), protocol: Self.tcp, port: 25))

        // Same prefix and specificity: the operator's rule beats the built-in one.
        let mail = Self.exitLike([Self.rule("0.0.0.0/0:25/tcp", .allow)])
        #expect(mail.permits(Self.address("198.51.100.7"), protocol: Self.tcp, port: 25))
        let lan = Self.exitLike([Self.rule("192.168.0.0/16", .allow)])
        #expect(lan.permits(Self.address("192.168.1.1"), protocol: Self.icmp, port: nil))

        // At equal length among the operator's rules, deny beats allow; ports beat none.
        let both = DestinationFilter(rules: [Self.rule("198.51.100.0/24", .allow), Self.rule("198.51.100.0/24", .deny)])
        #expect(!both.permits(Self.address("198.51.100.1"), protocol: Self.udp, port: 1))
        let web = DestinationFilter(rules: [Self.rule("198.51.100.0/24", .deny), Self.rule("198.51.100.0/24:443/tcp", .allow)])
        #expect(web.permits(Self.address("198.51.100.1"), protocol: Self.tcp, port: 443))
        #expect(!web.permits(Self.address("198.51.100.1"), protocol: Self.udp, port: 443))
        #expect(!web.permits(Self.address("198.51.100.1"), protocol: Self.tcp, port: 80))

        // Port ranges, and a port rule without a protocol covers TCP and UDP but not ICMP.
        let range = DestinationFilter(rules: [Self.rule("0.0.0.0/0:1000-2000", .deny)])
        #expect(!range.permits(Self.address("192.0.2.1"), protocol: Self.udp, port: 1000))
        #expect(!range.permits(Self.address("192.0.2.1"), protocol: Self.tcp, port: 2000))
        #expect(range.permits(Self.address("192.0.2.1"), protocol: Self.tcp, port: 2001))
        #expect(range.permits(Self.address("192.0.2.1"), protocol: Self.icmp, port: nil))

        // The order the rules are given in does not matter: sorted by precedence, same answers.
        let given = Self.exitLike([Self.rule("10.99.0.0/16", .allow), Self.rule("0.0.0.0/0:25/tcp", .allow)])
        let reversed = DestinationFilter(rules: given.rules.reversed())
        for (a, b) in zip(reversed.rules, reversed.rules.dropFirst()) {
            #expect(!DestinationRule.precedes(b, a), "\(b) must not come after \(a)")
        }
        for text in ["10.99.0.2", "10.1.0.1", "198.51.100.7", "127.0.0.1", "192.168.1.1", "fd00::1", "2001:db8::1", "::1"] {
            for (transport, port) in [(Self.tcp, UInt16(25)), (Self.tcp, 80), (Self.udp, 25)] {
                #expect(given.permits(Self.address(text), protocol: transport, port: port)
                    == reversed.permits(Self.address(text), protocol: transport, port: port), "\(text) \(transport) \(port)")
            }
        }
        #expect(given.permits(Self.address("198.51.100.7"), protocol: Self.tcp, port: 25))
    }

    @Test func readsTheDestinationOfPackets() {
        let filter = Self.exitLike([Self.rule("198.51.100.9:53/udp", .allow), Self.rule("198.51.100.9", .deny)])
        func check(_ packet: [UInt8]) -> Bool { packet.withUnsafeBytes { filter.permits(packet: $0) } }
        #expect(check(FilterPackets.v4(to: "198.51.100.7", protocol: Self.tcp, port: 443)))
        #expect(!check(FilterPackets.v4(to: "198.51.100.7", protocol: Self.tcp, port: 25)))
        #expect(!check(FilterPackets.v4(to: "10.99.0.2", protocol: Self.udp, port: 53)))
        #expect(check(FilterPackets.v4(to: "198.51.100.9", protocol: Self.udp, port: 53)))
        #expect(!check(FilterPackets.v4(to: "198.51.100.9", protocol: Self.udp, port: 54)))
        // A later fragment has no ports: refused by a denying port rule, not let in by an allowing one.
        #expect(!check(FilterPackets.v4(to: "198.51.100.7", protocol: Self.tcp, port: 443, fragmentOffset: 185)))
        #expect(check(FilterPackets.v4(to: "198.51.100.7", protocol: Self.udp, port: 443, fragmentOffset: 185)))
        #expect(!check(FilterPackets.v4(to: "198.51.100.9", protocol: Self.udp, port: 53, fragmentOffset: 185)))
        // An IPv4 header length that does not fit is unreadable, hence refused.
        var bad = FilterPackets.v4(to: "198.51.100.7", protocol: Self.udp, port: 53)
        bad[0] = 0x4F
        #expect(!check(Array(bad.prefix(40))))
        bad[0] = 0x44
        #expect(!check(bad))

        #expect(check(FilterPackets.v6(to: "2001:db8::1", protocol: Self.tcp, port: 443)))
        #expect(!check(FilterPackets.v6(to: "2001:db8::1", protocol: Self.tcp, port: 25)))
        #expect(!check(FilterPackets.v6(to: "fd00::9", protocol: Self.udp, port: 53)))
        // Extension headers are followed to the transport header.
        let options = [(type: UInt8(0), bytes: FilterPackets.optionsHeader), (type: UInt8(60), bytes: FilterPackets.optionsHeader)]
        #expect(!check(FilterPackets.v6(to: "2001:db8::1", protocol: Self.tcp, port: 25, extensions: options)))
        #expect(check(FilterPackets.v6(to: "2001:db8::1", protocol: Self.tcp, port: 443, extensions: options)))
        let first = [(type: UInt8(44), bytes: FilterPackets.fragmentHeader(offset: 0))]
        #expect(!check(FilterPackets.v6(to: "2001:db8::1", protocol: Self.tcp, port: 25, extensions: first)))
        let later = [(type: UInt8(44), bytes: FilterPackets.fragmentHeader(offset: 100))]
        #expect(!check(FilterPackets.v6(to: "2001:db8::1", protocol: Self.tcp, port: 443, extensions: later)))
        #expect(check(FilterPackets.v6(to: "2001:db8::1", protocol: Self.udp, port: 443, extensions: later)))
        // A routing header, too many extension headers, or one past the end: refused.
        let routing = [(type: UInt8(43), bytes: FilterPackets.routingHeader)]
        #expect(!check(FilterPackets.v6(to: "2001:db8::1", protocol: Self.udp, port: 443, extensions: routing)))
        let many = Array(repeating: (type: UInt8(60), bytes: FilterPackets.optionsHeader), count: 9)
        #expect(!check(FilterPackets.v6(to: "2001:db8::1", protocol: Self.udp, port: 443, extensions: many)))
        var long = FilterPackets.v6(to: "2001:db8::1", protocol: Self.udp, port: 443, extensions: options)
        long[41] = 200
        #expect(!check(long))
        #expect(!check([0x50] + [UInt8](repeating: 0, count: 39)), "not IPv4 or IPv6")
    }

    /// The exit side of a tunnel with a destination filter: allowed packets reach its TUN,
    /// refused ones are dropped and counted per peer, device-wide, and never written.
    @Test func deviceDropsAndCountsRefusedPacketsPerPeer() throws {
        var net = try TwoPeers()
        // a (the client) routes everything through b (the exit).
        var client = try #require(net.a.peerConfiguration(for: net.bKey.publicKey))
        client.allowedIPs = [try IPPrefix(parsing: "0.0.0.0/0"), try IPPrefix(parsing: "::/0")]
        try net.a.addOrUpdatePeer(client)
        net.handshake()
        #expect(net.bReceived.count == 1)
        net.b.destinationFilter = Self.exitLike([Self.rule("10.99.0.0/16", .allow)])

        let allowed = [
            FilterPackets.v4(to: "198.51.100.7", protocol: Self.tcp, port: 80, from: "10.9.0.1"),
            FilterPackets.v4(to: "10.99.0.2", protocol: Self.udp, port: 53, from: "10.9.0.1"),
            FilterPackets.v6(to: "2001:db8::7", protocol: Self.tcp, port: 443),
        ]
        let refused = [
            FilterPackets.v4(to: "198.51.100.7", protocol: Self.tcp, port: 25, from: "10.9.0.1"),
            FilterPackets.v4(to: "10.1.2.3", protocol: Self.udp, port: 53, from: "10.9.0.1"),
            FilterPackets.v4(to: "127.0.0.1", protocol: Self.tcp, port: 8080, from: "10.9.0.1"),
            FilterPackets.v6(to: "fd00::99", protocol: Self.udp, port: 53),
        ]
        for packet in refused + allowed { net.sendFromA(packet) }
        net.deliverAll()
        #expect(Array(net.bReceived.dropFirst()) == allowed)
        #expect(net.b.statistics.refusedDestinations == UInt64(refused.count))
        #expect(net.b.peers()[0].refusedPackets == UInt64(refused.count))
        #expect(net.a.peers()[0].refusedPackets == 0, "the client has no filter")
        #expect(net.b.statistics.disallowedSourceAddress == 0 && net.b.statistics.invalidInnerPackets == 0)

        // Without the filter the same packets pass.
        net.b.destinationFilter = nil
        for packet in refused { net.sendFromA(packet) }
        net.deliverAll()
        #expect(Array(net.bReceived.suffix(refused.count)) == refused)
        #expect(net.b.peers()[0].refusedPackets == UInt64(refused.count))
    }
}
