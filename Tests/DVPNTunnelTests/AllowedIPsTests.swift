import DVPNCrypto
import DVPNTestSupport
import Testing
@testable import DVPNTunnel

@Suite struct AllowedIPsTests {
    private func prefix(_ text: String) -> IPPrefix { try! IPPrefix(parsing: text) }
    private func address(_ text: String) -> IPAddress { try! IPAddress(parsing: text) }

    @Test func longestPrefixWinsIPv4() {
        var table = AllowedIPs<String>()
        table.insert(prefix("0.0.0.0/0"), owner: "default")
        table.insert(prefix("10.0.0.0/8"), owner: "ten")
        table.insert(prefix("10.1.0.0/16"), owner: "ten-one")
        table.insert(prefix("10.1.2.3/32"), owner: "host")
        table.insert(prefix("192.168.0.0/24"), owner: "lan")
        #expect(table.lookup(address("10.1.2.3")) == "host")
        #expect(table.lookup(address("10.1.2.4")) == "ten-one")
        #expect(table.lookup(address("10.2.0.1")) == "ten")
        #expect(table.lookup(address("192.168.0.255")) == "lan")
        #expect(table.lookup(address("192.168.1.0")) == "default")
        #expect(table.lookup(address("fd00::1")) == nil, "families are separate")
        table.remove(prefix("10.1.0.0/16"), owner: "ten-one")
        #expect(table.lookup(address("10.1.2.4")) == "ten")
        #expect(table.lookup(address("10.1.2.3")) == "host")
        table.remove(prefix("0.0.0.0/0"), owner: "someone else")
        #expect(table.lookup(address("8.8.8.8")) == "default", "only the owner removes a prefix")
    }

    @Test func longestPrefixWinsIPv6() {
        var table = AllowedIPs<Int>()
        table.insert(prefix("::/0"), owner: 0)
        table.insert(prefix("fd00::/8"), owner: 1)
        table.insert(prefix("fd00:1::/32"), owner: 2)
        table.insert(prefix("fd00:1::1/128"), owner: 3)
        table.insert(prefix("fd00:1:0:0:8000::/65"), owner: 4)
        #expect(table.lookup(address("fd00:1::1")) == 3)
        #expect(table.lookup(address("fd00:1::2")) == 2)
        #expect(table.lookup(address("fd00:1::8000:0:0:1")) == 4)
        #expect(table.lookup(address("fd99::1")) == 1)
        #expect(table.lookup(address("2001:db8::1")) == 0)
        #expect(table.lookup(address("10.0.0.1")) == nil)
    }

    @Test func reinsertingMovesAPrefix() {
        var table = AllowedIPs<String>()
        let first = table.insert(prefix("10.0.0.0/24"), owner: "a")
        let moved = table.insert(prefix("10.0.0.0/24"), owner: "b")
        let again = table.insert(prefix("10.0.0.0/24"), owner: "b")
        #expect(first == nil && moved == "a" && again == nil)
        #expect(table.lookup(address("10.0.0.9")) == "b")
    }

    @Test func matchesABruteForceModel() {
        // Random prefixes over a small address space so they overlap a lot; every lookup is
        // compared with a linear scan for the longest matching prefix, with removals in between.
        var rng = Fuzzer(seed: 7)
        for family in [4, 6] {
            var table = AllowedIPs<Int>()
            var model: [IPPrefix: Int] = [:]
            for step in 0..<3000 {
                let r = rng.next()
                let p: IPPrefix
                if family == 4 {
                    let value = UInt32(truncatingIfNeeded: r) & 0xFF0F_0000 | 0x0A00_0000
                    p = try! IPPrefix(address: .v4(IPv4Address(value: value)), length: Int(r >> 40) % 33)
                } else {
                    let high = (r & 0xF0F0_0000_0000_0000) | 0xFD00_0000_0000_0000
                    p = try! IPPrefix(address: .v6(IPv6Address(high: high, low: r >> 60)), length: Int(r >> 32) % 129)
                }
                if r % 4 == 0, !model.isEmpty {
                    let existing = model.keys.sorted()[Int(r >> 8) % model.count]
                    table.remove(existing, owner: model[existing]!)
                    model[existing] = nil
                } else {
                    table.insert(p, owner: step)
                    model[p] = step
                }
                for _ in 0..<5 {
                    let q = rng.next()
                    let probe: IPAddress = family == 4
                        ? .v4(IPv4Address(value: UInt32(truncatingIfNeeded: q) & 0xFF0F_00FF | 0x0A00_0000))
                        : .v6(IPv6Address(high: (q & 0xF0F0_0000_0000_0000) | 0xFD00_0000_0000_0000, low: q >> 62))
                    let expected = model.filter { $0.key.contains(probe) }.max { $0.key.length < $1.key.length }?.value
                    if table.lookup(probe) != expected {
                        Issue.record("lookup(\(probe)) = \(String(describing: table.lookup(probe))), expected \(String(describing: expected))")
                        return
                    }
                }
            }
        }
    }

    @Test func decryptedPacketsMustComeFromThePeersAllowedIPs() throws {
        var net = try TwoPeers()
        net.handshake()
        // a sends from an address b does not allow for it.
        let spoofed = IPPackets.v4(from: "10.9.0.77", to: "10.9.0.2", payload: [1, 2])
        let spoofed6 = IPPackets.v6(from: "fd00::77", to: "fd00::2", payload: [1, 2])
        // (a routes by destination only, so it sends them.)
        try net.a.addOrUpdatePeer(PeerConfiguration(
            publicKey: net.bKey.publicKey, endpoint: TwoPeers.bEndpoint,
            allowedIPs: [try IPPrefix(parsing: "10.9.0.0/24"), try IPPrefix(parsing: "fd00::/64")]))
        net.sendFromA(spoofed)
        net.sendFromA(spoofed6)
        net.deliverAll()
        #expect(net.b.statistics.disallowedSourceAddress == 2)
        #expect(net.bReceived == [TwoPeers.aToB([1, 2, 3])])
    }

    @Test func malformedInnerPacketsAreDropped() throws {
        var net = try TwoPeers()
        net.handshake()
        var claimsTooLong = TwoPeers.aToB([1, 2, 3])
        claimsTooLong[3] = 200  // total length beyond the plaintext
        // Routed by destination, so a sends it; b refuses it after decryption.
        net.sendFromA(claimsTooLong)
        net.deliverAll()
        #expect(net.b.statistics.invalidInnerPackets == 1)
        // Trailing bytes beyond the IP length are cut off, as padding is.
        let packet = TwoPeers.aToB([4, 5])
        net.sendFromA(packet + [0xEE, 0xEE])
        net.deliverAll()
        #expect(net.bReceived.last == packet)
    }

    @Test func outgoingPacketsWithoutARouteAreCounted() throws {
        var net = try TwoPeers()
        net.sendFromA(IPPackets.v4(from: "10.9.0.1", to: "10.9.0.3", payload: [1]))
        net.sendFromA([0x45, 0, 0])
        net.sendFromA([])
        net.sendFromA([0x10] + [UInt8](repeating: 0, count: 40))
        #expect(net.a.statistics.noRoute == 1)
        #expect(net.a.statistics.invalidOutgoingPackets == 3)
        #expect(net.aOut.datagrams.isEmpty)
    }

    @Test func peerConfigurationAndStatus() throws {
        var net = try TwoPeers()
        let third = X25519.PrivateKey().publicKey
        try net.a.addOrUpdatePeer(PeerConfiguration(
            publicKey: third, allowedIPs: [prefix("10.9.0.2/32"), prefix("10.8.0.0/16")]))
        // The /32 moved from b's peer entry to the new peer.
        #expect(net.a.peer(net.bKey.publicKey)?.allowedIPs == [prefix("fd00::2/128")])
        #expect(net.a.peer(third)?.allowedIPs == [prefix("10.8.0.0/16"), prefix("10.9.0.2/32")])
        #expect(net.a.peers().map(\.publicKey) == [net.bKey.publicKey, third])
        #expect(throws: TunnelError.self) {
            try net.a.addOrUpdatePeer(PeerConfiguration(publicKey: net.aKey.publicKey))
        }
        let removed = net.a.removePeer(third)
        let removedAgain = net.a.removePeer(third)
        #expect(removed && !removedAgain)
        net.sendFromA(TwoPeers.aToB([1]))
        #expect(net.a.statistics.noRoute == 1)
        net.a.removeAllPeers()
        #expect(net.a.peers().isEmpty)
    }

    @Test func changingThePrivateKeyExpiresSessions() throws {
        var net = try TwoPeers()
        net.handshake()
        let newKey = X25519.PrivateKey()
        net.a.setPrivateKey(newKey)
        #expect(net.a.configuration.privateKey?.publicKey == newKey.publicKey)
        net.sendFromA(TwoPeers.aToB([1]))
        #expect(net.aOut.count(ofType: 4) == 0, "no more sending under keys made with the old identity")
        #expect(net.aOut.count(ofType: 1) == 1)
        // b does not know the new key.
        net.deliverAll()
        #expect(net.b.statistics.invalidInitiations == 1)
    }
}
