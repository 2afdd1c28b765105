import DVPNCrypto
import DVPNLedger
import Foundation
import Testing

/// `kill -9` of a process that is committing blocks, for real: the test binary runs itself as the
/// writer (`writer()` below, enabled only by an environment variable), and the parent kills it at
/// random moments. Every block the child reported committed must be there after each kill, and
/// the database must reopen and audit clean.
@Suite("Ledger store: kill -9")
struct KillTests {
    static let directoryVariable = "DVPN_LEDGER_KILL_WRITER_DIR"

    @Test("the writer child: commits blocks until killed, reporting each height", .enabled(if: ProcessInfo.processInfo.environment[directoryVariable] != nil))
    func writer() throws {
        let directory = try #require(ProcessInfo.processInfo.environment[Self.directoryVariable])
        let genesis = TestGenesis.make()
        let ledger = try Ledger(store: LedgerStore(directory: directory), genesis: genesis, contractCode: TestGenesis.contractCode)
        let signer = CommitSigner(key: TestKeys.key(100), chainID: genesis.chainID)
        var time = 1_760_000_000_000 + ledger.height * 1_000
        while true {
            for from in 0..<4 {
                let key = TestKeys.key(from)
                let tx = try TransactionBody(chainID: genesis.chainID, sender: key.publicKey, nonce: ledger.nextNonce(for: key.publicKey),
                                             fee: Amount(udvpn: 1_000), payload: .transfer(to: TestKeys.address((from + 1) % 4), amount: Amount(udvpn: 3)))
                    .signed(with: key)
                _ = ledger.submit(tx)
            }
            time += 1_000
            let committed = try #require(try ledger.produceBlock(signer: signer, time: Timestamp(millisecondsSince1970: time)))
            FileHandle.standardError.write(Data("committed \(committed.block.height)\n".utf8))
        }
    }

    @Test("SIGKILL at random moments loses no committed block and leaves a database that reopens and audits", .timeLimit(.minutes(5)))
    func killRepeatedly() throws {
        let directory = TemporaryDirectory()
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var reported: UInt64 = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let child = Process()
            child.executableURL = executable
            child.arguments = ["--testing-library", "swift-testing", "--filter", "KillTests/writer"]
            child.environment = ProcessInfo.processInfo.environment.merging([Self.directoryVariable: directory.path]) { $1 }
            let errors = Pipe()
            child.standardError = errors
            child.standardOutput = FileHandle.nullDevice
            try child.run()
            // Let it commit a few blocks, then kill it at a random instant.
            let wanted = reported + UInt64(2 + Int.random(in: 0..<4, using: &generator))
            var buffer = ""
            let deadline = Date().addingTimeInterval(60)
            while reported < wanted, Date() < deadline {
                let data = errors.fileHandleForReading.availableData
                if data.isEmpty { break }
                buffer += String(decoding: data, as: UTF8.self)
                for line in buffer.split(separator: "\n") where line.hasPrefix("committed ") {
                    reported = max(reported, UInt64(line.dropFirst(10)) ?? 0)
                }
            }
            usleep(UInt32.random(in: 0..<20_000, using: &generator))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            // Heights reported after our last read may still sit in the pipe.
            buffer += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in buffer.split(separator: "\n") where line.hasPrefix("committed ") {
                reported = max(reported, UInt64(line.dropFirst(10)) ?? 0)
            }
            #expect(child.terminationReason == .uncaughtSignal, "round \(round): the writer ended by itself")

            let store = try LedgerStore(directory: directory.path)
            let tip = try store.tipHeight()
            #expect(tip >= reported, "round \(round): \(reported) reported committed, \(tip) on disk")
            #expect(reported > 0)
            let audit = try ChainAuditor(store: store).run()
            #expect(audit.passed, "round \(round): \(String(describing: audit.violation))")
            try store.close()
        }
        print("kill -9: 20 rounds, \(reported) blocks reported committed, none lost")
    }
}
