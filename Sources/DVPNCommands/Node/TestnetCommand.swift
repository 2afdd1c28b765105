import ArgumentParser
import DVPNCrypto
import DVPNNode
import DVPNNodeAPI
import Foundation

/// `dvpn-node testnet --validators N --out DIR`: writes a many-validator network's genesis, keys
/// and per-node configuration (`TestnetGenerator`), then says how to start each node.
public struct TestnetCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "testnet",
        abstract: "Write a many-validator test network: shared genesis, one data directory per node.")

    @Option(help: ArgumentHelp("How many validators (1–\(TestnetGenerator.maxValidators)).", valueName: "N"))
    var validators: Int
    @Option(help: ArgumentHelp("Output directory (must not hold a testnet already).", valueName: "DIR"))
    var out: String
    @Option(name: .customLong("base-port"), help: ArgumentHelp(
        "Node I listens for P2P on P+2I and serves its API on P+2I+1.", valueName: "P"))
    var basePort = 26656
    @Option(help: ArgumentHelp(
        "Comma-separated host of each node, in order (default: 127.0.0.1 for all).", valueName: "H1,H2,…"))
    var hosts: String?
    @Flag(name: .customLong("insecure-no-passphrase"), help: "Store the keys without a passphrase (test networks only).")
    var insecureNoPassphrase = false
    @Flag(help: "Print the summary as JSON.")
    var json = false

    public init() {}

    private var generatorHosts: [String] {
        hosts.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
    }

    public func validate() throws {
        let probe = TestnetGenerator(
            validators: validators, outDirectory: out, basePort: basePort, hosts: generatorHosts, passphrase: .none)
        do {
            try probe.validate()
        } catch {
            throw ValidationError(error.reason)
        }
    }

    public func run() async throws {
        let passphrase: Passphrase =
            insecureNoPassphrase ? .none : try PassphraseSource.obtain(prompt: "Passphrase for the testnet's keys: ", confirm: true)
        let outDirectory = (out as NSString).expandingTildeInPath
        let summary = try TestnetGenerator(
            validators: validators, outDirectory: outDirectory, basePort: basePort, hosts: generatorHosts,
            passphrase: passphrase
        ).generate()
        if json {
            print(JSONOutput.render(TestnetReport(summary: summary, out: outDirectory)))
            return
        }
        print("testnet \(summary.genesis.chainID): \(summary.nodes.count) validators in \(outDirectory)")
        print("dev account \(summary.devAccount.string) (key: \(outDirectory)/dev-account.key)")
        let width = summary.nodes.map(\.config.moniker.count).max() ?? 5
        for node in summary.nodes {
            let name = node.config.moniker.padding(toLength: width, withPad: " ", startingAt: 0)
            print("  \(name)  p2p \(node.config.p2p)  api \(node.config.api)  \(node.address.string)")
        }
        print("start each node with: dvpn-node serve --data-dir \(outDirectory)/nodeI")
    }
}

/// `--json` output of `dvpn-node testnet`.
struct TestnetReport: Encodable {
    struct Node: Encodable {
        let moniker: String
        let directory: String
        let address: String
        let p2p: String
        let api: String
        let peers: [String]
    }

    let chainID: String
    let genesis: String
    let devAccount: String
    let devAccountKeyFile: String
    let nodes: [Node]

    init(summary: TestnetGenerator.Summary, out: String) {
        chainID = summary.genesis.chainID
        genesis = (out as NSString).appendingPathComponent(DevDataDirectory.genesisFileName)
        devAccount = summary.devAccount.string
        devAccountKeyFile = (out as NSString).appendingPathComponent(DevDataDirectory.devAccountKeyFileName)
        nodes = summary.nodes.map {
            Node(moniker: $0.config.moniker, directory: $0.directory, address: $0.address.string,
                 p2p: $0.config.p2p, api: $0.config.api, peers: $0.config.peers)
        }
    }
}
