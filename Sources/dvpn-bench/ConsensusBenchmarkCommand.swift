import ArgumentParser
import DVPNCrypto
import DVPNNodeAPI
import Foundation

/// `dvpn-bench consensus`: a steady load of pre-signed transfers against a running network
/// (every node's API), measuring committed tx/s, blocks/s and submit-to-commit latency, beside
/// the Schnorr verification bound of this machine. Scripts/bench/consensus.sh starts the
/// networks and runs it once per network size.
struct ConsensusBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consensus",
        abstract: "Load a running network with transfers; measure committed tx/s, blocks/s and latency.")

    @Option(help: "The nodes' API URLs, comma-separated; load is spread over all, blocks are watched on the first.")
    var nodes: String
    @Option(name: .customLong("key-file"), help: "The funded dev account's key file (unprotected).") var keyFile: String
    @Option(help: "Validators in the network (for the report).") var validators = 1
    @Option(help: "Offered load, transfers per second.") var rate: Double = 200
    @Option(help: "Seconds of load.") var seconds: Double = 20
    @Option(help: "Sender accounts (each submits its own transfers in nonce order to one node).") var accounts = 8
    @Option(help: "Seconds to measure Schnorr verification (0: skip).") var schnorrSeconds: Double = 2
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard rate > 0, rate.isFinite, seconds > 0, seconds.isFinite, accounts > 0 else {
            throw ValidationError("--rate, --seconds and --accounts must be positive")
        }
    }

    struct Report: Encodable {
        let network: ConsensusLoad.Result
        let schnorrVerifiesPerSecond: Double?
    }

    func run() async throws {
        let clients = try nodes.split(separator: ",").map { try NodeClient(url: String($0), requestTimeout: .seconds(10)) }
        guard !clients.isEmpty else { throw ValidationError("--nodes names no node") }
        let identity = try KeyFile.read(at: keyFile, passphrase: .none)
        let verifies = schnorrSeconds > 0 ? try LedgerBench.schnorrVerificationsPerSecond(seconds: schnorrSeconds) : nil
        Progress.line("load: \(rate) transfers/s for \(seconds) s over \(clients.count) API(s), \(accounts) senders")
        let result = try await ConsensusLoad(settings: .init(
            nodes: clients, devKey: identity.ledgerKey, rate: rate, seconds: seconds, accounts: accounts)
        ).run(validators: validators)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            print(String(decoding: try encoder.encode(Report(network: result, schnorrVerifiesPerSecond: verifies)), as: UTF8.self))
            return
        }
        print("validators \(result.validators): offered \(Int(result.offeredPerSecond)) tx/s, committed \(String(format: "%.1f", result.committedPerSecond)) tx/s, "
            + "\(String(format: "%.2f", result.blocksPerSecond)) blocks/s, latency p50 \(String(format: "%.3f", result.latencyP50Seconds)) s, "
            + "p99 \(String(format: "%.3f", result.latencyP99Seconds)) s; \(result.submitted) submitted, \(result.refused) refused, \(result.notCommitted) not committed")
        if let verifies { print("Schnorr (BIP340) verify: \(Int(verifies)) verifications/s (the bound for 1-signature transfers)") }
    }
}
