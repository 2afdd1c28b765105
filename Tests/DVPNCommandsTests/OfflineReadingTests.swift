import Foundation
import Testing

/// Offline reading of a replica (issue 7 item 8): `dvpn ledger show HEIGHT --data-dir DIR --json`
/// reads a stored ledger read-only and prints what the node's API prints for that block, and
/// `dvpn ledger verify --json` names the last verified block, so two replicas can be compared
/// without running a node.
@Suite(.serialized) struct OfflineReadingTests {
    static func json(_ result: ExecutableRunner.Result) throws -> [String: AnyJSON] {
        try JSONDecoder().decode([String: AnyJSON].self, from: Data(result.stdout.utf8))
    }

    @Test func storedBlocksReadOfflineMatchTheNodeAndTheAudit() throws {
        let dir = try TemporaryDirectory()
        let data = dir.path + "/node"
        let node = try DevNodeProcess(dataDirectory: data)
        let created = try ExecutableRunner.run("dvpn", ["keys", "new", "--key-file", dir.path + "/bob.key", "--insecure-no-passphrase", "--json"])
        let bob = try #require(try Self.json(created)["address"]?.string)
        let sent = try ExecutableRunner.run("dvpn", ["transfer", bob, "3", "--key-file", data + "/dev-account.key", "--json", "--node", node.url], timeout: 90)
        #expect(sent.status == 0, "\(sent.stderr)")
        let height = try #require(try Self.json(sent)["height"].flatMap { value -> Int? in
            if case .number(let n) = value { return Int(n) } else { return nil }
        })
        let online = try ExecutableRunner.run("dvpn", ["ledger", "show", String(height), "--json", "--node", node.url], timeout: 90)
        #expect(online.status == 0, "\(online.stderr)")
        #expect(node.stop() == 0)

        // The stopped node's directory, read-only: the same block, field for field.
        let offline = try ExecutableRunner.run("dvpn", ["ledger", "show", String(height), "--data-dir", data, "--json"])
        #expect(offline.status == 0, "\(offline.stderr)")
        let block = try Self.json(offline)
        #expect(block == (try Self.json(online)))
        let hash = try #require(block["hash"]?.string)
        #expect(hash.count == 64)
        #expect(block["height"] == .number(Double(height)))
        #expect(block["stateRoot"]?.string?.count == 64)

        // The people's form names the block too.
        let human = try ExecutableRunner.run("dvpn", ["ledger", "show", String(height), "--data-dir", data])
        #expect(human.status == 0, "\(human.stderr)")
        #expect(human.stdout.contains(hash))
        #expect(human.stdout.contains("transfer 3 DVPN to \(bob)"))

        // The audit's last verified block is the stored tip.
        let tip = try ExecutableRunner.run("dvpn", ["ledger", "show", "--data-dir", data, "--json"])
        let tipBlock = try Self.json(tip)
        let verified = try ExecutableRunner.run("dvpn", ["ledger", "verify", "--data-dir", data, "--json", "--quiet"])
        #expect(verified.status == 0, "\(verified.stderr)")
        let report = try Self.json(verified)
        #expect(report["passed"] == .bool(true))
        #expect(report["lastVerifiedHeight"] == tipBlock["height"])
        #expect(report["lastVerifiedHash"] == tipBlock["hash"])

        // Nothing was written: the directory still verifies to the same block.
        #expect(try Self.json(ExecutableRunner.run("dvpn", ["ledger", "verify", "--data-dir", data, "--json", "--quiet"]))["lastVerifiedHash"]
                == tipBlock["hash"])
    }

    @Test func missingBlocksAndDirectoriesAreOneLineErrors() throws {
        let dir = try TemporaryDirectory()
        let data = dir.path + "/node"
        let node = try DevNodeProcess(dataDirectory: data)
        #expect(node.stop() == 0)
        let cases: [([String], String)] = [
            (["ledger", "show", "99999", "--data-dir", data], "dvpn: no block at height 99999 in \(data)"),
            (["ledger", "show", "1", "--data-dir", dir.path + "/nowhere"], "dvpn: cannot open the ledger in \(dir.path)/nowhere"),
        ]
        for (arguments, expected) in cases {
            let result = try ExecutableRunner.run("dvpn", arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.hasPrefix(expected), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }
}
