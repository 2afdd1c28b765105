import DVPNCrypto
import DVPNGossip
import DVPNLedger
import DVPNNodeAPI
import Foundation
import Logging
import ServiceLifecycle

/// Everything `dvpn-node serve --data-dir DIR` (without `--dev`) needs: a node of a network that
/// `dvpn-node testnet` (or an operator) laid out, with `node.toml`'s addresses after the flags'
/// overrides.
public struct NetworkNodeConfiguration: Sendable {
    /// Holds `genesis.json`, the node's key file, `node.toml`, and the files the node writes.
    public var dataDirectory: String
    public var keyFile: String
    public var passphrase: Passphrase
    /// Where to accept P2P links and serve the API (port 0 picks one; the API's is written to
    /// `api-address`).
    public var p2p: HostPort
    public var api: HostPort
    /// Seed peers' P2P addresses.
    public var peers: [HostPort]
    /// The longest time between two blocks when no transaction waits (bounded by the engine's
    /// propose timeout when there are several validators, `EngineConfiguration.network`).
    public var emptyBlockInterval: Duration
    /// What runs beside the chain (the operator's marketplace).
    public var extensions: [any NodeExtension] = []

    public init(dataDirectory: String, keyFile: String? = nil, passphrase: Passphrase, p2p: HostPort, api: HostPort,
                peers: [HostPort], emptyBlockInterval: Duration = .seconds(3)) {
        self.dataDirectory = dataDirectory
        self.keyFile = keyFile ?? (dataDirectory as NSString).appendingPathComponent(DevDataDirectory.nodeKeyFileName)
        self.passphrase = passphrase
        self.p2p = p2p
        self.api = api
        self.peers = peers
        self.emptyBlockInterval = emptyBlockInterval
    }
}

/// `dvpn-node serve --data-dir DIR`: one node of a many-validator network (or a full node, when
/// its key is not in the validator set): P2P links, the consensus engine (block sync included),
/// the extensions and the API, run by `NodeRunner`.
public struct NetworkNodeService: Service {
    public let configuration: NetworkNodeConfiguration
    let logger: Logger

    public init(configuration: NetworkNodeConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let directory = DevDataDirectory(path: configuration.dataDirectory)
        let genesis = try Self.readGenesis(directory.genesisFile)
        let identity: KeyFile.Identity
        do {
            identity = try KeyFile.read(at: configuration.keyFile, passphrase: configuration.passphrase)
        } catch {
            throw NodeError(.configuration, "node key \(configuration.keyFile): \(error.reason)")
        }
        var seeds: [PeerAddress] = []
        for peer in configuration.peers {
            guard let port = UInt16(exactly: peer.port), port != 0 else {
                throw NodeError(.configuration, "peer \(peer) needs a non-zero port")
            }
            do {
                seeds.append(try PeerAddress(host: peer.host, port: port))
            } catch {
                throw NodeError(.configuration, "peer \(peer): \(error.reason)")
            }
        }
        let node = try LedgerNode(
            databasePath: directory.databaseFile, genesis: genesis, contracts: EmbeddedContract.devnet,
            nodeKey: identity.ledgerKey, logger: logger)
        let validators = node.ledger.state.validatorSet
        logger.info(
            "node ready",
            metadata: [
                "chain": "\(genesis.chainID)", "height": "\(node.height)", "data-dir": "\(directory.path)",
                "role": "\(validators.contains(identity.ledgerKey.publicKey) ? "validator" : "full node")",
                "p2p": "\(configuration.p2p)", "peers": "\(configuration.peers.count)",
            ])
        let engine: EngineConfiguration =
            validators.validators.count == 1
            ? .solo(emptyBlockInterval: configuration.emptyBlockInterval)
            : .network(emptyBlockInterval: configuration.emptyBlockInterval)
        try await NodeRunner(
            node: node, engine: engine, dataDirectory: directory,
            p2p: NodeRunner.P2P(listen: configuration.p2p, seeds: seeds), api: configuration.api,
            extensions: configuration.extensions, logger: logger
        ).run()
    }

    static func readGenesis(_ path: String) throws(NodeError) -> Genesis {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw NodeError(.configuration, "cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try Genesis(json: data)
        } catch {
            throw NodeError(.configuration, "\(path): \(error.reason)")
        }
    }
}
