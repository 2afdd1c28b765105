import DVPNLedger

/// The write-ahead log's frame format: every consensus input is written as one frame before it is
/// acted on.
///
///     frame = length: UInt32 BE ‖ crc32c(payload): UInt32 BE ‖ payload (length bytes)
///
/// The payload is the canonical encoding of a `ConsensusInput`. A crash (SIGKILL, power loss) can
/// leave the last frame half written; the decoder returns every complete, checksummed frame
/// before it and reports where the damage starts, so the node truncates the file there and goes
/// on. A damaged tail is never fatal: a frame that was not completely written was never acted on
/// (the input is acted on only after its frame is written), so dropping it loses nothing.
public enum WALFrame {
    /// Length and checksum.
    public static let headerByteCount = 8
    /// The largest payload accepted; a larger length field is damage, not a frame.
    public static let maxPayloadByteCount = 1 << 20

    /// What a damaged tail looks like.
    public enum Tail: Hashable, Sendable {
        /// The bytes end exactly after the last frame.
        case clean
        /// The bytes end inside a frame (a torn write).
        case torn
        /// A frame's length is impossible, its checksum fails, or its payload is not a canonical
        /// input: the bytes from `validByteCount` on are garbage.
        case corrupt(reason: String)
    }

    /// The readable prefix of a WAL.
    public struct Decoded: Hashable, Sendable {
        /// The inputs of every good frame, in order.
        public var inputs: [ConsensusInput]
        /// Where the good frames end: truncate the file to this length before appending.
        public var validByteCount: Int
        public var tail: Tail
    }

    /// One frame holding `payload`.
    public static func encode(payload: [UInt8]) -> [UInt8] {
        precondition(payload.count <= maxPayloadByteCount, "WAL payload of \(payload.count) bytes exceeds \(maxPayloadByteCount)")
        var e = CanonicalEncoder(reservingCapacity: headerByteCount + payload.count)
        e.encode(UInt32(payload.count))
        e.encode(CRC32C.checksum(payload))
        return e.bytes + payload
    }

    /// One frame holding `input`.
    public static func encode(_ input: ConsensusInput) -> [UInt8] {
        encode(payload: input.canonicalBytes)
    }

    /// Reads frames from the start of `bytes` until the end or the first damage. Never throws.
    public static func decode(_ bytes: [UInt8]) -> Decoded {
        var inputs: [ConsensusInput] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= headerByteCount else {
                return Decoded(inputs: inputs, validByteCount: offset, tail: .torn)
            }
            let length = Int(readUInt32(bytes, at: offset))
            let checksum = readUInt32(bytes, at: offset + 4)
            guard length <= maxPayloadByteCount else {
                return Decoded(inputs: inputs, validByteCount: offset, tail: .corrupt(reason: "frame at byte \(offset) claims \(length) bytes"))
            }
            let start = offset + headerByteCount
            guard bytes.count - start >= length else {
                return Decoded(inputs: inputs, validByteCount: offset, tail: .torn)
            }
            let payload = Array(bytes[start..<start + length])
            guard CRC32C.checksum(payload) == checksum else {
                return Decoded(inputs: inputs, validByteCount: offset, tail: .corrupt(reason: "frame at byte \(offset) fails its checksum"))
            }
            do {
                inputs.append(try ConsensusInput(canonicalBytes: payload))
            } catch {
                return Decoded(inputs: inputs, validByteCount: offset, tail: .corrupt(reason: "frame at byte \(offset): \(error.reason)"))
            }
            offset = start + length
        }
        return Decoded(inputs: inputs, validByteCount: offset, tail: .clean)
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}
