import Foundation
import Testing

/// Runs `Scripts/test/testnet.sh` (issue 7, acceptance "Real processes on loopback"): a
/// 4-validator testnet of real `dvpn-node` processes on loopback through SIGKILL, SIGSTOP,
/// SIGCONT, block sync of a restarted validator and 20 random kills with restarts under load;
/// then reads the replicas it leaves (`ReplicaAudit`): the same block at every common height, no
/// validator's two conflicting precommits in any stored commit, no evidence against an honest node.
/// The script kills every process it started on any exit; its DEADLINE bounds it.
@Suite struct TestnetScriptTests {
    @Test(.timeLimit(.minutes(6)))
    func fourValidatorsSurviveKillsStopsAndRestarts() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-testnet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let (status, text) = try ScriptRunner.run(
            "Scripts/test/testnet.sh", ["20"], environment: ["DEADLINE": "270", "WORK": work.path])
        #expect(status == 0, "\(text.split(separator: "\n").suffix(60).joined(separator: "\n"))")
        #expect(text.contains("testnet.sh: PASS"))
        guard status == 0 else { return }
        let report = try ReplicaAudit.check(directories: (0..<4).map { work.appendingPathComponent("net/node\($0)").path })
        #expect(report.problems.isEmpty, "\(report.problems.prefix(10).joined(separator: "\n"))")
        #expect(report.commonHeight >= 10, "the replicas hold only \(report.commonHeight) common blocks")
        #expect(report.commitsChecked >= 4 * Int(report.commonHeight), "each replica stores a commit per height")
    }
}
