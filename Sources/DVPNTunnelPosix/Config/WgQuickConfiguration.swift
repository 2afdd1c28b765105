public import DVPNCrypto
public import DVPNTunnel

/// A wg-quick(8) configuration file: the `[Interface]` section (our key, the addresses to put on
/// the interface, port, MTU, DNS) and its `[Peer]` sections, already checked.
///
/// The peers are the core's `PeerConfiguration`s except for endpoints given as host names, which
/// stay `unresolvedEndpoint` until `resolvingEndpoints()` looks them up (the parser does no I/O).
public struct WgQuickConfiguration: Sendable {
    public var interface: Interface
    public var peers: [Peer]

    public init(interface: Interface, peers: [Peer]) {
        self.interface = interface
        self.peers = peers
    }

    public struct Interface: Sendable {
        public var privateKey: X25519.PrivateKey
        /// `Address =`: addresses with their prefix length, host bits kept (`10.0.0.2/24`).
        public var addresses: [InterfaceAddress]
        public var listenPort: UInt16?
        public var mtu: Int?
        /// `DNS =`: resolver addresses; `dnsSearch` holds the entries that are not addresses.
        public var dns: [IPAddress]
        public var dnsSearch: [String]
        /// `FwMark =`: the mark put on our UDP packets (0 = none).
        public var firewallMark: UInt32
        /// `Table = off` turns off the routes for allowed IPs; `auto` (the default) adds them.
        public var addsRoutes: Bool

        public init(
            privateKey: X25519.PrivateKey, addresses: [InterfaceAddress] = [], listenPort: UInt16? = nil,
            mtu: Int? = nil, dns: [IPAddress] = [], dnsSearch: [String] = [], firewallMark: UInt32 = 0,
            addsRoutes: Bool = true
        ) {
            self.privateKey = privateKey
            self.addresses = addresses
            self.listenPort = listenPort
            self.mtu = mtu
            self.dns = dns
            self.dnsSearch = dnsSearch
            self.firewallMark = firewallMark
            self.addsRoutes = addsRoutes
        }

        /// The core's view of this section.
        public var configuration: InterfaceConfiguration {
            InterfaceConfiguration(privateKey: privateKey, listenPort: listenPort)
        }
    }

    public struct Peer: Sendable {
        public var configuration: PeerConfiguration
        /// `Endpoint = host.example:51820` before resolution (nil when the endpoint was an
        /// address, which is then in `configuration.endpoint`).
        public var unresolvedEndpoint: (host: String, port: UInt16)?

        public init(configuration: PeerConfiguration, unresolvedEndpoint: (host: String, port: UInt16)? = nil) {
            self.configuration = configuration
            self.unresolvedEndpoint = unresolvedEndpoint
        }
    }
}

/// An address assigned to the interface with its prefix length, as `ip addr add` takes it:
/// unlike `IPPrefix`, the host bits are the point (`10.0.0.2/24` is not `10.0.0.0/24`).
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: Int

    public init(address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// `a.b.c.d/n` or `v6/n`; without a length, a host address (/32 or /128) as wg-quick does.
    public init(parsing text: String) throws(TunnelIOError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else {
            throw TunnelIOError(.invalidConfiguration, "'\(text)' is not an IP address")
        }
        var length = address.bitCount
        if parts.count == 2 {
            guard let n = Int(parts[1]), parts[1].allSatisfy(\.isNumber), (0...address.bitCount).contains(n) else {
                throw TunnelIOError(.invalidConfiguration, "'\(text)' has an invalid prefix length")
            }
            length = n
        }
        self.init(address: address, prefixLength: length)
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// The network this address is on (what the kernel routes to the interface by itself).
    public var network: IPPrefix {
        // The length is in range by construction, so this cannot throw.
        (try? IPPrefix(address: address, length: prefixLength)) ?? IPPrefix(host: address)
    }
}
