import Foundation
import Testing

/// `dvpn balance|offers|channel show` through the light client against a real
/// `dvpn-node serve --dev` process: the trusted genesis, the header chain in the data directory,
/// and failover along `--node`.
@Suite(.serialized) struct LightClientCommandTests {
    @Test func readsAreVerifiedAndFailOverFromADeadNode() throws {
        let dir = try TemporaryDirectory()
        let node = try DevNodeProcess(dataDirectory: dir.path + "/node", blockInterval: "0.2")
        defer { node.stop() }
        let dev = try LedgerCommandTests.address(of: dir.path + "/node/dev-account.key")
        let light = LedgerCommandTests.light(dir, node)

        let first = try ExecutableRunner.run("dvpn", ["balance", dev, "--json", "--node", node.url] + light, timeout: 90)
        #expect(first.status == 0, "\(first.stderr)")
        let report = try JSONDecoder().decode([String: AnyJSON].self, from: Data(first.stdout.utf8))
        #expect(report["balanceUdvpn"] == .number(1_000_000_000_000))
        guard case .number(let height)? = report["provenAtHeight"] else {
            Issue.record("no provenAtHeight in \(first.stdout)")
            return
        }
        #expect(height >= 1)
        // The verified chain is on disk, one file per genesis.
        let chains = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/light/light-client")
        #expect(chains.count == 1 && chains[0].hasPrefix("dvpn-devnet-") && chains[0].hasSuffix(".sqlite"), "\(chains)")

        // A dead node first: one line naming it, then the answer from the next.
        let dead = "http://127.0.0.1:1"
        let failover = try ExecutableRunner.run("dvpn", ["balance", dev, "--node", "\(dead),\(node.url)"] + light, timeout: 90)
        #expect(failover.status == 0, "\(failover.stderr)")
        #expect(failover.stdout.contains("balance  1000000 DVPN"), "\(failover.stdout)")
        #expect(failover.stderr.hasPrefix("dvpn: node \(dead) failed: cannot reach the node at \(dead)"), "\(failover.stderr)")
        #expect(failover.stderr.hasSuffix("; trying \(node.url)\n"), "\(failover.stderr)")
        #expect(failover.stderr.split(separator: "\n").count == 1)

        // Every node dead: one line, exit 1.
        let none = try ExecutableRunner.run("dvpn", ["balance", dev, "--node", "\(dead),http://127.0.0.1:2"] + light, timeout: 90)
        #expect(none.status == 1)
        #expect(none.stderr.split(separator: "\n").count == 2, "\(none.stderr)")
        #expect(none.stderr.split(separator: "\n").last?.hasSuffix("no node left to ask") == true, "\(none.stderr)")

        // A channel that does not exist is a proven absence, not a node failure.
        let missing = try ExecutableRunner.run("dvpn", ["channel", "show", "7", "--node", node.url] + light, timeout: 90)
        #expect(missing.status == 1)
        #expect(missing.stderr == "dvpn: no channel 7\n", "\(missing.stderr)")

        let offers = try ExecutableRunner.run("dvpn", ["offers", "--node", node.url] + light, timeout: 90)
        #expect(offers.status == 0, "\(offers.stderr)")
        #expect(offers.stdout == "No offers match.\n")
    }

    @Test func genesisComesFromTheFlagOrTheDataDirectoryOrAOneLineError() throws {
        let dir = try TemporaryDirectory()
        let node = try DevNodeProcess(dataDirectory: dir.path + "/node")
        defer { node.stop() }
        let dev = try LedgerCommandTests.address(of: dir.path + "/node/dev-account.key")

        let missing = try ExecutableRunner.run("dvpn", ["balance", dev, "--node", node.url, "--data-dir", dir.path + "/empty"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("dvpn: no genesis file: pass --genesis FILE"), "\(missing.stderr)")
        #expect(missing.stderr.split(separator: "\n").count == 1)

        // The genesis in the data directory is used when no flag is given.
        try FileManager.default.createDirectory(atPath: dir.path + "/mine", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir.path + "/node/genesis.json", toPath: dir.path + "/mine/genesis.json")
        let found = try ExecutableRunner.run("dvpn", ["balance", dev, "--node", node.url, "--data-dir", dir.path + "/mine"])
        #expect(found.status == 0, "\(found.stderr)")

        // Another chain's genesis: the node's headers do not descend from it.
        let other = try TemporaryDirectory()
        let otherNode = try DevNodeProcess(dataDirectory: other.path + "/node")
        defer { otherNode.stop() }
        let wrong = try ExecutableRunner.run("dvpn", [
            "balance", dev, "--node", node.url, "--genesis", other.path + "/node/genesis.json", "--data-dir", dir.path + "/wrong",
        ])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.hasPrefix("dvpn: node \(node.url) lied: header 1 "), "\(wrong.stderr)")
    }
}
