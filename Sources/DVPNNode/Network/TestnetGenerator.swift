import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import Foundation
import Logging

/// `dvpn-node testnet`: writes a many-validator network that runs on one machine (or on the hosts
/// given), so that the same consensus engine runs with one validator or with many.
///
///     DIR/genesis.json         the shared genesis: N validators of equal power, the dev account
///     DIR/dev-account.key      the dev account's key file (funded in genesis)
///     DIR/nodeI/key.json       node I's key (its validator key and tunnel key)
///     DIR/nodeI/genesis.json   a copy of the genesis
///     DIR/nodeI/node.toml      P2P on P+2I, API on P+2I+1, every other node as a seed peer
///
/// Genesis is written last into each directory (as `DevChainSetup` does), so a node directory
/// with a genesis always has the key that genesis names.
public struct TestnetGenerator: Sendable {
    /// Equal power for every validator: any N of them above 2/3 of the count can commit.
    public static let validatorPower: UInt64 = 10
    public static let maxValidators = 64

    public var validators: Int
    public var outDirectory: String
    /// Node I listens for P2P on `basePort + 2·I` and serves its API on `basePort + 2·I + 1`.
    public var basePort: Int
    /// Host of node I (default 127.0.0.1 for all); exactly `validators` entries when given.
    public var hosts: [String]
    public var passphrase: Passphrase
    public var contracts: [EmbeddedContract]
    public var genesisTime: Timestamp

    public init(validators: Int, outDirectory: String, basePort: Int = 26656, hosts: [String] = [],
                passphrase: Passphrase, contracts: [EmbeddedContract] = EmbeddedContract.devnet,
                genesisTime: Timestamp = Timestamp(Date())) {
        self.validators = validators
        self.outDirectory = outDirectory
        self.basePort = basePort
        self.hosts = hosts
        self.passphrase = passphrase
        self.contracts = contracts
        self.genesisTime = genesisTime
    }

    /// What was written, for the command to print.
    public struct Summary: Sendable {
        public let genesis: Genesis
        public let devAccount: AccountAddress
        public let nodes: [Node]

        public struct Node: Sendable {
            public let directory: String
            public let address: AccountAddress
            public let config: NodeConfigFile
        }
    }

    public func validate() throws(NodeError) {
        guard (1...Self.maxValidators).contains(validators) else {
            throw NodeError(.configuration, "--validators must be between 1 and \(Self.maxValidators), got \(validators)")
        }
        guard basePort >= 1, basePort + 2 * validators - 1 <= 65535 else {
            throw NodeError(.configuration, "--base-port \(basePort) leaves no room for \(validators) nodes (two ports each)")
        }
        guard hosts.isEmpty || hosts.count == validators else {
            throw NodeError(.configuration, "--hosts names \(hosts.count) hosts for \(validators) validators; give one per node")
        }
        for host in hosts where host.isEmpty || host.contains(where: { $0.isWhitespace || $0 == "," }) {
            throw NodeError(.configuration, "--hosts entry '\(host)' is not a host name or address")
        }
    }

    /// Writes the whole network. Refuses an output directory that already holds a genesis, so a
    /// second run never replaces keys that a running network uses.
    public func generate() throws(NodeError) -> Summary {
        try validate()
        let out = DevDataDirectory(path: outDirectory)
        try out.ensureExists()
        guard !FileManager.default.fileExists(atPath: out.genesisFile) else {
            throw NodeError(.configuration, "\(out.genesisFile) exists: \(outDirectory) already holds a testnet; choose another --out")
        }
        let identities = (0..<validators).map { _ in KeyFile.Identity.generate() }
        let devAccount = KeyFile.Identity.generate()
        let genesis = try makeGenesis(validators: identities.map(\.ledgerKey.publicKey), devAccount: devAccount.address)
        try write(devAccount, to: out.devAccountKeyFile)

        let listen = (0..<validators).map { i in
            (p2p: HostPort(host: host(of: i), port: basePort + 2 * i), api: HostPort(host: host(of: i), port: basePort + 2 * i + 1))
        }
        var nodes: [Summary.Node] = []
        for (i, identity) in identities.enumerated() {
            let node = DevDataDirectory(path: (outDirectory as NSString).appendingPathComponent("node\(i)"))
            try node.ensureExists()
            try write(identity, to: node.file(DevDataDirectory.nodeKeyFileName))
            let config = NodeConfigFile(
                moniker: "node\(i)", p2p: listen[i].p2p.description, api: listen[i].api.description,
                peers: listen.indices.filter { $0 != i }.map { listen[$0].p2p.description })
            try config.write(to: node.file(NodeConfigFile.fileName))
            try writeGenesis(genesis, to: node.genesisFile)
            nodes.append(Summary.Node(directory: node.path, address: identity.address, config: config))
        }
        try writeGenesis(genesis, to: out.genesisFile)
        return Summary(genesis: genesis, devAccount: devAccount.address, nodes: nodes)
    }

    /// What each validator starts with: 100 DVPN, for evidence transaction fees.
    static let validatorFunds = Amount(udvpn: 100 * Amount.udvpnPerDVPN)

    private func host(of node: Int) -> String { hosts.isEmpty ? "127.0.0.1" : hosts[node] }

    /// The chain id names the network by its validators: `dvpn-testnet-` and 4 bytes of a hash of
    /// their keys, so two testnets made apart never share an id (and never accept each other's
    /// signatures).
    private func makeGenesis(validators keys: [Schnorr.PublicKey], devAccount: AccountAddress) throws(NodeError) -> Genesis {
        let digest = Hash256.sha256(keys.flatMap(\.rawRepresentation))
        do {
            return try Genesis(
                chainID: "dvpn-testnet-" + Hex.encode(Array(digest.bytes.prefix(4))),
                genesisTime: genesisTime,
                validators: ValidatorSet(validators: keys.map { Validator(publicKey: $0, power: Self.validatorPower) }),
                // Each validator holds a little, to pay the fee of the evidence it submits.
                balances: [GenesisBalance(address: devAccount, amount: DevChainSetup.devAccountFunds)]
                    + keys.map { GenesisBalance(address: AccountAddress(publicKey: $0), amount: Self.validatorFunds) },
                contracts: contracts.map { GenesisContract(name: $0.name, codeSHA256: Hash256.sha256($0.code)) },
                params: .devnet)
        } catch {
            throw NodeError(.configuration, "cannot build the testnet genesis: \(error.reason)")
        }
    }

    private func write(_ identity: KeyFile.Identity, to path: String) throws(NodeError) {
        do {
            try KeyFile.write(identity, to: path, passphrase: passphrase)
        } catch {
            throw NodeError(.configuration, "cannot write key file \(path): \(error.reason)")
        }
    }

    private func writeGenesis(_ genesis: Genesis, to path: String) throws(NodeError) {
        do {
            try Data(genesis.json).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw NodeError(.configuration, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
