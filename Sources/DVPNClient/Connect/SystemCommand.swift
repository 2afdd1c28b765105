import Foundation

/// Runs iproute2's `ip` for the client's routes and rules, and applies a `RoutePlan` so that a
/// failure half-way removes what was already added.
public enum SystemCommand {
    /// `ip [-n NAMESPACE] ARGUMENTS`; its standard output, or a one-line error with its stderr.
    @discardableResult
    public static func ip(_ arguments: [String], namespace: String? = nil) throws(ClientError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ipPath)
        process.arguments = (namespace.map { ["-n", $0] } ?? []) + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw ClientError(.system, "cannot run \(ipPath): \(error.localizedDescription)")
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ClientError(.system, "ip \(arguments.joined(separator: " ")): \(message)")
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    /// Adds every step of `plan`; if one fails, removes the ones before it and throws.
    public static func apply(_ plan: RoutePlan, namespace: String? = nil) throws(ClientError) {
        for (index, command) in plan.applyCommands.enumerated() {
            do { try ip(command, namespace: namespace) } catch {
                for undo in plan.undoCommands(ofFirst: index) { _ = try? ip(undo, namespace: namespace) }
                throw error
            }
        }
    }

    /// Removes every step of `plan` (errors are collected, not thrown: the rest must go too).
    @discardableResult
    public static func undo(_ plan: RoutePlan, namespace: String? = nil) -> [String] {
        var failures: [String] = []
        for command in plan.undoCommands {
            do { try ip(command, namespace: namespace) } catch { failures.append(error.reason) }
        }
        return failures
    }

    /// The route to `host` now (before the tunnel takes the default route): `ip route get`. nil
    /// for loopback and local addresses, which need no bypass.
    public static func bypass(for host: String, namespace: String? = nil) throws(ClientError) -> RoutePlan.Bypass? {
        let isIPv4 = !host.contains(":")
        let line = try ip([isIPv4 ? "-4" : "-6", "-o", "route", "get", host], namespace: namespace)
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
        if words.first == "local" || words.first == "unreachable" { return nil }
        func value(after key: String) -> String? {
            guard let index = words.firstIndex(of: key), index + 1 < words.count else { return nil }
            return words[index + 1]
        }
        guard let device = value(after: "dev"), device != "lo" else { return nil }
        return RoutePlan.Bypass(host: host, isIPv4: isIPv4, gateway: value(after: "via"), device: device)
    }

    /// Sets `net.ipv4.conf.all.src_valid_mark` as wg-quick does (reverse-path filtering must see
    /// the mark of the tunnel's replies); returns the previous value to restore.
    public static func setSourceValidMark() -> String? {
        let path = "/proc/sys/net/ipv4/conf/all/src_valid_mark"
        let previous = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        try? "1\n".write(toFile: path, atomically: false, encoding: .utf8)
        return previous
    }

    public static func restoreSourceValidMark(_ previous: String?) {
        guard let previous, previous != "1" else { return }
        try? "\(previous)\n".write(toFile: "/proc/sys/net/ipv4/conf/all/src_valid_mark", atomically: false, encoding: .utf8)
    }

    static let ipPath: String = {
        for candidate in ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "/usr/sbin/ip"
    }()
}
