import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Points the system resolver at the tunnel's DNS server and puts it back (issue 8 item 8).
///
/// `/etc/resolv.conf` is rewritten *in place* (truncate and write), never replaced by a rename:
/// inside a network namespace `ip netns exec NAME` bind-mounts `/etc/netns/NAME/resolv.conf` over
/// `/etc/resolv.conf`, and a rename onto a mount point fails (EBUSY); writing in place touches
/// only the namespace's file there and the machine's file elsewhere. Before writing, the old
/// content is copied to `DATA/resolv.conf.dvpn-backup` (0600), so a connect that was killed
/// leaves the way back: the next connect restores it first (`recoverIfLeftBehind`). When
/// `/etc/resolv.conf` is a symlink (systemd-resolved's stub), the write goes through to its
/// target and the restore writes the same content back.
public struct ResolverConfiguration: Sendable {
    public let path: String
    public let backupPath: String

    public init(path: String = "/etc/resolv.conf", dataDirectory: String) {
        self.path = path
        backupPath = (dataDirectory as NSString).appendingPathComponent("resolv.conf.dvpn-backup")
    }

    /// The file's content for `servers` (what `dvpn connect` writes).
    public static func content(servers: [String]) -> String {
        "# written by dvpn connect; restored when it exits\n" + servers.map { "nameserver \($0)\n" }.joined()
    }

    /// Saves the current file, then writes `servers`. Returns the previous content.
    @discardableResult
    public func apply(servers: [String]) throws(ClientError) -> Data {
        let previous = FileManager.default.contents(atPath: path) ?? Data()
        do {
            try PrivateFile.replace(at: backupPath, with: previous)
            try Self.overwrite(path, with: Data(Self.content(servers: servers).utf8))
        } catch {
            throw ClientError(.system, "cannot set DNS in \(path): \(error)")
        }
        return previous
    }

    /// Writes the saved content back and removes the backup.
    public func restore() throws(ClientError) {
        guard let saved = FileManager.default.contents(atPath: backupPath) else { return }
        do { try Self.overwrite(path, with: saved) } catch {
            throw ClientError(.system, "cannot restore \(path) (the old content is in \(backupPath)): \(error)")
        }
        unlink(backupPath)
    }

    /// A backup left by a connect that did not exit cleanly: restore it now.
    public func recoverIfLeftBehind() throws(ClientError) -> Bool {
        guard FileManager.default.fileExists(atPath: backupPath) else { return false }
        try restore()
        return true
    }

    static func overwrite(_ path: String, with data: Data) throws(PrivateFile.Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PrivateFile.Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let ok = data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Bool in
            guard let base = buffer.baseAddress else { return true }
            var written = 0
            while written < buffer.count {
                let n = write(fd, base + written, buffer.count - written)
                if n <= 0 { return false }
                written += n
            }
            return true
        }
        guard ok, fsync(fd) == 0 else { throw PrivateFile.Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}
