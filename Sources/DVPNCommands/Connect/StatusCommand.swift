import ArgumentParser
import DVPNClient
import DVPNLedger
import Foundation

/// `dvpn status`: the session a `dvpn connect` runs, from another terminal (its status file in
/// the data directory; docs/client.md). Exit 0 when one runs, 1 when none does (or its file was
/// left by a connect that no longer exists, which is said in one line).
public struct StatusCommand<Profile: ProgramProfile>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "status", abstract: "Show the session a running `dvpn connect` holds.")
    }

    @OptionGroup var dataDirectory: DataDirectoryOptions<Profile>
    @OptionGroup var output: OutputOptions

    public init() {}

    public func run() async throws {
        switch try StatusFile.read(dataDirectory: dataDirectory.path) {
        case .none:
            throw CommandFailure("not connected (no dvpn connect is running with data directory \(dataDirectory.path))")
        case .stale(let status):
            throw CommandFailure("not connected: the status file names pid \(status.pid), which is no longer running (it did not exit cleanly)")
        case .running(let status):
            if output.json {
                print(JSONOutput.render(status))
                return
            }
            print(TextTable.keyValue([
                ("state", status.state), ("node", status.node), ("country", status.country),
                ("price", status.pricePerHour.map { "\(status.pricePerGiB) DVPN/GiB + \($0) DVPN/h" } ?? "\(status.pricePerGiB) DVPN/GiB"),
                ("channel", String(status.channel)), ("interface", status.interface),
                ("bytes", "\(ByteText.describe(status.bytes)) (\(status.bytes))"), ("spent", "\(status.spent) DVPN"),
                ("rate", "\(ByteText.describe(status.bytesPerSecond))/s"),
                ("since", Timestamp(millisecondsSince1970: status.since).rfc3339), ("pid", String(status.pid)),
            ]))
        }
    }
}
