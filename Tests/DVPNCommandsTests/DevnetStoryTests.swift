import Foundation
import Testing

/// Runs the README's main-job story, `Scripts/devnet-story.sh`, on the built executables and
/// checks that each step happened as told.
@Suite struct DevnetStoryTests {
    @Test(.timeLimit(.minutes(5)))
    func storyRunsEveryStepAndTheAuditPasses() throws {
        let (status, text) = try ScriptRunner.run("Scripts/devnet-story.sh")
        #expect(status == 0, "\(text)")
        for expected in [
            "Sent 10 DVPN to dvpn1", "Sent 25 DVPN to dvpn1", "balance  25 DVPN",
            "Registered the offer of dvpn1", "DE       0.05 DVPN",
            "channel 1 is open", "Redeemed 0.15 DVPN from channel 1", "balance  10.13 DVPN",
            "Reclaimed 1.85 DVPN from channel 1", "state       settled",
            "Ledger verified", "channels           1 opened, 1 redeemed, 1 reclaimed", "paid to operators  0.15 DVPN",
        ] {
            #expect(text.contains(expected), "missing: \(expected)")
        }
    }
}
