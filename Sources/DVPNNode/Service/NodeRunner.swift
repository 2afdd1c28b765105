import DVPNCrypto
import DVPNGossip
import DVPNLedger
import DVPNNodeAPI
import Logging
import ServiceLifecycle

/// Runs an opened chain as a node: the gossip service (when the node has P2P), the consensus
/// engine, the extensions and the HTTP API in one `ServiceGroup`. `serve --dev` and
/// `serve --data-dir` differ only in how they prepare the chain and the engine's timeouts.
///
/// A graceful shutdown stops the services in reverse order: the API first (nothing is accepted
/// that will not be ordered), then the extensions, then the engine between two ticks, then the
/// P2P links; the store is closed last. A `kill -9` leaves a store whose last block is intact, a
/// WAL whose torn tail the next start truncates, and a sign guard that is either the old or the
/// new file (it is replaced by rename).
struct NodeRunner {
    struct P2P {
        var listen: HostPort
        var seeds: [PeerAddress]
    }

    let node: LedgerNode
    let engine: EngineConfiguration
    let dataDirectory: DevDataDirectory
    let p2p: P2P?
    let api: HostPort
    let extensions: [any NodeExtension]
    let logger: Logger

    func run() async throws {
        do {
            try await runServices()
        } catch {
            node.close()
            throw error
        }
        node.close()
        logger.info("node stopped", metadata: ["height": "\(node.height)"])
    }

    private func runServices() async throws {
        let reference = EngineReference()
        var gossip: GossipService?
        if let p2p {
            var configuration = GossipConfiguration(
                chainID: node.genesis.chainID, identity: LinkIdentity(ledgerKey: node.nodeKey),
                listenHost: p2p.listen.host, listenPort: p2p.listen.port, seeds: p2p.seeds)
            configuration.logger = logger
            let service: GossipService
            do {
                service = try GossipService(configuration: configuration, delegate: EngineGossipDelegate(node: node, engine: reference))
            } catch {
                throw NodeError(.configuration, "P2P: \(error.reason)")
            }
            node.network.attach(service)
            gossip = service
        }
        let consensus = try ConsensusEngine(
            node: node, key: node.nodeKey, configuration: engine, dataDirectory: dataDirectory.path, gossip: gossip, logger: logger)
        reference.set(consensus)
        let attached = try extensions.map { (e) throws(NodeError) in try e.attach(to: AttachedLedger(node: node), logger: logger) }
        let server = APIServer.make(
            backend: node, host: api.host, port: api.port, addressFile: dataDirectory.apiAddressFile,
            extraRoutes: attached.map(\.addRoutes), logger: logger)
        let chain: [any Service] = (gossip.map { [$0] } ?? []) + [consensus]
        let services: [any Service] = chain + attached.flatMap(\.services) + [server]
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        try await group.run()
    }
}
