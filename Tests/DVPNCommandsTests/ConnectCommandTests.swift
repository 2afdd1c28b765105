import Foundation
import Testing

/// `dvpn connect` and `dvpn status` as built executables against `dvpn-node serve --dev`: the
/// one-line failures with exit code 1 (no matching offer, a price above --max-price, an operator
/// that does not answer) and `dvpn status` with nothing running. The journey through a real
/// operator is the testbed's (docs/client.md).
@Suite(.serialized) struct ConnectCommandTests {
    static var isRoot: Bool { geteuid() == 0 }

    @Test(.enabled(if: isRoot, "dvpn connect refuses to run without root"))
    func noMatchingOfferPriceAboveTheLimitAndASilentOperatorAreOneLineAndExitOne() throws {
        let dir = try TemporaryDirectory()
        let node = try DevNodeProcess(dataDirectory: dir.path + "/node", blockInterval: "0.2")
        defer { node.stop() }
        let dev = ["--node", node.url, "--key-file", node.dataDirectory + "/dev-account.key"]
        let registered = try ExecutableRunner.run("dvpn", [
            "offer", "register", "--country", "DE", "--price", "0.05", "--bandwidth", "100", "--endpoint", "127.0.0.1:51820",
            "--services", "api-1",
        ] + dev)
        #expect(registered.status == 0, "\(registered.stderr)")
        let connect = ["connect"] + dev + LedgerCommandTests.light(dir, node)

        let elsewhere = try ExecutableRunner.run("dvpn", connect + ["--country", "fr"], timeout: 90)
        #expect(elsewhere.status == 1)
        #expect(elsewhere.stderr.hasPrefix("dvpn: no fresh offer in FR (1 offer(s) proven at block "), "\(elsewhere.stderr)")
        #expect(elsewhere.stderr.split(separator: "\n").count == 1)

        let dear = try ExecutableRunner.run("dvpn", connect + ["--country", "DE", "--max-price", "0.01"], timeout: 90)
        #expect(dear.status == 1)
        #expect(dear.stderr == "dvpn: no offer in DE within your price: the cheapest costs 0.05 DVPN/GiB, above --max-price 0.01\n", "\(dear.stderr)")

        let silent = try ExecutableRunner.run("dvpn", connect + ["--country", "DE", "--max-price", "0.05"], timeout: 90)
        #expect(silent.status == 1)
        #expect(silent.stderr.hasPrefix("dvpn: no matching operator answers: dvpn1"), "\(silent.stderr)")
        #expect(silent.stderr.hasSuffix(" at http://127.0.0.1:1\n"), "\(silent.stderr)")
        #expect(silent.stdout.isEmpty, "\(silent.stdout)")
        // Nothing was left behind: no status file, no tunnel.
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/light/session.json"))
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/dvpn0"))
    }

    @Test func statusWithoutAConnectIsOneLine() throws {
        let dir = try TemporaryDirectory()
        let none = try ExecutableRunner.run("dvpn", ["status", "--data-dir", dir.path])
        #expect(none.status == 1)
        #expect(none.stderr == "dvpn: not connected (no dvpn connect is running with data directory \(dir.path))\n", "\(none.stderr)")

        // A file left by a process that is gone is named as such.
        let stale = """
            {"bytes":1,"bytesPerSecond":0,"channel":3,"country":"DE","interface":"dvpn0","node":"dvpn1x","pid":4000000,\
            "pricePerGiB":"0.05","since":1,"spent":"0","spentUdvpn":0,"state":"connected","updated":1}
            """
        try stale.write(toFile: dir.path + "/session.json", atomically: true, encoding: .utf8)
        let left = try ExecutableRunner.run("dvpn", ["status", "--data-dir", dir.path])
        #expect(left.status == 1)
        #expect(left.stderr == "dvpn: not connected: the status file names pid 4000000, which is no longer running (it did not exit cleanly)\n", "\(left.stderr)")
    }

    @Test func aBadCountryIsAUsageError() throws {
        let dir = try TemporaryDirectory()
        let bad = try ExecutableRunner.run("dvpn", ["connect", "--country", "DEU", "--data-dir", dir.path])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--country takes two letters"), "\(bad.stderr)")
    }
}
