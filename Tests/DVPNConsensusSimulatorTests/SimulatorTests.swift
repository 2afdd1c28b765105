import DVPNConsensus
import Foundation
import Testing

/// The acceptance runs of issue 7: safety (no two honest validators decide different blocks at a
/// height) and liveness (after the heal every run reaches its target height) over seeded runs.
/// `DVPN_SIM_RUNS` sets the number of runs per configuration (default below); a failure prints
/// its scenario and seed, and `DVPN_SIM_SEED` reruns exactly one seed.
@Suite struct SimulatorTests {
    struct Configuration: CustomTestStringConvertible, Sendable {
        var validators: Int
        var unequalPowers: Bool
        var defaultRuns: Int
        var seedBase: UInt64
        var testDescription: String { "N=\(validators)\(unequalPowers ? " unequal powers" : "")" }
    }

    /// 2,000 runs in all by default.
    static let configurations = [
        Configuration(validators: 4, unequalPowers: false, defaultRuns: 700, seedBase: 1_000_000),
        Configuration(validators: 4, unequalPowers: true, defaultRuns: 400, seedBase: 2_000_000),
        Configuration(validators: 7, unequalPowers: false, defaultRuns: 500, seedBase: 3_000_000),
        Configuration(validators: 7, unequalPowers: true, defaultRuns: 400, seedBase: 4_000_000),
    ]

    static func runs(default value: Int) -> Int {
        ProcessInfo.processInfo.environment["DVPN_SIM_RUNS"].flatMap(Int.init) ?? value
    }

    static func seeds(_ configuration: Configuration) -> [UInt64] {
        if let one = ProcessInfo.processInfo.environment["DVPN_SIM_SEED"].flatMap(UInt64.init) { return [one] }
        return (0..<UInt64(runs(default: configuration.defaultRuns))).map { configuration.seedBase + $0 }
    }

    @Test("safety and liveness", arguments: SimulatorTests.configurations)
    func safetyAndLiveness(_ configuration: Configuration) throws {
        var totals = (runs: 0, heights: UInt64(0), evidence: 0, torn: 0, restarts: 0, events: 0)
        for seed in Self.seeds(configuration) {
            let scenario = Scenario(seed: seed, validatorCount: configuration.validators, unequalPowers: configuration.unequalPowers)
            var simulator = try Simulator(scenario: scenario)
            let result = simulator.run()
            #expect(result.safetyViolation == nil, "\(result.safetyViolation ?? "") — \(scenario)")
            #expect(result.livenessFailure == nil, "liveness: \(result.livenessFailure ?? "") — \(scenario)")
            #expect(result.guardConflicts == 0, "an honest validator tried to sign a conflicting message — \(scenario)")
            if result.safetyViolation != nil || result.livenessFailure != nil { return }
            totals.runs += 1
            totals.heights += result.heightsCommitted
            totals.evidence += result.evidenceVerified
            totals.torn += result.tornTailsTruncated
            totals.restarts += result.restarts
            totals.events += result.events
        }
        print("simulator \(configuration.testDescription): \(totals.runs) runs, \(totals.heights) heights committed by every honest validator, \(totals.evidence) evidence verified, \(totals.restarts) restarts from the WAL (\(totals.torn) torn tails truncated), \(totals.events) events")
    }

    /// The planted bug (lines 23 and 29 without their lock check) must be caught: the simulator
    /// finds two honest validators deciding different blocks within its seeds.
    @Test("a planted bug (no lock check) is caught as a safety violation")
    func plantedBugIsCaught() throws {
        var found: (seed: UInt64, message: String)?
        var tried = 0
        for seed in UInt64(5_000_000)..<UInt64(5_000_000 + Self.runs(default: 1_000)) {
            tried += 1
            let scenario = Scenario(seed: seed, validatorCount: 4, unequalPowers: false, chaosScale: 5)
            var simulator = try Simulator(scenario: scenario, skipLockCheck: true)
            if let violation = simulator.run().safetyViolation {
                found = (seed, violation)
                break
            }
        }
        #expect(found != nil, "the simulator missed the planted bug in \(tried) runs")
        if let found { print("planted bug caught after \(tried) runs at seed \(found.seed): \(found.message)") }
    }
}
