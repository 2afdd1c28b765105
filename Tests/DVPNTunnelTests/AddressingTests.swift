import Testing
@testable import DVPNTunnel

@Suite struct AddressingTests {
    @Test func ipv4RoundTrip() throws {
        let a = try IPAddress(parsing: "10.0.0.1")
        #expect(a == .v4(IPv4Address(10, 0, 0, 1)))
        #expect(a.description == "10.0.0.1")
        #expect(a.bytes == [10, 0, 0, 1])
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1..2.3", "1.2.3.4 ", "a.b.c.d", "1.2.3.-4"])
    func ipv4Rejects(_ text: String) {
        #expect(throws: TunnelError.self) { try IPAddress(parsing: text) }
    }

    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("fd00::1", "fd00::1"), ("FD00:0:0:0:0:0:0:1", "fd00::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:db8::0:1", "2001:db8::1"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"), ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"), ("1::", "1::"),
    ])
    func ipv6RoundTrip(_ text: String, _ printed: String) throws {
        #expect(try IPAddress(parsing: text).description == printed)
        #expect(try IPAddress(parsing: printed).description == printed)
    }

    @Test(arguments: [":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "1:2:3:4:5:6:7", "g::1",
                      "::1.2.3", "1.2.3.4::", "::1:", ":1::", "1:2:3:4:5:6:7::8:9", "fe80::1%eth0"])
    func ipv6Rejects(_ text: String) {
        #expect(throws: TunnelError.self) { try IPAddress(parsing: text) }
    }

    @Test func bytesRoundTrip() throws {
        let v6 = try IPAddress(parsing: "2001:db8::ff00:42:8329")
        #expect(IPAddress(bytes: v6.bytes) == v6)
        #expect(v6.bytes.count == 16)
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(try IPAddress(parsing: "::ffff:1.2.3.4").unmappingIPv4 == .v4(IPv4Address(1, 2, 3, 4)))
    }

    @Test func prefixesMaskHostBits() throws {
        #expect(try IPPrefix(parsing: "10.0.0.7/24").description == "10.0.0.0/24")
        #expect(try IPPrefix(parsing: "fd00::1:2/64").description == "fd00::/64")
        #expect(try IPPrefix(parsing: "fd00::1:2/127").description == "fd00::1:2/127")
        #expect(try IPPrefix(parsing: "0.0.0.0/0").description == "0.0.0.0/0")
        #expect(try IPPrefix(parsing: "::/0").description == "::/0")
        #expect(try IPPrefix(parsing: "1.2.3.4").description == "1.2.3.4/32")
        #expect(try IPPrefix(parsing: "ff::9/65").description == "ff::/65")
        let p = try IPPrefix(parsing: "192.168.0.0/16")
        #expect(p.contains(try IPAddress(parsing: "192.168.44.1")))
        #expect(!p.contains(try IPAddress(parsing: "192.169.0.1")))
        #expect(!p.contains(try IPAddress(parsing: "::ffff:192.168.0.1")))
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "x/8", "10.0.0.0/08a"] {
            #expect(throws: TunnelError.self) { try IPPrefix(parsing: bad) }
        }
    }

    @Test func endpoints() throws {
        let e4 = try Endpoint(parsing: "1.2.3.4:51820")
        #expect(e4.address == .v4(IPv4Address(1, 2, 3, 4)) && e4.port == 51820)
        #expect(e4.description == "1.2.3.4:51820")
        let e6 = try Endpoint(parsing: "[fd00::1]:51820")
        #expect(e6.description == "[fd00::1]:51820")
        #expect(e6.port == 51820)
        for bad in ["1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "fd00::1:51820", "[fd00::1]51820", "[1.2.3.4]:1",
                    "[fd00::1]:", "host:1", "1.2.3.4:-1", "[fd00::1:80"] {
            #expect(throws: TunnelError.self) { try Endpoint(parsing: bad) }
        }
    }
}
