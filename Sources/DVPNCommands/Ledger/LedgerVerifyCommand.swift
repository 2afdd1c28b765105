import ArgumentParser
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation

/// `ledger verify --data-dir DIR`: replays the whole stored history from genesis with
/// DVPNLedger's `ChainAuditor` on the database opened read-only (a copy works as well as the
/// live one). Progress goes to stderr; a short report to stdout; on the first inconsistency the
/// height, the transaction and the rule, and exit code 1.
public struct LedgerVerifyCommand<Profile: ProgramProfile>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "verify",
            abstract: "Replay the stored chain from genesis and check every block, signature, contract call and state root.")
    }

    @OptionGroup var dataDirectory: DataDirectoryOptions<Profile>
    @Option(help: ArgumentHelp(
        "Genesis file the stored chain must match (default: genesis.json in the data directory, if present).",
        valueName: "FILE"))
    var genesis: String?
    @Flag(help: "No progress lines on stderr.") var quiet = false
    @OptionGroup var output: OutputOptions

    public init() {}

    public func run() async throws {
        let directory = dataDirectory.path
        let expected = try expectedGenesis(in: directory)
        let store: LedgerStore
        do {
            store = try LedgerStore(directory: directory, readOnly: true)
        } catch {
            throw CommandFailure("cannot open the ledger in \(directory): \(error.reason)")
        }
        defer { try? store.close() }
        let progress = ProgressLine(enabled: !quiet)
        let outcome: AuditOutcome
        do {
            outcome = try ChainAuditor(store: store, expectedGenesis: expected).run { progress.update($0) }
        } catch {
            throw CommandFailure("cannot read the ledger in \(directory): \(error.reason)")
        }
        switch outcome {
        case .passed(let report):
            print(output.json ? JSONOutput.render(VerifyReport(report, violation: nil, transaction: nil)) : Self.describe(report))
        case .failed(let violation, let partial):
            let transaction = violation.transactionIndex.flatMap { index in
                (try? store.block(at: violation.height))??.transactions[safe: index]?.id.hex
            }
            if output.json {
                print(JSONOutput.render(VerifyReport(partial, violation: violation, transaction: transaction)))
                throw ExitCode(1)
            }
            print("FAILED at block \(violation.height)" + (violation.transactionIndex.map { ", transaction \($0)" } ?? "")
                + (transaction.map { " (\($0))" } ?? ""))
            print(TextTable.keyValue([("rule", violation.rule.rawValue), ("detail", violation.detail)]))
            print("verified before the failure: \(partial.blocks) blocks, \(partial.transactions) transactions")
            throw CommandFailure("ledger verification failed: \(violation.description)")
        }
    }

    private func expectedGenesis(in directory: String) throws -> Genesis? {
        let path = genesis ?? (directory as NSString).appendingPathComponent("genesis.json")
        guard genesis != nil || FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure("cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try Genesis(json: data)
        } catch {
            throw CommandFailure("\(path): \(error.reason)")
        }
    }

    static func describe(_ report: AuditReport) -> String {
        let supply = report.finalSupply
        return "Ledger verified: every block, commit, signature, contract call and state root checked.\n"
            + TextTable.keyValue([
                ("chain", report.chainID),
                ("blocks", String(report.blocks)),
                ("transactions", "\(report.transactions) (\(report.failedTransactions) failed, \(report.contractCalls) contract calls)"),
                ("channels", "\(report.channelsOpened) opened, \(report.channelsRedeemed) redeemed, \(report.channelsReclaimed) reclaimed"),
                ("paid to operators", report.paidToOperators.description),
                ("fees burned", report.feesBurned.description),
                ("supply", "\(report.genesisSupply) at genesis = \(supply.balances) in accounts + \(supply.escrow) in escrow + \(supply.burned) burned"),
                ("state root", report.stateRoot.hex),
                ("last block", report.lastVerifiedHash.map { "\(report.lastVerifiedHeight) \($0.hex)" } ?? "none"),
                ("time", Self.seconds(report.duration)),
            ])
    }

    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return "\(milliseconds / 1000).\(String(format: "%03d", milliseconds % 1000)) s"
    }
}

/// Progress of a long audit on stderr, at most a few lines a second.
final class ProgressLine {
    private let enabled: Bool
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant?

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ progress: AuditProgress) {
        guard enabled else { return }
        let now = clock.now
        if let last, now - last < .milliseconds(500), progress.height < progress.tipHeight { return }
        last = now
        FileHandle.standardError.write(Data(
            "verifying: block \(progress.height) of \(progress.tipHeight), \(progress.transactions) transactions\n".utf8))
    }
}

/// `ledger verify --json`.
struct VerifyReport: Encodable {
    let passed: Bool
    let chainID: String
    let blocks: UInt64
    let transactions: UInt64
    let failedTransactions: UInt64
    let contractCalls: UInt64
    let channelsOpened: UInt64
    let channelsRedeemed: UInt64
    let channelsReclaimed: UInt64
    let paidToOperatorsUdvpn: UInt64
    let feesBurnedUdvpn: UInt64
    let genesisSupplyUdvpn: UInt64
    let stateRoot: String
    /// The last block that passed every check: what two replicas compare.
    let lastVerifiedHeight: UInt64
    let lastVerifiedHash: String?
    let seconds: String
    let failure: Failure?

    struct Failure: Encodable {
        let height: UInt64
        let transactionIndex: Int?
        let transaction: String?
        let rule: String
        let detail: String
    }

    init(_ report: AuditReport, violation: ChainViolation?, transaction: String?) {
        passed = violation == nil
        chainID = report.chainID
        blocks = report.blocks
        transactions = report.transactions
        failedTransactions = report.failedTransactions
        contractCalls = report.contractCalls
        channelsOpened = report.channelsOpened
        channelsRedeemed = report.channelsRedeemed
        channelsReclaimed = report.channelsReclaimed
        paidToOperatorsUdvpn = report.paidToOperators.udvpn
        feesBurnedUdvpn = report.feesBurned.udvpn
        genesisSupplyUdvpn = report.genesisSupply.udvpn
        stateRoot = report.stateRoot.hex
        lastVerifiedHeight = report.lastVerifiedHeight
        lastVerifiedHash = report.lastVerifiedHash?.hex
        seconds = LedgerVerifyCommand<ClientProfile>.seconds(report.duration)
        failure = violation.map {
            Failure(height: $0.height, transactionIndex: $0.transactionIndex, transaction: transaction, rule: $0.rule.rawValue, detail: $0.detail)
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
