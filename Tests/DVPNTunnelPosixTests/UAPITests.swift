import DVPNCrypto
import DVPNTunnel
import NIOCore
import NIOEmbedded
import Testing

@testable import DVPNTunnelPosix

/// The UAPI text protocol (wireguard.com/xplatform), checked against what wireguard-go's
/// `device/uapi.go` accepts and prints.
@Suite struct UAPITests {
    let key = X25519.PrivateKey()
    let peer = X25519.PrivateKey().publicKey
    let psk = SecureBytes(randomCount: 32)

    func hex(_ bytes: some Collection<UInt8>) -> String { UAPISerializer.hex(bytes) }

    func parse(_ text: String) throws(TunnelIOError) -> UAPISetRequest {
        try UAPIParser.parseSet(text.split(separator: "\n", omittingEmptySubsequences: true))
    }

    /// What `wg set wg0 private-key K listen-port 51820 fwmark 7 peer P preshared-key Q endpoint E
    /// persistent-keepalive 25 allowed-ips A,B` sends.
    @Test func parsesEveryKeyWgSends() throws {
        let request = try parse("""
            private_key=\(hex(key.secret.unsafeCopy()))
            listen_port=51820
            fwmark=7
            replace_peers=true
            public_key=\(hex(peer.rawRepresentation))
            update_only=true
            preshared_key=\(hex(psk.unsafeCopy()))
            endpoint=[2001:db8::1]:51821
            persistent_keepalive_interval=25
            replace_allowed_ips=true
            allowed_ip=10.0.0.0/24
            allowed_ip=fd00::/64
            protocol_version=1
            """)
        #expect(request.privateKey??.publicKey == key.publicKey)
        #expect(request.listenPort == 51820)
        #expect(request.firewallMark == 7)
        #expect(request.replacePeers)
        #expect(request.peers.count == 1)
        let change = request.peers[0]
        #expect(change.publicKey == peer)
        #expect(change.updateOnly)
        #expect(!change.remove)
        #expect(change.presharedKey == .some(psk))
        #expect(change.endpoint?.description == "[2001:db8::1]:51821")
        #expect(change.persistentKeepaliveInterval == 25)
        #expect(change.replaceAllowedIPs)
        #expect(change.allowedIPs.map(\.description) == ["10.0.0.0/24", "fd00::/64"])
    }

    @Test func zeroKeysClearAndOrderMattersForReplaceAllowedIPs() throws {
        let zero = String(repeating: "0", count: 64)
        let other = X25519.PrivateKey().publicKey
        let request = try parse("""
            private_key=\(zero)
            public_key=\(hex(peer.rawRepresentation))
            preshared_key=\(zero)
            allowed_ip=10.0.0.0/8
            replace_allowed_ips=true
            allowed_ip=10.1.0.0/16
            public_key=\(hex(other.rawRepresentation).uppercased())
            remove=true
            """)
        #expect(request.privateKey.map { $0 == nil } == true)
        #expect(request.peers[0].presharedKey.map { $0 == nil } == true)
        #expect(request.peers[0].allowedIPs.map(\.description) == ["10.1.0.0/16"])
        #expect(request.peers[1].publicKey == other)
        #expect(request.peers[1].remove)
    }

    /// wireguard-go's errno for each kind of bad line: -EPROTO for a line without '=', -EINVAL
    /// for the rest.
    @Test(arguments: [
        ("listen_port", UAPIErrno.protocolError),
        ("listen_port=65536", UAPIErrno.invalid),
        ("fwmark=-1", UAPIErrno.invalid),
        ("replace_peers=yes", UAPIErrno.invalid),
        ("private_key=1234", UAPIErrno.invalid),
        ("private_key=\(String(repeating: "g", count: 64))", UAPIErrno.invalid),
        ("colour=blue", UAPIErrno.invalid),
        ("public_key=00", UAPIErrno.invalid),
    ])
    func badDeviceLines(line: String, errno: Int32) {
        do {
            _ = try parse(line)
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.errno == errno)
            #expect(error.code == .invalidRequest)
        }
    }

    @Test(arguments: [
        "endpoint=192.0.2.1",
        "endpoint=example.com:51820",
        "allowed_ip=10.0.0.1",
        "allowed_ip=10.0.0.0/33",
        "persistent_keepalive_interval=65536",
        "protocol_version=2",
        "remove=false",
        "update_only=1",
        "replace_allowed_ips=false",
        "listen_port=1",
    ])
    func badPeerLines(line: String) {
        do {
            _ = try parse("public_key=\(hex(peer.rawRepresentation))\n\(line)")
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.errno == UAPIErrno.invalid)
        }
    }

    @Test func getSerializesAsWireGuardGo() throws {
        let status = PeerStatus(
            publicKey: peer, endpoint: try Endpoint(parsing: "192.0.2.2:51821"),
            allowedIPs: [try IPPrefix(parsing: "10.0.0.2/32"), try IPPrefix(parsing: "fd00::2/128")],
            presharedKeySet: true, persistentKeepaliveInterval: 25,
            lastHandshake: TunnelInstant(nanoseconds: 5, unixNanoseconds: 1_700_000_000_123_456_789),
            rxBytes: 1234, txBytes: 5678)
        let text = UAPISerializer.get(
            privateKey: key, listenPort: 51820, firewallMark: 0,
            peers: [.init(status: status, presharedKey: psk)])
        #expect(text == """
            private_key=\(hex(key.secret.unsafeCopy()))
            listen_port=51820
            public_key=\(hex(peer.rawRepresentation))
            preshared_key=\(hex(psk.unsafeCopy()))
            protocol_version=1
            endpoint=192.0.2.2:51821
            last_handshake_time_sec=1700000000
            last_handshake_time_nsec=123456789
            tx_bytes=5678
            rx_bytes=1234
            persistent_keepalive_interval=25
            allowed_ip=10.0.0.2/32
            allowed_ip=fd00::2/128
            errno=0


            """)
    }

    @Test func getWithoutHandshakeOrKeys() {
        let status = PeerStatus(
            publicKey: peer, endpoint: nil, allowedIPs: [], presharedKeySet: false, persistentKeepaliveInterval: nil,
            lastHandshake: nil, rxBytes: 0, txBytes: 0)
        let text = UAPISerializer.get(privateKey: nil, listenPort: 0, firewallMark: 3, peers: [.init(status: status, presharedKey: nil)])
        #expect(text.hasPrefix("fwmark=3\npublic_key="))
        #expect(text.contains("preshared_key=\(String(repeating: "0", count: 64))\n"))
        #expect(text.contains("last_handshake_time_sec=0\nlast_handshake_time_nsec=0\n"))
        #expect(!text.contains("endpoint="))
        #expect(text.hasSuffix("persistent_keepalive_interval=0\nerrno=0\n\n"))
    }

    // MARK: Framing over a connection

    final class RecordingTarget: UAPIConfigurable {
        var sets: [UAPISetRequest] = []
        var failNext: TunnelIOError?
        func uapiGet() -> String { "listen_port=1\nerrno=0\n\n" }
        func uapiSet(_ request: UAPISetRequest) throws(TunnelIOError) {
            if let failNext { throw failNext }
            sets.append(request)
        }
    }

    func exchange(_ input: String, target: RecordingTarget) throws -> (String, Bool) {
        let channel = EmbeddedChannel(handler: UAPIConnectionHandler(target: target))
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/uapi.sock")).wait()
        var buffer = channel.allocator.buffer(capacity: input.utf8.count)
        buffer.writeString(input)
        try channel.writeInbound(buffer)
        var output = ""
        while var reply = try channel.readOutbound(as: ByteBuffer.self) {
            output += reply.readString(length: reply.readableBytes) ?? ""
        }
        return (output, channel.isActive)
    }

    @Test func severalOperationsOnOneConnection() throws {
        let target = RecordingTarget()
        let (output, open) = try exchange(
            "get=1\n\nset=1\nlisten_port=9\n\nset=1\ncolour=red\n\nget=1\n\n", target: target)
        #expect(output == "listen_port=1\nerrno=0\n\nerrno=0\n\nerrno=-22\n\nlisten_port=1\nerrno=0\n\n")
        #expect(open)
        #expect(target.sets.map(\.listenPort) == [9])
    }

    @Test func requestsMaySplitAcrossReads() throws {
        let target = RecordingTarget()
        let channel = EmbeddedChannel(handler: UAPIConnectionHandler(target: target))
        for piece in ["se", "t=1\nfwm", "ark=5\n", "\n"] {
            var buffer = channel.allocator.buffer(capacity: 16)
            buffer.writeString(piece)
            try channel.writeInbound(buffer)
        }
        var reply = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(reply.readString(length: reply.readableBytes) == "errno=0\n\n")
        #expect(target.sets.first?.firewallMark == 5)
    }

    @Test func applyErrorsReportTheirErrnoAndUnknownOperationsClose() throws {
        let target = RecordingTarget()
        target.failNext = TunnelIOError(.invalidRequest, "port in use", errno: UAPIErrno.addressInUse)
        let (output, _) = try exchange("set=1\nlisten_port=9\n\n", target: target)
        #expect(output == "errno=-98\n\n")
        let (nothing, open) = try exchange("delete=1\n\n", target: RecordingTarget())
        #expect(nothing.isEmpty)
        #expect(!open)
    }
}

/// `wg show` lists a peer's allowed IPs in the order they were given, as wireguard-go does.
@Suite struct AllowedIPsOrderTests {
    let peer = X25519.PrivateKey().publicKey
    func prefixes(_ texts: String...) throws -> [IPPrefix] { try texts.map { try IPPrefix(parsing: $0) } }

    @Test func insertionOrderReinsertAndReplace() throws {
        var order = AllowedIPsOrder()
        let given = try prefixes("10.0.0.2/32", "fd00::2/128", "10.1.0.0/16")
        order.add(given, for: peer, replacing: true)
        #expect(order.ordered(given.sorted(), for: peer) == given)
        // Given again, 10.0.0.2/32 moves to the end.
        order.add(try prefixes("10.0.0.2/32"), for: peer, replacing: false)
        #expect(order.ordered(given.sorted(), for: peer) == (try prefixes("fd00::2/128", "10.1.0.0/16", "10.0.0.2/32")))
        order.add(try prefixes("10.9.0.0/16"), for: peer, replacing: true)
        #expect(order.ordered(try prefixes("10.9.0.0/16"), for: peer) == (try prefixes("10.9.0.0/16")))
    }

    @Test func theCoreDecidesWhatIsHeld() throws {
        var order = AllowedIPsOrder()
        order.add(try prefixes("10.2.0.0/16", "10.1.0.0/16"), for: peer, replacing: true)
        // 10.2.0.0/16 moved to another peer; 10.3.0.0/16 is unknown to the record: it goes last, sorted.
        let held = try prefixes("10.1.0.0/16", "10.3.0.0/16")
        #expect(order.ordered(held, for: peer) == (try prefixes("10.1.0.0/16", "10.3.0.0/16")))
        order.remove(peer)
        #expect(order.ordered(try prefixes("fd00::/8", "10.0.0.0/8"), for: peer) == (try prefixes("10.0.0.0/8", "fd00::/8")))
    }
}
