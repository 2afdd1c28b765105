import DVPNNodeAPI
import ArgumentParser
import DVPNCrypto
import DVPNNode
import Foundation
import Logging
import ServiceLifecycle

/// `dvpn-node serve --dev`: a one-validator development chain with the local HTTP API.
///
/// The first start creates the data directory's genesis (this node the only validator, a funded
/// dev account whose key file lands in `DIR/dev-account.key`), later starts reuse it. SIGINT and
/// SIGTERM stop the node between two blocks and exit 0.
public struct NodeServeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a node: with --dev, a one-validator development chain and its HTTP API.")

    @Flag(help: "Run a one-validator development chain (creates its genesis on first start).")
    var dev = false
    @OptionGroup var dataDirectory: DataDirectoryOptions<NodeProfile>
    @OptionGroup var keys: KeyFileOptions
    @Option(help: ArgumentHelp(
        "Where the HTTP API listens (default: \(NodeAPI.defaultHost):\(NodeAPI.defaultPort); port 0 picks a free one).",
        valueName: "HOST:PORT"))
    var api = "\(NodeAPI.defaultHost):\(NodeAPI.defaultPort)"
    @Option(name: .customLong("block-interval"), help: ArgumentHelp(
        "Most seconds between two blocks when no transaction waits.", valueName: "SECONDS"))
    var blockInterval: Double = 3
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"
    @OptionGroup(title: "Selling exit bandwidth (docs/operator.md)") var operatorOptions: OperatorOptions

    public init() {}

    public func validate() throws {
        guard dev else {
            throw ValidationError("only --dev is supported so far: `dvpn-node serve --dev --data-dir DIR`")
        }
        try operatorOptions.validate(apiPort: try Self.parseAddress(api).1)
        guard blockInterval >= 0.05, blockInterval <= 3600 else {
            throw ValidationError("--block-interval must be between 0.05 and 3600 seconds")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
    }

    public func run() async throws {
        let (host, port) = try Self.parseAddress(api)
        let directory = try dataDirectory.ensureExists()
        let keyPath = keys.path(in: directory)
        let passphrase: Passphrase =
            if FileManager.default.fileExists(atPath: keyPath) {
                try keys.passphrase(forExisting: keyPath)
            } else {
                try keys.passphraseForNewFile()
            }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "dvpn-node")
        var configuration = DevNodeConfiguration(
            dataDirectory: directory, apiHost: host, apiPort: port,
            emptyBlockInterval: .milliseconds(Int64(blockInterval * 1000)), passphrase: passphrase, keyFile: keyPath)
        if operatorOptions.isEnabled {
            configuration.extensions.append(OperatorExtension(
                configuration: try operatorOptions.configuration(apiPort: port),
                identity: .keyFile(path: keyPath, passphrase: passphrase), dataDirectory: directory))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [DevNodeService(configuration: configuration, logger: logger)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// `HOST:PORT` with a port in 0...65535, as `node.toml` writes it (`HostPort`).
    static func parseAddress(_ text: String) throws -> (String, Int) {
        do {
            let address = try HostPort(parsing: text, field: "--api")
            return (address.host, address.port)
        } catch {
            throw ValidationError(error.reason)
        }
    }
}
