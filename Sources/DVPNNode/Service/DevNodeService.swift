import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Logging
import ServiceLifecycle

/// `dvpn-node serve --dev`: a one-validator network on the consensus engine, with its HTTP API,
/// as one `Service` (no P2P: there is nobody to talk to).
///
/// `run()` prepares the data directory (keys, genesis), opens the ledger, and runs the engine
/// (`EngineConfiguration.solo`: a waiting transaction is committed within a few milliseconds, an
/// empty block comes at most every `emptyBlockInterval`), the extensions and the API in one
/// `ServiceGroup` (`NodeRunner`). SIGINT/SIGTERM stop the API first, then the extensions, then the
/// engine between two ticks; then the store is closed.
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
            nodeKey: setup.nodeIdentity.ledgerKey, logger: logger)
        logger.info(
            "dev node ready",
            metadata: [
                "chain": "\(setup.genesis.chainID)", "height": "\(node.height)",
                "data-dir": "\(directory.path)", "dev-account": "\(setup.devAccount.string)",
            ])
        var engine = EngineConfiguration.solo(emptyBlockInterval: configuration.emptyBlockInterval)
        engine.tick = configuration.pollInterval
        try await NodeRunner(
            node: node, engine: engine, dataDirectory: directory, p2p: nil,
            api: HostPort(host: configuration.apiHost, port: configuration.apiPort),
            extensions: configuration.extensions, logger: logger
        ).run()
    }
}
