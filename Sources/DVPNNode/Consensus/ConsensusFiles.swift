import DVPNConsensus
import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The names of the consensus engine's files in a node's data directory (docs/consensus.md,
/// "Engine").
enum ConsensusFileNames {
    /// The write-ahead log of the current height: one `WALFrame` per input, fsynced before the
    /// input is acted on; emptied when the node moves to the next height.
    static let wal = "consensus.wal"
    /// The last message this validator signed (`SignGuard.canonicalBytes`), replaced atomically
    /// and fsynced before any signed message leaves the process.
    static let signGuard = "sign-guard.bin"
    /// The blocks proposed at the current height that this node built or executed as valid,
    /// written (atomically) before their hash reaches the WAL, so that a decision replayed after
    /// a crash finds its block even with no peer to fetch it from (a one-validator chain).
    static let blocks = "consensus-blocks.bin"
}

/// The current height's proposed blocks on disk (`ConsensusFileNames.blocks`): the canonical
/// encoding of an array of blocks, replaced whole by `AtomicFile`.
struct ProposedBlocksFile: Sendable {
    static let maxBlocks = 64
    let path: String

    /// What the file holds; nothing when it is absent or unreadable (the blocks are then fetched
    /// from peers, as any block we lack).
    func load() -> [Block] {
        guard FileManager.default.fileExists(atPath: path),
              let bytes = try? AtomicFile.read(path, maxSize: 256 << 20)
        else { return [] }
        var decoder = CanonicalDecoder(bytes)
        return (try? decoder.decodeArray(of: Block.self, maxCount: Self.maxBlocks, field: "blocks")) ?? []
    }

    func store(_ blocks: [Block]) throws(NodeError) {
        var encoder = CanonicalEncoder()
        encoder.encode(array: Array(blocks.prefix(Self.maxBlocks)), maxCount: Self.maxBlocks)
        do {
            try AtomicFile.write(encoder.bytes, to: path, mode: 0o600, overwrite: true)
        } catch {
            throw NodeError(.storage, "cannot write \(path): \(error.reason)")
        }
    }
}

/// The sign guard on disk: read once at start, rewritten (temporary file, fsync, rename, fsync of
/// the directory: `AtomicFile`) before every new signature leaves.
struct SignGuardFile: Sendable {
    let path: String

    /// The stored guard, or an empty one when the file does not exist yet (a validator that never
    /// signed). A file that exists but does not decode is fatal: signing without knowing what was
    /// signed could equivocate.
    func load() throws(NodeError) -> SignGuard {
        guard FileManager.default.fileExists(atPath: path) else { return SignGuard() }
        do {
            return try SignGuard(canonicalBytes: try AtomicFile.read(path, maxSize: 4096))
        } catch {
            throw NodeError(.storage, "\(path) is not a sign guard (\(error)); refusing to sign without it")
        }
    }

    func store(_ guardState: SignGuard) throws(NodeError) {
        do {
            try AtomicFile.write(guardState.canonicalBytes, to: path, mode: 0o600, overwrite: true)
        } catch {
            throw NodeError(.storage, "cannot write \(path): \(error.reason)")
        }
    }
}

/// The WAL file: appends frames with `fsync`, reads them back at start and truncates a damaged
/// tail (never fatal: tendermint#4578 is what we must not have).
final class WALFile: @unchecked Sendable {
    // @unchecked: the descriptor is used only by the engine actor that owns this object.
    let path: String
    private var fd: Int32

    /// Opens (creating) the file, reads every good frame and cuts the file at the first damage.
    static func open(path: String, logger: Logger) throws(NodeError) -> (WALFile, [ConsensusInput]) {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw NodeError(.storage, "cannot open \(path): \(String(cString: strerror(errno)))") }
        let file = WALFile(path: path, fd: fd)
        let bytes = try file.readAll()
        let decoded = WALFrame.decode(bytes)
        if decoded.tail != .clean {
            logger.warning("truncating the consensus WAL's damaged tail", metadata: [
                "file": "\(path)", "offset": "\(decoded.validByteCount)", "bytes": "\(bytes.count)", "tail": "\(decoded.tail)"])
            try file.truncate(to: decoded.validByteCount)
        }
        guard lseek(fd, 0, SEEK_END) >= 0 else { throw NodeError(.storage, "cannot seek in \(path)") }
        return (file, decoded.inputs)
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends one input and fsyncs: only then may the engine act on it.
    func append(_ input: ConsensusInput) throws(NodeError) {
        let frame = WALFrame.encode(input)
        var written = 0
        while written < frame.count {
            let n = frame.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, frame.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw NodeError(.storage, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw NodeError(.storage, "cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Empties the log: the node moved to a new height, whose inputs start afresh.
    func reset() throws(NodeError) {
        try truncate(to: 0)
        guard lseek(fd, 0, SEEK_SET) >= 0 else { throw NodeError(.storage, "cannot seek in \(path)") }
    }

    private func truncate(to length: Int) throws(NodeError) {
        guard ftruncate(fd, off_t(length)) == 0, fsync(fd) == 0 else {
            throw NodeError(.storage, "cannot truncate \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func readAll() throws(NodeError) -> [UInt8] {
        guard lseek(fd, 0, SEEK_SET) >= 0 else { throw NodeError(.storage, "cannot seek in \(path)") }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw NodeError(.storage, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return result }
            result += chunk[0..<n]
        }
    }
}
