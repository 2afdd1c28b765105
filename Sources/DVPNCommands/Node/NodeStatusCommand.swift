import ArgumentParser
import DVPNLedger
import DVPNNode
import DVPNNodeAPI
import Foundation

/// `dvpn-node status [--data-dir DIR] [--json]`: the operator's view (docs/operator.md, "Status"):
/// its sessions (bytes, how they ended), what it earned, redeemed and has still to redeem. Reads
/// `DIR/operator.sqlite` read-only, so it works beside a running node and after it stopped.
public struct NodeStatusCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the operator's sessions, bytes, earnings and redemptions.")

    @OptionGroup var dataDirectory: DataDirectoryOptions<NodeProfile>
    @OptionGroup var output: OutputOptions
    @Option(help: ArgumentHelp("Show at most this many recent sessions.", valueName: "N"))
    var sessions = 20

    public init() {}

    public func run() throws {
        let report = try OperatorReport.read(dataDirectory: dataDirectory.path)
        if output.json {
            print(JSONOutput.render(report))
            return
        }
        let totals = report.totals
        print(TextTable.keyValue([
            ("sessions", "\(totals.sessions) (\(totals.active) active)"),
            ("bytes", Self.mebibytes(totals.bytes)),
            ("earned", "\(Amount(udvpn: totals.earned).dvpnString) DVPN"),
            ("redeemed", "\(Amount(udvpn: totals.redeemed).dvpnString) DVPN"),
            ("unredeemed", "\(Amount(udvpn: totals.unredeemed).dvpnString) DVPN"),
        ]))
        guard !report.sessions.isEmpty else { return }
        print("")
        let rows = report.sessions.prefix(max(0, sessions)).map { session in
            [
                String(session.id.prefix(12)), "\(session.channel)", session.ipv4, Self.mebibytes(session.bytes),
                session.endedAt == nil ? "active" : (session.endReason ?? "ended"),
            ]
        }
        print(TextTable.columns(header: ["SESSION", "CHANNEL", "IPV4", "BYTES", "STATE"], rows: Array(rows)))
    }

    static func mebibytes(_ bytes: UInt64) -> String {
        String(format: "%.2f MiB", Double(bytes) / 1_048_576)
    }
}
