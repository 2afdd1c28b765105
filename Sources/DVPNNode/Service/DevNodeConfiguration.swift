import DVPNNodeAPI
import DVPNCrypto
import Foundation

/// Everything `dvpn-node serve --dev` needs to know, parsed and checked by the command.
/// (`serve --data-dir` of a network node: `NetworkNodeConfiguration`.)
public struct DevNodeConfiguration: Sendable {
    /// The data directory: genesis, the node's key, the dev account's key, the database.
    public var dataDirectory: String
    /// Where the HTTP API listens. Port 0 picks a free port (written to `apiAddressFile`).
    public var apiHost: String
    public var apiPort: Int
    /// The longest time between two blocks when no transaction waits.
    public var emptyBlockInterval: Duration
    /// How often the consensus engine wakes (timeouts, a proposal waiting for transactions,
    /// peers); what arrives within one wake-up shares a block.
    public var pollInterval: Duration
    /// Protects the node's key file and the dev account's key file (created if absent).
    public var passphrase: Passphrase
    /// The node's own key file (default `DIR/key.json`); created if absent.
    public var keyFile: String
    /// What runs beside the chain (the operator's marketplace when `--price` is given).
    public var extensions: [any NodeExtension] = []

    public init(
        dataDirectory: String, apiHost: String = NodeAPI.defaultHost, apiPort: Int = NodeAPI.defaultPort,
        emptyBlockInterval: Duration = .seconds(3), pollInterval: Duration = .milliseconds(5),
        passphrase: Passphrase, keyFile: String? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.apiHost = apiHost
        self.apiPort = apiPort
        self.emptyBlockInterval = emptyBlockInterval
        self.pollInterval = pollInterval
        self.passphrase = passphrase
        self.keyFile = keyFile ?? (dataDirectory as NSString).appendingPathComponent(DevDataDirectory.nodeKeyFileName)
    }
}

/// The files of a dev node's data directory.
public struct DevDataDirectory: Sendable {
    public static let nodeKeyFileName = "key.json"
    public static let devAccountKeyFileName = "dev-account.key"
    public static let genesisFileName = "genesis.json"
    public static let databaseFileName = "ledger.sqlite"
    public static let apiAddressFileName = "api-address"

    public let path: String

    public init(path: String) { self.path = path }

    public var genesisFile: String { file(Self.genesisFileName) }
    public var devAccountKeyFile: String { file(Self.devAccountKeyFileName) }
    public var databaseFile: String { file(Self.databaseFileName) }
    /// `HOST:PORT` the API listens on, written once it listens: scripts and tests that start a
    /// node on port 0 read it.
    public var apiAddressFile: String { file(Self.apiAddressFileName) }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Creates the directory (mode 0700: it holds key files) if absent.
    func ensureExists() throws(NodeError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw NodeError(.configuration, "\(path) exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw NodeError(.configuration, "cannot create data directory \(path): \(error.localizedDescription)")
        }
    }
}
