import DVPNTunnel
import Foundation
import Logging

/// Puts addresses and routes on the tunnel interface the way wg-quick(8) does, with iproute2's
/// `ip`, and remembers each change so that `undo()` removes exactly what it added (nothing that
/// was there before, nothing twice).
///
/// Routes: one per allowed IP of every peer, on the interface. A default route (`/0`) would also
/// capture the tunnel's own UDP packets, so, as wg-quick does, it goes into its own routing table
/// selected by a policy rule for every packet *without* the tunnel's firewall mark, and the UDP
/// socket carries that mark; `suppress_prefixlength 0` keeps the main table's more specific
/// routes in force.
final class InterfaceConfigurator {
    let interface: String
    let logger: Logger
    /// The `ip` arguments that undo each change, most recent last.
    private var undoStack: [[String]] = []
    /// Prefixes already routed (two peers may list the same one; the core gives it to the last).
    private var routed: Set<IPPrefix> = []
    /// The table (and firewall mark) for default routes: the configured `FwMark`, else 51820, as
    /// wg-quick chooses.
    let defaultRouteTable: UInt32

    /// The firewall mark and table wg-quick uses for default routes when no `FwMark` is set.
    static let defaultTable: UInt32 = 51_820

    init(interface: String, firewallMark: UInt32, logger: Logger) {
        self.interface = interface
        self.defaultRouteTable = firewallMark != 0 ? firewallMark : Self.defaultTable
        self.logger = logger
    }

    func addAddress(_ address: InterfaceAddress) throws(TunnelIOError) {
        let family = address.address.isIPv4 ? "-4" : "-6"
        var arguments = [family, "address", "add", address.description, "dev", interface]
        // No duplicate address detection on a point-to-point tunnel (wg-quick does the same by
        // omission; DAD would only delay the address).
        if !address.address.isIPv4 { arguments.append("nodad") }
        try run(arguments)
        undoStack.append([family, "address", "del", address.description, "dev", interface])
    }

    /// Adds the route for one allowed IP; returns whether the tunnel's UDP socket must carry the
    /// firewall mark `defaultRouteTable` (true when a default route went into that table).
    @discardableResult
    func addRoute(_ prefix: IPPrefix) throws(TunnelIOError) -> Bool {
        guard routed.insert(prefix).inserted else { return false }
        let family = prefix.address.isIPv4 ? "-4" : "-6"
        if prefix.length == 0 {
            let table = String(defaultRouteTable)
            try run([family, "route", "add", prefix.description, "dev", interface, "table", table])
            undoStack.append([family, "route", "del", prefix.description, "dev", interface, "table", table])
            try run([family, "rule", "add", "not", "fwmark", table, "table", table])
            undoStack.append([family, "rule", "del", "not", "fwmark", table, "table", table])
            try run([family, "rule", "add", "table", "main", "suppress_prefixlength", "0"])
            undoStack.append([family, "rule", "del", "table", "main", "suppress_prefixlength", "0"])
            if prefix.address.isIPv4 {
                // As wg-quick: let reverse-path filtering see the mark of our replies.
                let fd = open("/proc/sys/net/ipv4/conf/all/src_valid_mark", O_WRONLY | O_CLOEXEC)
                if fd < 0 || write(fd, "1\n", 2) != 2 {
                    logger.notice("could not set net.ipv4.conf.all.src_valid_mark=1")
                }
                if fd >= 0 { close(fd) }
            }
            return true
        }
        // A route that exists already (the address's own subnet, another peer's) is left alone.
        let existing = try? output([family, "route", "show", "dev", interface, "match", prefix.description])
        if let existing, existing.split(separator: "\n").contains(where: { $0.hasPrefix(prefix.description + " ") || $0 == prefix.description[...] }) {
            return false
        }
        try run([family, "route", "add", prefix.description, "dev", interface])
        undoStack.append([family, "route", "del", prefix.description, "dev", interface])
        return false
    }

    /// Removes everything added, in reverse order. Failures are logged, not thrown: the interface
    /// may already be gone (its routes and addresses then went with it).
    func undo() {
        while let arguments = undoStack.popLast() {
            do { try run(arguments) } catch {
                logger.debug("cleanup: ip \(arguments.joined(separator: " ")): \(error.reason)")
            }
        }
    }

    private func run(_ arguments: [String]) throws(TunnelIOError) {
        _ = try output(arguments)
    }

    /// Runs `ip ARGUMENTS`, returns its standard output; a non-zero exit throws with its stderr.
    private func output(_ arguments: [String]) throws(TunnelIOError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.ipPath)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw TunnelIOError(.command, "cannot run \(Self.ipPath): \(error)")
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw TunnelIOError(.command, "ip \(arguments.joined(separator: " ")): \(message)")
        }
        logger.debug("ip \(arguments.joined(separator: " "))")
        return String(decoding: stdout, as: UTF8.self)
    }

    /// iproute2's `ip`, wherever the distribution put it.
    static let ipPath: String = {
        for candidate in ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "/usr/sbin/ip"
    }()
}

@available(*, unavailable)
extension InterfaceConfigurator: Sendable {}
