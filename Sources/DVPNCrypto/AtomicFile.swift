import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe whole-file writes: the bytes go to a fresh temporary file in the same directory
/// (created with the final mode, so the secret is never readable by others even briefly), are
/// fsync'ed, renamed over the target, and the directory is fsync'ed so the rename is durable.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t, overwrite: Bool) throws(CryptoError) {
        if !overwrite, access(path, F_OK) == 0 {
            throw CryptoError(.io, "\(path) already exists; refusing to overwrite it")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        let temp = "\(dir)/.\((path as NSString).lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ioError("cannot create \(temp)") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = ioError("cannot write \(temp)")
                close(fd)
                throw error
            }
            written += n
        }
        // The umask may have narrowed the mode at creation; set it exactly.
        guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            let error = ioError("cannot sync \(temp)")
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temp, path) == 0 else { throw ioError("cannot rename \(temp) to \(path)") }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    public static func read(_ path: String, maxSize: Int) throws(CryptoError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("cannot open \(path)") }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("cannot read \(path)")
            }
            if n == 0 { break }
            result += chunk[0..<n]
            guard result.count <= maxSize else {
                throw CryptoError(.invalidEncoding, "\(path) is larger than \(maxSize) bytes; not a key file")
            }
        }
        return result
    }

    private static func ioError(_ what: String) -> CryptoError {
        CryptoError(.io, "\(what): \(String(cString: strerror(errno)))")
    }
}
