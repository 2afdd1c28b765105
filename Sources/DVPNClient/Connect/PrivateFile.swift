import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file readable by its owner only (0600), atomically: the bytes go to a temporary file
/// in the same directory, are flushed, and the file is renamed over the target, so a reader (or a
/// crash) sees the old file or the new one, never half of one.
enum PrivateFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func replace(at path: String, with data: Data) throws(Failure) {
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        let ok = data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Bool in
            guard let base = buffer.baseAddress else { return fsync(fd) == 0 }
            while written < buffer.count {
                let n = write(fd, base + written, buffer.count - written)
                if n <= 0 { return false }
                written += n
            }
            return fsync(fd) == 0
        }
        // The mode given to open is masked by the umask; make sure it is exactly 0600.
        let modeSet = fchmod(fd, 0o600) == 0
        close(fd)
        guard ok, modeSet, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(reason)")
        }
    }
}
