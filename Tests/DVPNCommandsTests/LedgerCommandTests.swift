import Foundation
import Testing

/// `dvpn balance|transfer|ledger show|ledger tx` against a real `dvpn-node serve --dev` process.
@Suite(.serialized) struct LedgerCommandTests {
    /// Runs `dvpn` with `--node` pointing at `node`.
    static func dvpn(_ node: DevNodeProcess, _ arguments: [String]) throws -> ExecutableRunner.Result {
        try ExecutableRunner.run("dvpn", arguments + ["--node", node.url], timeout: 90)
    }

    /// The light client's options for reads: trust the node's own genesis file, keep the
    /// verified header chain inside the test's directory.
    static func light(_ dir: TemporaryDirectory, _ node: DevNodeProcess) -> [String] {
        ["--genesis", node.dataDirectory + "/genesis.json", "--data-dir", dir.path + "/light"]
    }

    static func newKey(_ dir: TemporaryDirectory, _ name: String) throws -> (path: String, address: String) {
        let path = dir.path + "/\(name).key"
        let created = try ExecutableRunner.run("dvpn", ["keys", "new", "--key-file", path, "--insecure-no-passphrase", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let json = try JSONDecoder().decode([String: AnyJSON].self, from: Data(created.stdout.utf8))
        return (path, try #require(json["address"]?.string))
    }

    @Test func transferIsCommittedAndShowsInBalancesAndBlocks() throws {
        let dir = try TemporaryDirectory()
        let node = try DevNodeProcess(dataDirectory: dir.path + "/node")
        defer { node.stop() }
        let dev = dir.path + "/node/dev-account.key"
        let bob = try Self.newKey(dir, "bob")

        let sent = try Self.dvpn(node, ["transfer", bob.address, "2.5", "--key-file", dev])
        #expect(sent.status == 0, "\(sent.stderr)")
        let words = sent.stdout.split(separator: " ")
        #expect(sent.stdout.hasPrefix("Sent 2.5 DVPN to \(bob.address) in block "), "\(sent.stdout)")
        let height = try #require(words.firstIndex(of: "block").flatMap { UInt64(words[$0 + 1]) })

        let balance = try Self.dvpn(node, ["balance", bob.address] + Self.light(dir, node))
        #expect(balance.status == 0, "\(balance.stderr)")
        #expect(balance.stdout == "address  \(bob.address)\nbalance  2.5 DVPN\nnonce    0\n")

        let json = try Self.dvpn(node, ["balance", "--key-file", bob.path, "--json"] + Self.light(dir, node))
        let account = try JSONDecoder().decode([String: AnyJSON].self, from: Data(json.stdout.utf8))
        #expect(account["balance"] == .string("2.5"))
        #expect(account["balanceUdvpn"] == .number(2_500_000))

        let block = try Self.dvpn(node, ["ledger", "show", String(height)])
        #expect(block.status == 0, "\(block.stderr)")
        #expect(block.stdout.contains("transactions  1"))
        #expect(block.stdout.contains("transfer 2.5 DVPN to \(bob.address)"))

        // Bob pays back 1 DVPN; the fee is the chain's minimum (0.001 DVPN).
        let back = try Self.dvpn(node, ["transfer", "--key-file", bob.path, "--json", try Self.address(of: dev), "1"])
        #expect(back.status == 0, "\(back.stderr)")
        let report = try JSONDecoder().decode([String: AnyJSON].self, from: Data(back.stdout.utf8))
        let hash = try #require(report["hash"]?.string)
        #expect(report["fee"] == .number(1_000))
        let after = try Self.dvpn(node, ["balance", bob.address, "--json"] + Self.light(dir, node))
        #expect(try JSONDecoder().decode([String: AnyJSON].self, from: Data(after.stdout.utf8))["balance"] == .string("1.499"))

        let tx = try Self.dvpn(node, ["ledger", "tx", hash])
        #expect(tx.status == 0, "\(tx.stderr)")
        #expect(tx.stdout.contains("status       committed"))
        #expect(tx.stdout.contains("result       ok"))
    }

    @Test func badInputIsOneLineAndExitOne() throws {
        let dir = try TemporaryDirectory()
        let node = try DevNodeProcess(dataDirectory: dir.path + "/node")
        defer { node.stop() }
        let dev = dir.path + "/node/dev-account.key"
        let bob = try Self.newKey(dir, "bob")
        let cases: [([String], String)] = [
            (["transfer", bob.address, "1.5x", "--key-file", dev], "dvpn: amount: \"1.5x\" is not a DVPN amount"),
            (["transfer", bob.address, "0.0000001", "--key-file", dev], "dvpn: amount: \"0.0000001\" is not a DVPN amount"),
            (["transfer", bob.address, "1e3", "--key-file", dev], "dvpn: amount: \"1e3\" is not a DVPN amount"),
            (["transfer", bob.address, "0", "--key-file", dev], "dvpn: amount must be more than 0"),
            (["transfer", "dvpn1nonsense", "1", "--key-file", dev], "dvpn: recipient 'dvpn1nonsense' is not a dvpn1… address"),
            (["transfer", bob.address, "5000000", "--key-file", dev], "dvpn: the node refused the transaction: insufficient funds"),
            (["transfer", try Self.address(of: dev), "1", "--key-file", bob.path], "dvpn: unknown address \(bob.address)"),
            (["balance", bob.address] + Self.light(dir, node), "dvpn: unknown address \(bob.address)"),
            (["balance", "xyz"], "dvpn: address 'xyz' is not a dvpn1… address"),
            (["ledger", "show", "99999"], "dvpn: no block at height 99999"),
            (["ledger", "tx", "abcd"], "dvpn: transaction id 'abcd' is not 64 hex digits"),
        ]
        for (arguments, expected) in cases {
            let result = try Self.dvpn(node, arguments)
            #expect(result.status == 1, "\(arguments): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.hasPrefix(expected), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        #expect(node.isRunning)
    }

    @Test func unreachableNodeIsOneLineAndExitOne() throws {
        let result = try ExecutableRunner.run("dvpn", ["ledger", "show", "--node", "http://127.0.0.1:1"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("dvpn: cannot reach the node at http://127.0.0.1:1"))
        let badURL = try ExecutableRunner.run("dvpn", ["ledger", "show", "--node", "ftp://x"])
        #expect(badURL.status != 0)
    }

    @Test func serveStopsCleanlyOnSIGTERMAndRestartsOnTheSameChain() throws {
        let dir = try TemporaryDirectory()
        let first = try DevNodeProcess(dataDirectory: dir.path + "/node")
        let before = try Self.dvpn(first, ["ledger", "show", "--json"])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(first.stop() == 0, "\(first.log(tail: 20))")
        let genesis = try String(contentsOfFile: dir.path + "/node/genesis.json", encoding: .utf8)

        let second = try DevNodeProcess(dataDirectory: dir.path + "/node")
        defer { second.stop() }
        #expect(try String(contentsOfFile: dir.path + "/node/genesis.json", encoding: .utf8) == genesis)
        let old = try JSONDecoder().decode([String: AnyJSON].self, from: Data(before.stdout.utf8))
        guard case .number(let height) = old["height"] else {
            Issue.record("ledger show --json has no height: \(before.stdout)")
            return
        }
        let again = try Self.dvpn(second, ["ledger", "show", String(Int(height)), "--json"])
        #expect(try JSONDecoder().decode([String: AnyJSON].self, from: Data(again.stdout.utf8))["hash"] == old["hash"])
    }

    static func address(of keyFile: String) throws -> String {
        let shown = try ExecutableRunner.run("dvpn", ["keys", "show", "--key-file", keyFile, "--json"])
        let json = try JSONDecoder().decode([String: AnyJSON].self, from: Data(shown.stdout.utf8))
        return try #require(json["address"]?.string)
    }
}
