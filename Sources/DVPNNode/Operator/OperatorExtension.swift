public import DVPNCrypto
import DVPNLedger
public import DVPNNodeAPI
import DVPNPayments
import DVPNTunnel
import DVPNTunnelPosix
import Foundation
public import Logging
import Hummingbird
import ServiceLifecycle

/// `dvpn-node serve --price …`: the operator's marketplace beside the node's ledger (issue 8
/// items 2–6 and 10; docs/operator.md). Attached once the ledger is open, it contributes:
///
/// - `OfferKeeper`: registers the offer (terms from the flags, `wireguard` and `api-PORT` as
///   services), updates it when the flags changed, heartbeats it; an account that cannot pay the
///   fee is told how much to send to which address, and the node waits;
/// - the exit (`ExitService` with no static peers): the WireGuard interface on `--listen` with the
///   node's tunnel key, forwarding, NAT and the destination policy, all removed on shutdown;
/// - the session manager (`SessionService`) and its routes: `/v1/sessions…`,
///   `/v1/operator/sessions`, `/metrics`.
public struct OperatorExtension: NodeExtension {
    /// Where the operator's keys come from.
    public enum Identity: Sendable {
        /// The node's key file (the same one `DevChainSetup` created or read).
        case keyFile(path: String, passphrase: Passphrase)
        case loaded(KeyFile.Identity)
    }

    public let configuration: OperatorConfiguration
    public let identity: Identity
    /// Holds `operator.sqlite`.
    public let dataDirectory: String
    /// nil: the exit's own tunnel (needs root). Tests pass an in-memory data plane and run no exit.
    let dataPlane: (any SessionDataPlane)?

    public init(configuration: OperatorConfiguration, identity: Identity, dataDirectory: String) {
        self.init(configuration: configuration, identity: identity, dataDirectory: dataDirectory, dataPlane: nil)
    }

    init(configuration: OperatorConfiguration, identity: Identity, dataDirectory: String, dataPlane: (any SessionDataPlane)?) {
        self.configuration = configuration
        self.identity = identity
        self.dataDirectory = dataDirectory
        self.dataPlane = dataPlane
    }

    /// The offer this operator keeps in the registry.
    public static func terms(_ configuration: OperatorConfiguration, tunnelKey: X25519.PublicKey) -> OfferTerms {
        OfferTerms(
            country: configuration.country, pricePerGiB: configuration.price.perGiB,
            pricePerHour: configuration.price.perHour == .zero ? nil : configuration.price.perHour,
            bandwidthMbps: configuration.bandwidthMbps, endpoint: configuration.endpoint, tunnelKey: tunnelKey,
            services: ["wireguard", OfferTerms.sessionAPIService(port: configuration.publicAPIPort)])
    }

    public func attach(to node: AttachedLedger, logger: Logger) throws(NodeError) -> AttachedNodeExtension {
        let parts = try assemble(ledger: node.node, chainID: node.node.genesis.chainID, logger: logger)
        return AttachedNodeExtension(services: parts.services, addRoutes: parts.addRoutes)
    }

    /// The services and routes over any `SessionLedger` (the node's own ledger in `serve`).
    func assemble(ledger: some SessionLedger, chainID: String, logger: Logger) throws(NodeError) -> (
        services: [any Service], addRoutes: @Sendable (Router<BasicRequestContext>) -> Void, manager: SessionManager
    ) {
        let keys: KeyFile.Identity
        switch identity {
        case .loaded(let loaded):
            keys = loaded
        case .keyFile(let path, let passphrase):
            do {
                keys = try KeyFile.read(at: path, passphrase: passphrase)
            } catch {
                throw NodeError(.configuration, "operator key \(path): \(error.reason)")
            }
        }
        let store = try OperatorStore(path: (dataDirectory as NSString).appendingPathComponent(OperatorStore.fileName))
        let metrics = OperatorMetrics()
        var services: [any Service] = []
        let plane: any SessionDataPlane
        if let dataPlane {
            plane = dataPlane
        } else {
            let control = TunnelControl()
            plane = TunnelDataPlane(control: control)
            services.append(ExitService(configuration: exitConfiguration(tunnelKey: keys.tunnelKey, control: control), logger: logger))
        }
        let manager = SessionManager(
            configuration: configuration, identity: keys, chainID: chainID, ledger: ledger, dataPlane: plane, store: store,
            metrics: metrics, logger: logger)
        let keeper = OfferKeeper(
            ledger: ledger, identity: keys, upkeep: OfferUpkeep(terms: Self.terms(configuration, tunnelKey: keys.tunnelKey.publicKey)),
            feeMultiplier: configuration.feeMultiplier, logger: logger)
        services.append(keeper)
        services.append(SessionService(manager: manager, interval: configuration.tickInterval))
        logger.info(
            "operator: \(configuration.country) at \(configuration.price), endpoint \(configuration.endpoint), API \(configuration.publicAPIURL)",
            metadata: ["operator": "\(keys.address.string)"])
        return (services, { router in SessionRoutes.add(to: router, manager: manager, store: store, metrics: metrics) }, manager)
    }

    /// The exit's interface: the node's tunnel key, the pools' gateway addresses (their prefixes
    /// route the clients' addresses to the interface), no static peers.
    func exitConfiguration(tunnelKey: X25519.PrivateKey, control: TunnelControl) -> ExitConfiguration {
        let pool = AddressPool()
        let interface = WgQuickConfiguration.Interface(
            privateKey: tunnelKey,
            addresses: [
                InterfaceAddress(address: pool.gateway.ipv4, prefixLength: pool.ipv4Length),
                InterfaceAddress(address: pool.gateway.ipv6, prefixLength: pool.ipv6Length),
            ],
            listenPort: configuration.listenPort, mtu: Int(configuration.mtu), addsRoutes: false)
        var options = TunnelService.Options()
        options.control = control
        return ExitConfiguration(
            tunnel: WgQuickConfiguration(interface: interface, peers: []), interfaceName: configuration.interfaceName,
            egressInterface: configuration.egressInterface, allow: configuration.allow, deny: configuration.deny,
            stateDirectory: configuration.stateDirectory, tunnelOptions: options)
    }
}
