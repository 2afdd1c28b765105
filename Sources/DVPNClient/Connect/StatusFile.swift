import DVPNLedger
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a running `dvpn connect` shows to `dvpn status` in another terminal: `DATA/session.json`,
/// written atomically with mode 0600 (it names the channel and the operator) on every status
/// update, removed on exit. A file whose `pid` is not a live process was left by a connect that
/// crashed or was killed, and reads as stale.
public struct ConnectStatus: Sendable, Codable, Equatable {
    public var pid: Int32
    /// `connecting`, `connected`, `switching`, `disconnecting`.
    public var state: String
    /// The operator's address, country and price.
    public var node: String
    public var country: String
    public var pricePerGiB: String
    public var pricePerHour: String?
    public var channel: UInt64
    public var interface: String
    /// Inner bytes of this session (up and down), as the client counts them.
    public var bytes: UInt64
    /// What this session signed beyond the channel's baseline (a failover starts a new
    /// session), as a DVPN decimal and in udvpn.
    public var spent: String
    public var spentUdvpn: UInt64
    /// Bytes per second over the last status interval.
    public var bytesPerSecond: UInt64
    /// Unix ms when the session started and when this was written.
    public var since: UInt64
    public var updated: UInt64

    public init(pid: Int32, state: String, node: String, country: String, pricePerGiB: String, pricePerHour: String?,
                channel: UInt64, interface: String, bytes: UInt64, spentUdvpn: UInt64, bytesPerSecond: UInt64,
                since: UInt64, updated: UInt64) {
        self.pid = pid
        self.state = state
        self.node = node
        self.country = country
        self.pricePerGiB = pricePerGiB
        self.pricePerHour = pricePerHour
        self.channel = channel
        self.interface = interface
        self.bytes = bytes
        self.spent = DVPNAmountText.decimal(spentUdvpn)
        self.spentUdvpn = spentUdvpn
        self.bytesPerSecond = bytesPerSecond
        self.since = since
        self.updated = updated
    }
}

public enum StatusFile {
    public enum Reading: Sendable, Equatable {
        case none
        case running(ConnectStatus)
        /// The file names a process that no longer exists.
        case stale(ConnectStatus)
    }

    public static func path(dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("session.json")
    }

    public static func write(_ status: ConnectStatus, dataDirectory: String) throws(ClientError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try PrivateFile.replace(at: path(dataDirectory: dataDirectory), with: encoder.encode(status))
        } catch {
            throw ClientError(.system, "cannot write the status file: \(error)")
        }
    }

    public static func read(dataDirectory: String, isAlive: (Int32) -> Bool = StatusFile.isAlive) throws(ClientError) -> Reading {
        let path = path(dataDirectory: dataDirectory)
        guard let data = FileManager.default.contents(atPath: path) else { return .none }
        let status: ConnectStatus
        do { status = try JSONDecoder().decode(ConnectStatus.self, from: data) } catch {
            throw ClientError(.storage, "\(path) is not a session status file: \(error.localizedDescription)")
        }
        return isAlive(status.pid) ? .running(status) : .stale(status)
    }

    /// Removes the file if it is this process's (a second connect must not delete the first's).
    public static func remove(dataDirectory: String, pid: Int32 = getpid()) {
        let path = path(dataDirectory: dataDirectory)
        guard let data = FileManager.default.contents(atPath: path),
            let status = try? JSONDecoder().decode(ConnectStatus.self, from: data), status.pid == pid
        else { return }
        unlink(path)
    }

    /// Whether `pid` names a live process (`kill(pid, 0)`: EPERM means it exists but is not ours).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}

/// DVPN decimals for the client's files and events (the same text as `Amount.dvpnString`).
enum DVPNAmountText {
    static func decimal(_ udvpn: UInt64) -> String { Amount(udvpn: udvpn).dvpnString }
}
