import DVPNCrypto
import DVPNTunnel
import Foundation
import Testing

/// The core against stock wireguard-go, in both roles, over real UDP in a network namespace:
/// a quick cross-check of the wire format that needs no TUN device on our side. (The full
/// interoperability suite, with TUN devices and TCP transfers, belongs to the I/O layer.)
@Suite(.serialized, .enabled(if: NetworkNamespace.unavailableReason == nil, "\(NetworkNamespace.unavailableReason ?? "")"))
struct WireGuardGoInteropTests {
    private static let ourInner = IPv4Address(10, 77, 0, 2)
    private static let theirInner = IPv4Address(10, 77, 0, 1)

    /// wireguard-go in `ns` with interface `name`, configured for `ours` as its only peer.
    private static func startWireGuardGo(
        in ns: NetworkNamespace, name: String, key: X25519.PrivateKey, peer ours: X25519.PublicKey,
        presharedKey: SecureBytes?, peerEndpoint: String?
    ) throws {
        try ns.start("env WG_PROCESS_FOREGROUND=1 wireguard-go -f \(name)")
        let socket = "/var/run/wireguard/\(name).sock"
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { usleep(50_000) }
        let keyFile = NSTemporaryDirectory() + "\(name).key"
        let pskFile = NSTemporaryDirectory() + "\(name).psk"
        defer {
            try? FileManager.default.removeItem(atPath: keyFile)
            try? FileManager.default.removeItem(atPath: pskFile)
        }
        try key.base64.write(toFile: keyFile, atomically: true, encoding: .utf8)
        var command = "wg set \(name) private-key \(keyFile) listen-port 51820 peer \(ours.base64) allowed-ips \(ourInner)/32"
        if let presharedKey {
            try Base64.encode(presharedKey.unsafeCopy()).write(toFile: pskFile, atomically: true, encoding: .utf8)
            command += " preshared-key \(pskFile)"
        }
        if let peerEndpoint { command += " endpoint \(peerEndpoint)" }
        try ns.inside(command)
        try ns.inside("ip addr add \(theirInner)/24 dev \(name)")
        try ns.inside("ip link set \(name) up")
    }

    private static func ourDevice(
        key: X25519.PrivateKey, peer theirs: X25519.PublicKey, presharedKey: SecureBytes?, endpoint: Endpoint?
    ) throws -> WireGuardDevice {
        var device = WireGuardDevice(configuration: InterfaceConfiguration(privateKey: key, listenPort: 51821))
        try device.addOrUpdatePeer(PeerConfiguration(
            publicKey: theirs, presharedKey: presharedKey, endpoint: endpoint,
            allowedIPs: [IPPrefix(host: .v4(theirInner))]))
        return device
    }

    @Test(arguments: [false, true])
    func oursInitiatesToWireGuardGo(withPresharedKey: Bool) throws {
        let ns = try NetworkNamespace(tag: withPresharedKey ? "ip" : "in", subnet: withPresharedKey ? 11 : 10)
        defer { ns.tearDown() }
        let name = "wgc\(withPresharedKey ? "p" : "n")\(getpid() % 100_000)"
        let ours = X25519.PrivateKey()
        let theirs = X25519.PrivateKey()
        let psk = withPresharedKey ? SecureBytes(randomCount: 32) : nil
        try Self.startWireGuardGo(
            in: ns, name: name, key: theirs, peer: ours.publicKey, presharedKey: psk,
            peerEndpoint: "\(ns.hostAddress):51821")
        var harness = try UDPHarness(
            device: try Self.ourDevice(
                key: ours, peer: theirs.publicKey, presharedKey: psk,
                endpoint: try Endpoint(parsing: "\(ns.namespaceAddress):51820")),
            bindTo: try Endpoint(parsing: "\(ns.hostAddress):51821"))
        defer { harness.close() }

        for sequence in 1...3 as ClosedRange<UInt16> {
            harness.send(ICMPEcho.request(from: Self.ourInner, to: Self.theirInner, sequence: sequence))
            harness.pump(seconds: 10) { $0.received.filter(ICMPEcho.isReply).count >= Int(sequence) }
        }
        #expect(harness.received.filter(ICMPEcho.isReply).count == 3, "wireguard-go's kernel answered our pings")
        #expect(harness.device.peers()[0].lastHandshake != nil)
        let s = harness.device.statistics
        #expect(s.decryptionFailures == 0 && s.invalidMAC1 == 0 && s.invalidResponses == 0 && s.disallowedSourceAddress == 0)

        // wg show on their side: our endpoint, a handshake, and bytes both ways.
        let dump = try ns.inside("wg show \(name) dump").split(separator: "\n")
        let peer = try #require(dump.dropFirst().first).split(separator: "\t")
        #expect(peer[0] == ours.publicKey.base64)
        #expect(peer[2] == "\(ns.hostAddress):51821")
        #expect(Int(peer[4]) ?? 0 > 0, "latest handshake")
        #expect(UInt64(peer[5]) == harness.device.peers()[0].txBytes, "what they received is what we sent")
        #expect(UInt64(peer[6]) == harness.device.peers()[0].rxBytes, "what they sent is what we received")
    }

    @Test func wireGuardGoInitiatesToOursAndRetriesWithACookieUnderLoad() throws {
        let ns = try NetworkNamespace(tag: "r", subnet: 12)
        defer { ns.tearDown() }
        let name = "wgcr\(getpid() % 100_000)"
        let ours = X25519.PrivateKey()
        let theirs = X25519.PrivateKey()
        try Self.startWireGuardGo(
            in: ns, name: name, key: theirs, peer: ours.publicKey, presharedKey: nil,
            peerEndpoint: "\(ns.hostAddress):51821")
        var device = try Self.ourDevice(key: ours, peer: theirs.publicKey, presharedKey: nil, endpoint: nil)
        device.isUnderLoad = true
        var harness = try UDPHarness(device: device, bindTo: try Endpoint(parsing: "\(ns.hostAddress):51821"))
        defer { harness.close() }

        // Their kernel pings us; wireguard-go initiates, gets our cookie, and retries with MAC2
        // after REKEY_TIMEOUT.
        let ping = try ns.start("ping -c 2 -i 0.5 -W 20 \(Self.ourInner)")
        harness.pump(seconds: 25, respond: ICMPEcho.reply) { _ in !ping.isRunning }
        ping.waitUntilExit()
        #expect(ping.terminationStatus == 0, "both pings answered through our core")
        let s = harness.device.statistics
        #expect(s.cookieRepliesSent >= 1)
        #expect(harness.device.peers()[0].lastHandshake != nil)
        #expect(harness.device.peers()[0].endpoint == (try Endpoint(parsing: "\(ns.namespaceAddress):51820")), "learned by roaming")
        #expect(s.decryptionFailures == 0 && s.invalidMAC1 == 0 && s.invalidInitiations == 0)
    }
}
