import DVPNCrypto
import DVPNPayments
import DVPNTunnel
import DVPNTunnelPosix
import Logging

/// The tunnel of one session: our WireGuard core on a TUN device with the grant's addresses,
/// MTU and peer, the wg-quick routes and rules (`RoutePlan`) and the DNS, and the way back.
///
/// The tunnel itself is configured with `Table = off` and `FwMark = 51820`, so `TunnelService`
/// only adds the addresses and marks its UDP socket; the routes and rules are this type's
/// `RoutePlan`, applied after the interface is up and removed before it goes, so that the plan
/// and its inverse are one tested value (and a failover can swap the tunnel under them).
public final class TunnelLink: Sendable {
    public let interface: String
    public let plan: RoutePlan
    /// The running `TunnelService`. Unstructured because its lifetime is the session's, not a
    /// scope's: a failover stops one tunnel and starts the next inside the same loop. It is
    /// always cancelled and awaited by `stop()`.
    private let task: Task<Void, any Error>
    private let resolver: ResolverConfiguration?
    private let sourceValidMark: String?
    private let dataDirectory: String

    private init(
        interface: String, plan: RoutePlan, task: Task<Void, any Error>, resolver: ResolverConfiguration?, sourceValidMark: String?,
        dataDirectory: String
    ) {
        self.interface = interface
        self.plan = plan
        self.task = task
        self.resolver = resolver
        self.sourceValidMark = sourceValidMark
        self.dataDirectory = dataDirectory
    }

    /// The tunnel's configuration for `grant`: one peer taking all traffic.
    public static func configuration(grant: SessionGrant, privateKey: X25519.PrivateKey) throws(ClientError) -> WgQuickConfiguration {
        var addresses: [InterfaceAddress] = []
        var allowed: [IPPrefix] = []
        if let v4 = IPAddress(bytes: grant.ipv4), grant.ipv4.contains(where: { $0 != 0 }) {
            addresses.append(InterfaceAddress(address: v4, prefixLength: 32))
            if let all = IPPrefix("0.0.0.0/0") { allowed.append(all) }
        }
        if let v6 = IPAddress(bytes: grant.ipv6), grant.ipv6.contains(where: { $0 != 0 }) {
            addresses.append(InterfaceAddress(address: v6, prefixLength: 128))
            if let all = IPPrefix("::/0") { allowed.append(all) }
        }
        guard !addresses.isEmpty else { throw ClientError(.session, "the session grant assigns no inner address") }
        var peer = WgQuickConfiguration.Peer(configuration: PeerConfiguration(publicKey: grant.nodeTunnelKey, allowedIPs: allowed))
        if let endpoint = try? Endpoint(parsing: grant.endpoint) {
            peer.configuration.endpoint = endpoint
        } else if let colon = grant.endpoint.lastIndex(of: ":"), let port = UInt16(grant.endpoint[grant.endpoint.index(after: colon)...]) {
            peer.unresolvedEndpoint = (host: String(grant.endpoint[..<colon]), port: port)
        } else {
            throw ClientError(.session, "the session grant's endpoint '\(grant.endpoint.prefix(80))' is not host:port")
        }
        let interface = WgQuickConfiguration.Interface(
            privateKey: privateKey, addresses: addresses, mtu: Int(grant.mtu), firewallMark: RoutePlan.defaultTable,
            addsRoutes: false)
        do {
            return try WgQuickConfiguration(interface: interface, peers: [peer]).resolvingEndpoints(fileName: "the session grant")
        } catch {
            throw ClientError(.session, error.reason)
        }
    }

    /// The resolver addresses of `grant` (those that are not all zeros).
    public static func dnsServers(_ grant: SessionGrant) -> [String] {
        [grant.dnsIPv4, grant.dnsIPv6].filter { $0.contains { $0 != 0 } }.compactMap { IPAddress(bytes: $0)?.description }
    }

    /// Brings the tunnel up and routes everything through it except the tunnel's UDP and the
    /// `bypass` hosts; sets DNS when `resolver` is given. On failure everything added is removed.
    public static func start(
        grant: SessionGrant, privateKey: X25519.PrivateKey, interface: String, bypassHosts: [String],
        resolver: ResolverConfiguration?, dataDirectory: String, logger: Logger
    ) async throws(ClientError) -> TunnelLink {
        let tunnel = try Self.configuration(grant: grant, privateKey: privateKey)
        // Bypass routes are read before the tunnel takes the default route.
        var bypass: [RoutePlan.Bypass] = []
        for host in Set(bypassHosts).sorted() {
            if let route = try SystemCommand.bypass(for: host) { bypass.append(route) }
        }
        let plan = RoutePlan(
            interface: interface, ipv4: tunnel.interface.addresses.contains { $0.address.isIPv4 },
            ipv6: tunnel.interface.addresses.contains { !$0.address.isIPv4 }, bypass: bypass)
        let (ready, readyContinuation) = AsyncStream.makeStream(of: String.self)
        var options = TunnelService.Options()
        options.onReady = { name, _ in readyContinuation.yield(name) }
        let service = TunnelService(configuration: tunnel, interfaceName: interface, options: options, logger: logger)
        let task = Task {
            defer { readyContinuation.finish() }
            try await service.run()
        }
        var iterator = ready.makeAsyncIterator()
        guard await iterator.next() != nil else {
            let reason: String
            do { try await task.value; reason = "it stopped before it was ready" } catch { reason = "\(error)" }
            throw ClientError(.system, "cannot bring up the tunnel \(interface): \(reason)")
        }
        let mark = SystemCommand.setSourceValidMark()
        do {
            try LeftoverRoutes.record(plan, dataDirectory: dataDirectory)
            try SystemCommand.apply(plan)
            try resolver?.apply(servers: dnsServers(grant))
        } catch {
            SystemCommand.undo(plan)
            LeftoverRoutes.clear(dataDirectory: dataDirectory)
            SystemCommand.restoreSourceValidMark(mark)
            task.cancel()
            _ = try? await task.value
            throw error
        }
        return TunnelLink(
            interface: interface, plan: plan, task: task, resolver: resolver, sourceValidMark: mark, dataDirectory: dataDirectory)
    }

    /// Restores DNS, removes the routes and rules, and stops the tunnel (which removes its
    /// addresses and the interface). Returns one line per step that failed.
    @discardableResult
    public func stop() async -> [String] {
        var failures: [String] = []
        if let resolver {
            do { try resolver.restore() } catch { failures.append(error.reason) }
        }
        failures += SystemCommand.undo(plan)
        LeftoverRoutes.clear(dataDirectory: dataDirectory)
        SystemCommand.restoreSourceValidMark(sourceValidMark)
        task.cancel()
        do { try await task.value } catch is CancellationError {} catch { failures.append("the tunnel: \(error)") }
        return failures
    }

    /// The peer's counters now.
    public func counters() throws(ClientError) -> PeerCounters { try PeerCounters.read(interface: interface) }
}
