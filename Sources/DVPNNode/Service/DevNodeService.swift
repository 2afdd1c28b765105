import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Logging
import ServiceLifecycle

/// `dvpn-node serve --dev`: a one-validator development chain with its HTTP API, as one `Service`.
///
/// `run()` prepares the data directory (keys, genesis), opens the ledger, and then runs the block
/// producer and the API server side by side in a `ServiceGroup`. When the enclosing group is told
/// to shut down (SIGINT/SIGTERM), the API stops accepting requests first, then the producer stops
/// between two blocks, then the store is closed; a `kill -9` instead leaves a database whose last
/// committed block is intact (SQLite WAL), which the next start continues from.
public struct DevNodeService: Service {
    public let configuration: DevNodeConfiguration
    let logger: Logger

    public init(configuration: DevNodeConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let directory = DevDataDirectory(path: configuration.dataDirectory)
        let setup = try DevChainSetup(
            directory: directory, keyFile: configuration.keyFile, passphrase: configuration.passphrase,
            contracts: EmbeddedContract.devnet, logger: logger
        ).prepare()
        let node = try LedgerNode(
            databasePath: directory.databaseFile, genesis: setup.genesis, contracts: EmbeddedContract.devnet,
            validatorKey: setup.nodeIdentity.ledgerKey, logger: logger)
        logger.info(
            "dev node ready",
            metadata: [
                "chain": "\(setup.genesis.chainID)", "height": "\(node.height)",
                "data-dir": "\(directory.path)", "dev-account": "\(setup.devAccount.string)",
            ])
        let producer = BlockProducer(
            chain: node, pollInterval: configuration.pollInterval,
            emptyBlockInterval: configuration.emptyBlockInterval, logger: logger)
        let attached: [AttachedNodeExtension]
        do {
            attached = try configuration.extensions.map { (e) throws(NodeError) in try e.attach(to: AttachedLedger(node: node), logger: logger) }
        } catch {
            node.close()
            throw error
        }
        let api = APIServer.make(
            backend: node, host: configuration.apiHost, port: configuration.apiPort,
            addressFile: directory.apiAddressFile, extraRoutes: attached.map(\.addRoutes), logger: logger)
        // Shut down in reverse order: the API first, so that nothing is accepted that will not
        // be produced, then the extensions, then the producer.
        let services: [any Service] = [producer] + attached.flatMap(\.services) + [api]
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        do {
            try await group.run()
        } catch {
            node.close()
            throw error
        }
        node.close()
        logger.info("dev node stopped", metadata: ["height": "\(node.height)"])
    }
}
