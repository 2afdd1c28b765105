public import DVPNNodeAPI
import Foundation
public import Logging

/// The host side of an exit: IPv4 (and IPv6) forwarding and the nftables table of
/// `ExitFirewall`, set up by `up()` and removed by `down()`, which restores the forwarding
/// switches to the values they had before.
///
/// Crash safety: before it changes anything, `up()` writes what it is about to change (the
/// previous sysctl values, the table) to a state file, `STATE_DIR/exit-IFACE.json`, and `down()`
/// removes it last. A run that finds such a file (a previous run of the same interface that was
/// killed) first undoes what the file records. The default directory, `/run/dvpn`, is cleared at
/// boot, as the sysctls are.
public final class ExitHostSetup {
    public let firewall: ExitFirewall
    /// Whether IPv6 forwarding is turned on too (when the tunnel carries IPv6).
    public let forwardsIPv6: Bool
    let stateDirectory: String
    let logger: Logger
    private var applied: ExitHostState?

    public init(firewall: ExitFirewall, forwardsIPv6: Bool, stateDirectory: String, logger: Logger) {
        self.firewall = firewall
        self.forwardsIPv6 = forwardsIPv6
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    var stateFile: String { "\(stateDirectory)/exit-\(firewall.tunnelInterface).json" }

    /// Undoes what a previous, crashed run of this interface left: its recorded sysctl values and
    /// any table of this interface's name (even with no state file, e.g. loaded by hand).
    public func removeLeftovers() {
        if let data = FileManager.default.contents(atPath: stateFile),
           let state = try? JSONDecoder().decode(ExitHostState.self, from: data)
        {
            logger.notice("cleaning up after a previous run of \(firewall.tunnelInterface) (\(stateFile))")
            undo(state)
        }
        deleteTable()
        try? FileManager.default.removeItem(atPath: stateFile)
    }

    /// Records the state to restore, turns forwarding on and loads the table.
    public func up() throws(NodeError) {
        var previous: [ForwardingSysctl: String] = [:]
        let switches: [ForwardingSysctl] = forwardsIPv6 ? [.ipv4, .ipv6] : [.ipv4]
        for sysctl in switches { previous[sysctl] = try sysctl.read() }
        let state = ExitHostState(table: firewall.tableName, previousSysctls: previous)
        try record(state)
        applied = state
        for sysctl in switches where previous[sysctl] != "1" {
            try sysctl.write("1")
            logger.info("\(sysctl.rawValue) = 1 (was \(previous[sysctl] ?? "?"))")
        }
        try HostCommand.run("nft", ["-f", "-"], input: firewall.script)
        logger.info("nftables table inet \(firewall.tableName): forward and masquerade \(firewall.tunnelInterface) -> \(firewall.egressInterface)")
    }

    /// Removes the table and restores the sysctls; safe to call more than once.
    public func down() {
        guard let state = applied else { return }
        undo(state)
        applied = nil
        try? FileManager.default.removeItem(atPath: stateFile)
    }

    private func undo(_ state: ExitHostState) {
        deleteTable(state.table)
        for (sysctl, value) in state.previousSysctls.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard (try? sysctl.read()) != value else { continue }
            do {
                try sysctl.write(value)
                logger.info("\(sysctl.rawValue) restored to \(value)")
            } catch {
                logger.error("cannot restore \(sysctl.rawValue) = \(value): \(error.reason)")
            }
        }
    }

    private func deleteTable(_ name: String? = nil) {
        let table = name ?? firewall.tableName
        guard (try? HostCommand.run("nft", ["list", "table", "inet", table])) != nil else { return }
        do {
            try HostCommand.run("nft", ["delete", "table", "inet", table])
            logger.info("nftables table inet \(table) deleted")
        } catch {
            logger.error("cannot delete nftables table inet \(table): \(error.reason)")
        }
    }

    private func record(_ state: ExitHostState) throws(NodeError) {
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            let data = try JSONEncoder().encode(state)
            try data.write(to: URL(fileURLWithPath: stateFile), options: .atomic)
        } catch {
            throw NodeError(.configuration, "cannot write the exit's state file \(stateFile): \(error)")
        }
    }
}

@available(*, unavailable)
extension ExitHostSetup: Sendable {}

/// What an exit changed on the host, as its state file records it.
struct ExitHostState: Codable, Equatable {
    var table: String
    var previousSysctls: [ForwardingSysctl: String]
}
