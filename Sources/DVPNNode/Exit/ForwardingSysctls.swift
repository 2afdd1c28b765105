import DVPNNodeAPI
import Foundation

/// The kernel's forwarding switches (ip-sysctl.rst): `net.ipv4.ip_forward` and
/// `net.ipv6.conf.all.forwarding`. Both are per network namespace.
///
/// Turning IPv6 forwarding on makes Linux stop accepting router advertisements on interfaces with
/// `accept_ra = 1`, which can cost a SLAAC host its IPv6 default route; so the exit turns it on
/// only when its tunnel carries IPv6.
public enum ForwardingSysctl: String, Codable, Sendable, CaseIterable {
    case ipv4 = "net.ipv4.ip_forward"
    case ipv6 = "net.ipv6.conf.all.forwarding"

    /// The file under /proc/sys.
    var path: String { "/proc/sys/" + rawValue.replacingOccurrences(of: ".", with: "/") }

    /// The current value ("0" or "1").
    func read() throws(NodeError) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw NodeError(.configuration, "cannot read \(rawValue) (\(path))")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ value: String) throws(NodeError) {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw NodeError(.configuration, "cannot write \(rawValue) (\(path)): are we root?")
        }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data((value + "\n").utf8)) } catch {
            throw NodeError(.configuration, "cannot set \(rawValue) = \(value): \(error)")
        }
    }
}
