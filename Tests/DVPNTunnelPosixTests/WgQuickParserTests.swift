import DVPNCrypto
import DVPNTunnel
import Foundation
import Testing

@testable import DVPNTunnelPosix

/// The wg-quick file format as wg-quick(8) and wg(8) accept it, and one-line errors that name the
/// file, the line and the key.
@Suite struct WgQuickParserTests {
    let privateKey = X25519.PrivateKey()
    let peerKey = X25519.PrivateKey().publicKey
    let psk = SecureBytes(randomCount: 32)

    func parse(_ text: String) throws(TunnelIOError) -> WgQuickConfiguration {
        try WgQuickParser.parse(text, fileName: "wg0.conf")
    }

    @Test func fullFile() throws {
        let text = """
            # A comment line
            [Interface]
            PrivateKey = \(privateKey.base64)
            Address = 10.0.0.2/24, fd00::2/64   # trailing comment
            Address = 10.1.0.2
            ListenPort = 51820
            MTU = 1380
            DNS = 1.1.1.1, 2606:4700:4700::1111, corp.example

            [Peer]
            PublicKey = \(peerKey.base64)
            PresharedKey = \(Base64.encode(psk.unsafeCopy()))
            Endpoint = 192.0.2.7:51820
            AllowedIPs = 0.0.0.0/0, ::/0
            AllowedIPs = 10.9.0.7/16
            PersistentKeepalive = 25
            """
        let config = try parse(text)
        #expect(config.interface.privateKey.publicKey == privateKey.publicKey)
        #expect(config.interface.addresses.map(\.description) == ["10.0.0.2/24", "fd00::2/64", "10.1.0.2/32"])
        #expect(config.interface.listenPort == 51820)
        #expect(config.interface.mtu == 1380)
        #expect(config.interface.dns.map(\.description) == ["1.1.1.1", "2606:4700:4700::1111"])
        #expect(config.interface.dnsSearch == ["corp.example"])
        #expect(config.peers.count == 1)
        let peer = config.peers[0].configuration
        #expect(peer.publicKey == peerKey)
        #expect(peer.presharedKey == psk)
        #expect(peer.endpoint?.description == "192.0.2.7:51820")
        // Host bits are cleared in allowed IPs, as wg does.
        #expect(peer.allowedIPs.map(\.description) == ["0.0.0.0/0", "::/0", "10.9.0.0/16"])
        #expect(peer.persistentKeepaliveInterval == 25)
    }

    @Test func keysAndSectionsAreCaseInsensitiveAndSpacingIsFree() throws {
        let text = "[INTERFACE]\nprivatekey=\(privateKey.base64)\n\t listenport =  7 \n[peer]\r\npublickey= \(peerKey.base64)\r\nENDPOINT=[2001:db8::1]:9\nallowedips=\npersistentkeepalive = off\n"
        let config = try parse(text)
        #expect(config.interface.listenPort == 7)
        #expect(config.peers[0].configuration.endpoint?.description == "[2001:db8::1]:9")
        #expect(config.peers[0].configuration.allowedIPs.isEmpty)
        #expect(config.peers[0].configuration.persistentKeepaliveInterval == nil)
    }

    @Test func hostNameEndpointsWaitForResolution() throws {
        let config = try parse("[Interface]\nPrivateKey = \(privateKey.base64)\n[Peer]\nPublicKey = \(peerKey.base64)\nEndpoint = localhost:51820\n")
        #expect(config.peers[0].configuration.endpoint == nil)
        #expect(config.peers[0].unresolvedEndpoint?.host == "localhost")
        #expect(config.peers[0].unresolvedEndpoint?.port == 51820)
        let resolved = try config.resolvingEndpoints(fileName: "wg0.conf")
        let endpoint = try #require(resolved.peers[0].configuration.endpoint)
        #expect(endpoint.port == 51820)
        #expect(["127.0.0.1", "::1"].contains(endpoint.address.description))
    }

    @Test func severalPeers() throws {
        let second = X25519.PrivateKey().publicKey
        let config = try parse("""
            [Interface]
            PrivateKey = \(privateKey.base64)
            [Peer]
            PublicKey = \(peerKey.base64)
            AllowedIPs = 10.0.0.1/32
            [Peer]
            PublicKey = \(second.base64)
            AllowedIPs = 10.0.0.3/32
            """)
        #expect(config.peers.map(\.configuration.publicKey) == [peerKey, second])
    }

    /// Each bad file fails with one line naming the file, the line and the key.
    @Test(arguments: [
        ("[Interface]\nPrivateKey = nope\n", "wg0.conf:2: PrivateKey: "),
        ("[Interface]\nPrivateKey = K\nAddress = 10.0.0.1/33\n", "wg0.conf:3: Address: "),
        ("[Interface]\nPrivateKey = K\nListenPort = 70000\n", "wg0.conf:3: ListenPort: "),
        ("[Interface]\nPrivateKey = K\nMTU = 100\n", "wg0.conf:3: MTU: "),
        ("[Interface]\nPrivateKey = K\nPostUp = rm -rf /\n", "wg0.conf:3: PostUp: shell hooks are not supported"),
        ("[Interface]\nPrivateKey = K\nColour = blue\n", "wg0.conf:3: Colour: unknown key in [Interface]"),
        ("[Interface]\nPrivateKey = K\n[Peer]\nPublicKey = P\nAllowedIPs = 10.0.0.0/8,\n", "wg0.conf:5: AllowedIPs: empty item"),
        ("[Interface]\nPrivateKey = K\n[Peer]\nPublicKey = P\nAllowedIPs = 300.0.0.0/8\n", "wg0.conf:5: AllowedIPs: "),
        ("[Interface]\nPrivateKey = K\n[Peer]\nPublicKey = P\nEndpoint = 1.2.3.4\n", "wg0.conf:5: Endpoint: "),
        ("[Interface]\nPrivateKey = K\n[Peer]\nPublicKey = P\nPresharedKey = abc\n", "wg0.conf:5: PresharedKey: "),
        ("[Interface]\nPrivateKey = K\n[Peer]\nPublicKey = P\nPersistentKeepalive = -1\n", "wg0.conf:5: PersistentKeepalive: "),
        ("[Interface]\nPrivateKey = K\n[Peer]\nAllowedIPs = 10.0.0.0/8\n", "wg0.conf:3: [Peer] without a PublicKey"),
        ("[Interface]\nPrivateKey = K\n[Peer]\nPublicKey = P\n[Peer]\nPublicKey = P\n", "wg0.conf:5: PublicKey: the same peer appears twice"),
        ("PrivateKey = K\n", "wg0.conf:1: PrivateKey: appears before any"),
        ("[Interface]\nPrivateKey = K\n[Tunnel]\n", "wg0.conf:3: unknown section [Tunnel]"),
        ("[Interface]\nPrivateKey = K\njust words\n", "wg0.conf:3: 'just words' is not"),
        ("[Interface]\nListenPort = 1\n", "wg0.conf: [Interface] has no PrivateKey"),
        ("[Peer]\nPublicKey = P\n", "wg0.conf: no [Interface] section"),
    ])
    func badFiles(text: String, expectedPrefix: String) {
        let filled = text
            .replacingOccurrences(of: "PrivateKey = K", with: "PrivateKey = \(privateKey.base64)")
            .replacingOccurrences(of: "PublicKey = P", with: "PublicKey = \(peerKey.base64)")
        do {
            _ = try parse(filled)
            Issue.record("accepted a bad file: \(text)")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.reason.hasPrefix(expectedPrefix), "got: \(error.reason)")
            #expect(!error.reason.contains("\n"))
        }
    }

    @Test func interfaceAddressKeepsHostBits() throws {
        let address = try InterfaceAddress(parsing: "10.0.0.7/24")
        #expect(address.description == "10.0.0.7/24")
        #expect(address.network.description == "10.0.0.0/24")
        #expect(try InterfaceAddress(parsing: "fd00::1").description == "fd00::1/128")
        #expect(throws: TunnelIOError.self) { try InterfaceAddress(parsing: "fd00::1/129") }
        #expect(throws: TunnelIOError.self) { try InterfaceAddress(parsing: "10.0.0.1/") }
    }
}
