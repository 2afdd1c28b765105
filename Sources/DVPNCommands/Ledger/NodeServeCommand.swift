import DVPNNodeAPI
import ArgumentParser
import DVPNCrypto
import DVPNNode
import Foundation
import Logging
import ServiceLifecycle

/// `dvpn-node serve`: run a node on the consensus engine.
///
/// - `--dev`: a one-validator development chain with the local HTTP API. The first start creates
///   the data directory's genesis (this node the only validator, a funded dev account whose key
///   file lands in `DIR/dev-account.key`), later starts reuse it.
/// - otherwise: one node of a network laid out by `dvpn-node testnet` (or by hand): `DIR` holds
///   `genesis.json`, `key.json` and `node.toml`; `--p2p`, `--api` and `--peers` override the file.
///   A node whose key is not a validator runs as a full node.
///
/// SIGINT and SIGTERM stop the node between two engine ticks and exit 0.
public struct NodeServeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a node: with --dev a one-validator development chain, else the network node of --data-dir (node.toml).")

    @Flag(help: "Run a one-validator development chain (creates its genesis on first start).")
    var dev = false
    @OptionGroup var dataDirectory: DataDirectoryOptions<NodeProfile>
    @OptionGroup var keys: KeyFileOptions
    @Option(help: ArgumentHelp(
        "Where the HTTP API listens (default: node.toml's api, or \(NodeAPI.defaultHost):\(NodeAPI.defaultPort) with --dev; port 0 picks a free one).",
        valueName: "HOST:PORT"))
    var api: String?
    @Option(help: ArgumentHelp("Where P2P links are accepted (default: node.toml's p2p; not with --dev).", valueName: "HOST:PORT"))
    var p2p: String?
    @Option(help: ArgumentHelp("Seed peers' P2P addresses, comma-separated (default: node.toml's peers; not with --dev).", valueName: "H:P,…"))
    var peers: String?
    @Option(name: .customLong("block-interval"), help: ArgumentHelp(
        "Most seconds between two blocks when no transaction waits.", valueName: "SECONDS"))
    var blockInterval: Double = 3
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"
    @OptionGroup(title: "Selling exit bandwidth (docs/operator.md)") var operatorOptions: OperatorOptions

    public init() {}

    public func validate() throws {
        if let api { _ = try Self.parse(api, field: "--api") }
        if let p2p { _ = try Self.parse(p2p, field: "--p2p") }
        if let peers { _ = try Self.parsePeers(peers) }
        if dev, p2p != nil || peers != nil {
            throw ValidationError("--p2p and --peers are for network nodes; a --dev chain has no peers")
        }
        // The flags alone are checked here; a network node's API port may come from node.toml.
        try operatorOptions.validate(apiPort: try api.map { try Self.parse($0, field: "--api").port } ?? NodeAPI.defaultPort)
        guard blockInterval >= 0.05, blockInterval <= 3600 else {
            throw ValidationError("--block-interval must be between 0.05 and 3600 seconds")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
    }

    public func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "dvpn-node")
        let interval = Duration.milliseconds(Int64(blockInterval * 1000))
        let service: any Service = try dev ? devService(interval: interval, logger: logger) : networkService(interval: interval, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private func devService(interval: Duration, logger: Logger) throws -> DevNodeService {
        let address = try Self.parse(api ?? "\(NodeAPI.defaultHost):\(NodeAPI.defaultPort)", field: "--api")
        let directory = try dataDirectory.ensureExists()
        let keyPath = keys.path(in: directory)
        let passphrase: Passphrase =
            if FileManager.default.fileExists(atPath: keyPath) {
                try keys.passphrase(forExisting: keyPath)
            } else {
                try keys.passphraseForNewFile()
            }
        var configuration = DevNodeConfiguration(
            dataDirectory: directory, apiHost: address.host, apiPort: address.port,
            emptyBlockInterval: interval, passphrase: passphrase, keyFile: keyPath)
        configuration.extensions = try operatorExtensions(
            apiPort: address.port, keyPath: keyPath, passphrase: passphrase, directory: directory)
        return DevNodeService(configuration: configuration, logger: logger)
    }

    private func networkService(interval: Duration, logger: Logger) throws -> NetworkNodeService {
        let directory = dataDirectory.path
        let configPath = (directory as NSString).appendingPathComponent(NodeConfigFile.fileName)
        let file: NodeConfigFile? = FileManager.default.fileExists(atPath: configPath) ? try NodeConfigFile.read(at: configPath) : nil
        guard let p2pText = p2p ?? file?.p2p, let apiText = api ?? file?.api else {
            throw CommandFailure("\(configPath) is missing: give --p2p and --api, or run `dvpn-node testnet` (use --dev for a one-validator chain)")
        }
        let seeds: [HostPort]
        if let peers {
            seeds = try Self.parsePeers(peers)
        } else {
            seeds = try (file?.peers ?? []).map { try Self.parse($0, field: "peers") }
        }
        let keyPath = keys.path(in: directory)
        guard FileManager.default.fileExists(atPath: keyPath) else { throw CommandFailure("no key file at \(keyPath)") }
        let passphrase = try keys.passphrase(forExisting: keyPath)
        let apiAddress = try Self.parse(apiText, field: "--api")
        var configuration = NetworkNodeConfiguration(
            dataDirectory: directory, keyFile: keyPath, passphrase: passphrase,
            p2p: try Self.parse(p2pText, field: "--p2p"), api: apiAddress, peers: seeds,
            emptyBlockInterval: interval)
        configuration.extensions = try operatorExtensions(
            apiPort: apiAddress.port, keyPath: keyPath, passphrase: passphrase, directory: directory)
        return NetworkNodeService(configuration: configuration, logger: logger)
    }

    /// The operator's marketplace when `--price` is given (docs/operator.md), attached beside the chain.
    private func operatorExtensions(apiPort: Int, keyPath: String, passphrase: Passphrase, directory: String) throws -> [any NodeExtension] {
        guard operatorOptions.isEnabled else { return [] }
        return [OperatorExtension(
            configuration: try operatorOptions.configuration(apiPort: apiPort),
            identity: .keyFile(path: keyPath, passphrase: passphrase), dataDirectory: directory)]
    }

    /// `HOST:PORT` with a port in 0...65535, as `node.toml` writes it (`HostPort`).
    static func parse(_ text: String, field: String) throws -> HostPort {
        do {
            return try HostPort(parsing: text, field: field)
        } catch {
            throw ValidationError(error.reason)
        }
    }

    static func parsePeers(_ text: String) throws -> [HostPort] {
        try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map {
            try parse($0, field: "--peers")
        }
    }
}
