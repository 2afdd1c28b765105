import Foundation
import Testing

/// `dvpn-node testnet`, run as a real process: the files it writes, their agreement with each
/// other, and one-line refusals.
@Suite struct TestnetCommandTests {
    struct Report: Decodable {
        struct Node: Decodable {
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
    }

    struct GenesisFile: Decodable {
        struct Validator: Decodable { let address: String; let power: UInt64 }
        let chain_id: String
        let validators: [Validator]
    }

    @Test func writesOneDataDirectoryPerValidator() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path + "/net"
        let result = try ExecutableRunner.run(
            "dvpn-node", ["testnet", "--validators", "4", "--out", out, "--base-port", "36656", "--insecure-no-passphrase", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.chainID.hasPrefix("dvpn-testnet-"))
        #expect(report.nodes.count == 4)
        let shared = try Data(contentsOf: URL(fileURLWithPath: out + "/genesis.json"))
        let genesis = try JSONDecoder().decode(GenesisFile.self, from: shared)
        #expect(genesis.chain_id == report.chainID)
        #expect(genesis.validators.count == 4)
        #expect(FileManager.default.fileExists(atPath: out + "/dev-account.key"))

        for (i, node) in report.nodes.enumerated() {
            #expect(node.moniker == "node\(i)")
            #expect(node.p2p == "127.0.0.1:\(36656 + 2 * i)")
            #expect(node.api == "127.0.0.1:\(36656 + 2 * i + 1)")
            #expect(Set(node.peers) == Set(report.nodes.filter { $0.moniker != node.moniker }.map(\.p2p)))
            // Every node's genesis is byte-identical to the shared one.
            #expect(try Data(contentsOf: URL(fileURLWithPath: node.directory + "/genesis.json")) == shared)
            // Its key file is a validator of that genesis.
            let shown = try ExecutableRunner.run("dvpn-node", ["keys", "show", "--data-dir", node.directory, "--json"])
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains(node.address))
            #expect(genesis.validators.contains { $0.address == node.address })
            let config = try String(contentsOfFile: node.directory + "/node.toml", encoding: .utf8)
            #expect(config.contains("p2p = '\(node.p2p)'") || config.contains("p2p = \"\(node.p2p)\""))
            let attributes = try FileManager.default.attributesOfItem(atPath: node.directory + "/key.json")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
        let keysInGenesis = Set(genesis.validators.map(\.address))
        #expect(keysInGenesis.count == 4)
    }

    @Test func hostsPlaceEachNode() throws {
        let dir = try TemporaryDirectory()
        let result = try ExecutableRunner.run(
            "dvpn-node", ["testnet", "--validators", "2", "--out", dir.path + "/n", "--hosts", "10.9.0.1,10.9.0.2",
                          "--insecure-no-passphrase", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.nodes.map(\.p2p) == ["10.9.0.1:26656", "10.9.0.2:26658"])
        #expect(report.nodes.map(\.api) == ["10.9.0.1:26657", "10.9.0.2:26659"])
        #expect(report.nodes[0].peers == ["10.9.0.2:26658"])
    }

    @Test func refusesToOverwriteATestnet() throws {
        let dir = try TemporaryDirectory()
        let args = ["testnet", "--validators", "1", "--out", dir.path, "--insecure-no-passphrase"]
        let first = try ExecutableRunner.run("dvpn-node", args)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("start each node with"))
        let second = try ExecutableRunner.run("dvpn-node", args)
        #expect(second.status == 1)
        #expect(second.stderr.hasPrefix("dvpn-node: ") && second.stderr.contains("already holds a testnet"))
        #expect(second.stderr.split(separator: "\n").count == 1)
    }

    @Test(arguments: [
        ["--validators", "0"], ["--validators", "65"], ["--validators", "3", "--hosts", "a,b"],
        ["--validators", "2", "--base-port", "65535"],
    ])
    func badArgumentsAreUsageErrors(_ extra: [String]) throws {
        let dir = try TemporaryDirectory()
        let result = try ExecutableRunner.run("dvpn-node", ["testnet", "--out", dir.path, "--insecure-no-passphrase"] + extra)
        #expect(result.status == 64, "\(result.stdout) \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/genesis.json"))
    }
}
