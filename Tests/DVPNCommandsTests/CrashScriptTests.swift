import Foundation
import Testing

/// Runs `Scripts/test/crash.sh` (issue 4, acceptance "Crash test"): 20 SIGKILLs of a dev node at
/// random moments while transfers flow, then the node must serve, every transfer the API reported
/// committed must still be committed at the same height, and `dvpn ledger verify` must pass.
@Suite struct CrashScriptTests {
    @Test(.timeLimit(.minutes(10)))
    func twentyKillsLoseNoCommittedTransaction() throws {
        let (status, text) = try ScriptRunner.run("Scripts/test/crash.sh", ["20"], environment: ["DEADLINE": "480"])
        #expect(status == 0, "\(text.split(separator: "\n").suffix(40).joined(separator: "\n"))")
        #expect(text.contains("crash.sh: PASS: 20 kills"))
        #expect(text.contains("Ledger verified"))
    }
}
