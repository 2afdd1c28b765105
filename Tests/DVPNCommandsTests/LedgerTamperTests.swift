import Foundation
import Testing

/// Tamper tests (issue 4, acceptance): after a devnet run with transfers, an offer and a payment
/// channel, changing the database with `sqlite3` behind the node's back — one flipped byte in a
/// stored block header, transaction, receipt, commit, state change or state row, a deleted or a
/// swapped block — makes `dvpn ledger verify` exit 1 and name the block and the rule.
@Suite(.serialized, .enabled(if: SQLite.isAvailable, "the sqlite3 command-line tool is not installed"))
struct LedgerTamperTests {
    @Test func everyFlippedByteIsCaughtAtItsBlock() throws {
        let history = try DevnetHistory()
        let pristine = try history.verify(history.dataDirectory)
        #expect(pristine.status == 0, "the untouched history must verify: \(pristine.stderr)")

        // Rows of every kind that carries the chain, at the heights where something happened.
        var targets: [(table: String, column: String, row: String, height: Int64)] = []
        for height in [history.transferHeight, history.channelHeight, history.redeemHeight, history.tipHeight] {
            targets.append(("blocks", "header", "height = \(height)", height))
            targets.append(("commits", "data", "height = \(height)", height))
        }
        for height in [history.transferHeight, history.offerHeight, history.channelHeight, history.redeemHeight] {
            targets.append(("transactions", "tx", "height = \(height) AND idx = 0", height))
            targets.append(("receipts", "receipt", "height = \(height) AND idx = 0", height))
            targets.append((
                "state_changes", "value",
                "height = \(height) AND key = (SELECT key FROM state_changes WHERE height = \(height) AND value IS NOT NULL ORDER BY key LIMIT 1)",
                height))
        }
        for target in targets {
            let length = try SQLite.blobLength(history.database, table: target.table, column: target.column, row: target.row)
            #expect(length > 0, "\(target.table) \(target.row) is empty")
            // The first and last bytes and four spread between them: lengths, keys, amounts, hashes, signatures.
            let positions = Set([0, length / 5, 2 * length / 5, 3 * length / 5, 4 * length / 5, length - 1])
            for position in positions.sorted() {
                let copy = try history.copy()
                try SQLite.flipByte(copy.database, table: target.table, column: target.column, row: target.row, at: position)
                let result = try history.verify(copy.dataDirectory)
                let what = "\(target.table) \(target.row) byte \(position)"
                #expect(result.status == 1, "\(what): verify passed")
                let failure = try result.failure()
                #expect(failure.height == target.height, "\(what): reported \(failure.height) \(failure.rule)")
                #expect(!failure.rule.isEmpty)
                // The human form, once per row: one line on stderr naming the block.
                if position == 0 {
                    let line = try history.verifyHuman(copy.dataDirectory)
                    #expect(line.status == 1)
                    #expect(line.stderr.hasPrefix("dvpn: ledger verification failed: block \(target.height)"), "\(what): \(line.stderr)")
                    #expect(line.stderr.split(separator: "\n").count == 1)
                }
            }
        }

        // The current state rows: a changed value or key no longer matches the replay.
        let keys = try SQLite.query(history.database, "SELECT hex(key) FROM state ORDER BY key").split(separator: "\n")
        #expect(keys.count > 5)
        for key in keys {
            for column in ["value", "key"] {
                let copy = try history.copy()
                try SQLite.flipByte(copy.database, table: "state", column: column, row: "key = X'\(key)'", at: -1)
                let result = try history.verify(copy.dataDirectory)
                #expect(result.status == 1, "state \(column) of \(key): verify passed")
                #expect(try result.failure().rule == "stored state differs from replayed state")
            }
        }
    }

    @Test func deletedSwappedOrTruncatedBlocksAreCaught() throws {
        let history = try DevnetHistory()
        let middle = history.channelHeight
        let cases: [(String, String, Int64, String)] = [
            ("delete a block", "DELETE FROM blocks WHERE height = \(middle)", middle, "missing block"),
            ("delete the tip block", "DELETE FROM blocks WHERE height = \(history.tipHeight)", history.tipHeight, "missing block"),
            ("swap two blocks",
             "UPDATE blocks SET height = -1 WHERE height = \(middle); UPDATE blocks SET height = \(middle) WHERE height = \(middle + 1); UPDATE blocks SET height = \(middle + 1) WHERE height = -1",
             middle, "header height sequence"),
            ("delete a block's transactions", "DELETE FROM transactions WHERE height = \(middle)", middle, "transactions root"),
            ("delete a commit", "DELETE FROM commits WHERE height = \(middle)", middle, ""),
            ("delete a receipt", "DELETE FROM receipts WHERE height = \(history.redeemHeight)", history.redeemHeight, ""),
        ]
        for (what, sql, height, rule) in cases {
            let copy = try history.copy()
            _ = try SQLite.query(copy.database, sql)
            let result = try history.verify(copy.dataDirectory)
            #expect(result.status == 1, "\(what): verify passed")
            let failure = try result.failure()
            #expect(failure.height == height, "\(what): reported \(failure.height) \(failure.rule)")
            if !rule.isEmpty { #expect(failure.rule == rule, "\(what): \(failure.rule)") }
        }
    }
}

/// A dev node's history, made through the CLI: a transfer to an operator, the operator's offer,
/// a channel from the dev account to the operator, and a redeemed voucher. The node is stopped
/// before the tests touch the database.
final class DevnetHistory {
    let directory: TemporaryDirectory
    var dataDirectory: String { directory.path + "/node" }
    var database: String { dataDirectory + "/ledger.sqlite" }
    private(set) var transferHeight: Int64 = 0
    private(set) var offerHeight: Int64 = 0
    private(set) var channelHeight: Int64 = 0
    private(set) var redeemHeight: Int64 = 0
    private(set) var tipHeight: Int64 = 0
    private var copies = 0

    init() throws {
        directory = try TemporaryDirectory()
        let node = try DevNodeProcess(dataDirectory: directory.path + "/node", blockInterval: "0.2")
        defer { node.stop() }
        let dev = ["--node", node.url, "--key-file", dataDirectory + "/dev-account.key"]
        let operatorKey = directory.path + "/operator.key"
        let keys = try ExecutableRunner.run("dvpn", ["keys", "new", "--key-file", operatorKey, "--insecure-no-passphrase", "--json"])
        let address = try #require(try JSONDecoder().decode([String: AnyJSON].self, from: Data(keys.stdout.utf8))["address"]?.string)
        let op = ["--node", node.url, "--key-file", operatorKey]

        transferHeight = try Self.height(of: ExecutableRunner.run("dvpn", ["transfer", address, "10", "--json"] + dev))
        offerHeight = try Self.height(of: ExecutableRunner.run("dvpn", [
            "offer", "register", "--country", "DE", "--price", "0.05", "--bandwidth", "100",
            "--endpoint", "127.0.0.1:51820", "--json",
        ] + op))
        let opened = try ExecutableRunner.run("dvpn", ["channel", "open", "--payee", address, "--deposit", "2", "--json"] + dev)
        channelHeight = try Self.height(of: opened)
        // The voucher reads the channel through the light client, trusting the node's genesis.
        let light = ["--genesis", dataDirectory + "/genesis.json", "--data-dir", directory.path + "/light"]
        let voucher = try ExecutableRunner.run("dvpn", ["channel", "voucher", "1", "0.5"] + dev + light)
        #expect(voucher.status == 0, "\(voucher.stderr)")
        redeemHeight = try Self.height(of: ExecutableRunner.run(
            "dvpn", ["channel", "redeem", "1", voucher.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--json"] + op))
        // Let a couple of empty blocks follow, so the last transaction is not in the tip block.
        Thread.sleep(forTimeInterval: 0.6)
        #expect(node.stop() == 0)
        tipHeight = Int64(try SQLite.query(database, "SELECT max(height) FROM blocks")) ?? 0
        #expect(tipHeight > redeemHeight)
    }

    /// A fresh copy of the data directory for one tampering.
    func copy() throws -> (dataDirectory: String, database: String) {
        copies += 1
        let target = directory.path + "/copy-\(copies)"
        try FileManager.default.copyItem(atPath: dataDirectory, toPath: target)
        return (target, target + "/ledger.sqlite")
    }

    func verify(_ dataDirectory: String) throws -> ExecutableRunner.Result {
        try ExecutableRunner.run("dvpn", ["ledger", "verify", "--data-dir", dataDirectory, "--json", "--quiet"])
    }

    func verifyHuman(_ dataDirectory: String) throws -> ExecutableRunner.Result {
        try ExecutableRunner.run("dvpn", ["ledger", "verify", "--data-dir", dataDirectory, "--quiet"])
    }

    static func height(of result: ExecutableRunner.Result) throws -> Int64 {
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONDecoder().decode([String: AnyJSON].self, from: Data(result.stdout.utf8))
        guard case .number(let height) = json["height"] else { throw TamperError.noHeight(result.stdout) }
        return Int64(height)
    }

    enum TamperError: Error { case noHeight(String) }
}

extension ExecutableRunner.Result {
    /// The `failure` object of `ledger verify --json`.
    func failure() throws -> (height: Int64, rule: String) {
        let json = try JSONDecoder().decode([String: AnyJSON].self, from: Data(stdout.utf8))
        guard case .object(let failure) = json["failure"], case .number(let height) = failure["height"],
              let rule = failure["rule"]?.string
        else { return (-1, "") }
        return (Int64(height), rule)
    }
}

/// The `sqlite3` command-line tool, as an attacker with write access to the file would use it.
enum SQLite {
    static let path = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var isAvailable: Bool { path != nil }

    @discardableResult
    static func query(_ database: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/sqlite3")
        process.arguments = [database, sql]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SQLiteError.failed(sql, String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func blobLength(_ database: String, table: String, column: String, row: String) throws -> Int {
        Int(try query(database, "SELECT length(\(column)) FROM \(table) WHERE \(row)")) ?? 0
    }

    /// XORs one byte (negative positions count from the end) of a BLOB cell with 0x01.
    static func flipByte(_ database: String, table: String, column: String, row: String, at position: Int) throws {
        let hex = try query(database, "SELECT hex(\(column)) FROM \(table) WHERE \(row)")
        var bytes = stride(from: 0, to: hex.count, by: 2).compactMap { offset -> UInt8? in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
        }
        guard !bytes.isEmpty else { throw SQLiteError.failed("flip", "no \(column) in \(table) where \(row)") }
        let index = position < 0 ? bytes.count + position : position
        bytes[index] ^= 0x01
        let literal = bytes.map { String(format: "%02X", $0) }.joined()
        try query(database, "UPDATE \(table) SET \(column) = X'\(literal)' WHERE \(row)")
    }

    enum SQLiteError: Error { case failed(String, String) }
}
