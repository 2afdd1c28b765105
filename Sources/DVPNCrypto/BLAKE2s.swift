import Foundation

/// BLAKE2s (RFC 7693), the hash of WireGuard's Noise construction: `HASH`, `MAC` (keyed, 16-byte
/// output, used for mac1/mac2) and, through `HMACBLAKE2s`, the HKDF of whitepaper §5.4.
///
/// libsodium ships only BLAKE2b, so this is written here from the RFC. It sits on the handshake
/// hot path, so the state lives inline (no heap allocation per block or per hasher) and the
/// compression function is unrolled (`BLAKE2s+Compression.swift`).
///
/// Use it once: `update` any number of times, then `finalize` exactly once. Keys and buffered input
/// are wiped by `finalize`.
public struct BLAKE2s: Sendable {
    /// The longest digest BLAKE2s produces (RFC 7693 §2.1: `nn` is 1…32).
    public static let maxOutputByteCount = 32
    /// The longest key BLAKE2s accepts (RFC 7693 §2.1: `kk` is 0…32).
    public static let maxKeyByteCount = 32
    /// The block size `bb` of RFC 7693 §2.1.
    public static let blockByteCount = 64

    /// The chained state `h[0..7]` (RFC 7693 §3.3).
    var chain: SIMD8<UInt32>
    /// Input not yet compressed. BLAKE2 must not compress the last block until it knows it is the
    /// last one (its flag differs), so up to a full block is held back here.
    var pending: SIMD16<UInt32> = .zero
    /// How many bytes of `pending` are in use, 0…64.
    var pendingCount = 0
    /// The byte counter `t` (RFC 7693 §3.2): bytes compressed so far, including the pending block
    /// once it is compressed.
    var byteCounter: UInt64 = 0
    /// The digest length `nn`.
    let outputByteCount: Int
    /// Set by `finalize`; the hasher is single-use.
    var isFinalized = false

    /// An unkeyed hasher producing `outputByteCount` bytes (1…32; a programming error otherwise).
    public init(outputByteCount: Int = 32) {
        precondition(
            (1...Self.maxOutputByteCount).contains(outputByteCount),
            "BLAKE2s output length must be 1...32 bytes, got \(outputByteCount)")
        self.outputByteCount = outputByteCount
        chain = Self.initialChain(outputByteCount: outputByteCount, keyByteCount: 0)
    }

    /// A keyed hasher (BLAKE2s as a MAC, RFC 7693 §3.3): the key, 0…32 bytes, is padded to a full
    /// block that is processed before the message. An empty key is the unkeyed hash.
    public init(key: some ContiguousBytes, outputByteCount: Int = 32) throws(CryptoError) {
        guard (1...Self.maxOutputByteCount).contains(outputByteCount) else {
            throw CryptoError(
                .invalidLength, "BLAKE2s output length must be 1...32 bytes, got \(outputByteCount)")
        }
        let keyCount = key.withUnsafeBytes { $0.count }
        guard keyCount <= Self.maxKeyByteCount else {
            throw CryptoError(.invalidLength, "BLAKE2s key must be at most 32 bytes, got \(keyCount)")
        }
        self.outputByteCount = outputByteCount
        chain = Self.initialChain(outputByteCount: outputByteCount, keyByteCount: keyCount)
        if keyCount > 0 {
            key.withUnsafeBytes { k in
                withUnsafeMutableBytes(of: &pending) { $0.copyMemory(from: k) }
            }
            pendingCount = Self.blockByteCount
        }
    }

    /// `h[0..7]` from the IV and the parameter block `0x0101kknn` (RFC 7693 §3.3; salt and
    /// personalisation are zero, as WireGuard uses them).
    static func initialChain(outputByteCount: Int, keyByteCount: Int) -> SIMD8<UInt32> {
        var h = SIMD8(lowHalf: iv.lowHalf, highHalf: iv.highHalf)
        h[0] ^= 0x0101_0000 ^ UInt32(keyByteCount) << 8 ^ UInt32(outputByteCount)
        return h
    }

    /// The initialisation vector, the same as SHA-256's (RFC 7693 §2.6).
    static let iv = SIMD8<UInt32>(
        0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A,
        0x510E_527F, 0x9B05_688C, 0x1F83_D9AB, 0x5BE0_CD19)

    /// Absorbs `data`.
    @inlinable
    public mutating func update(_ data: some ContiguousBytes) {
        data.withUnsafeBytes { update($0) }
    }

    /// Absorbs the bytes at `data`. Full blocks are compressed straight from the caller's memory;
    /// only a partial (or the possibly-last) block is copied.
    public mutating func update(_ data: UnsafeRawBufferPointer) {
        precondition(!isFinalized, "BLAKE2s used after finalize()")
        guard var input = data.baseAddress, data.count > 0 else { return }
        var remaining = data.count

        // Top up the pending block. It is compressed only once more input proves it is not last.
        if pendingCount > 0 {
            let room = Self.blockByteCount - pendingCount
            if remaining <= room {
                appendPending(input, remaining)
                return
            }
            appendPending(input, room)
            input += room
            remaining -= room
            compressPending(isLast: false)
        }

        // Whole blocks that are certainly not the last one.
        var h = chain
        var t = byteCounter
        while remaining > Self.blockByteCount {
            t &+= UInt64(Self.blockByteCount)
            Self.compress(&h, block: input, byteCounter: t, isLast: false)
            input += Self.blockByteCount
            remaining -= Self.blockByteCount
        }
        chain = h
        byteCounter = t

        // 1…64 bytes stay behind: they may be the final block.
        appendPending(input, remaining)
    }

    /// Pads, compresses the last block and returns the digest (`outputByteCount` bytes).
    public mutating func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: outputByteCount) { buffer, initialized in
            finalize(into: UnsafeMutableRawBufferPointer(buffer))
            initialized = outputByteCount
        }
    }

    /// Writes the digest into the first `outputByteCount` bytes of `output`, without allocating;
    /// HMAC and the KDF use this to keep intermediate secrets in memory they wipe.
    mutating func finalize(into output: UnsafeMutableRawBufferPointer) {
        precondition(!isFinalized, "BLAKE2s finalized twice")
        precondition(output.count >= outputByteCount)
        let used = pendingCount
        withUnsafeMutableBytes(of: &pending) { p in
            // Zero padding of the last block (RFC 7693 §3.3).
            for i in used..<Self.blockByteCount { p[i] = 0 }
        }
        compressPending(isLast: true)
        var h = chain
        for i in 0..<8 { h[i] = h[i].littleEndian }
        withUnsafeBytes(of: &h) { digest in
            output.copyMemory(from: UnsafeRawBufferPointer(rebasing: digest[0..<outputByteCount]))
        }
        withUnsafeMutableBytes(of: &h) { SecureZero.zero($0) }
        withUnsafeMutableBytes(of: &chain) { SecureZero.zero($0) }
        isFinalized = true
    }

    /// BLAKE2s of `data` in one call.
    @inlinable
    public static func hash(_ data: some ContiguousBytes, outputByteCount: Int = 32) -> [UInt8] {
        var hasher = BLAKE2s(outputByteCount: outputByteCount)
        hasher.update(data)
        return hasher.finalize()
    }

    /// Keyed BLAKE2s of `data` in one call (WireGuard's `MAC(key, input)` with 16 bytes out).
    @inlinable
    public static func hash(
        _ data: some ContiguousBytes, key: some ContiguousBytes, outputByteCount: Int = 32
    ) throws(CryptoError) -> [UInt8] {
        var hasher = try BLAKE2s(key: key, outputByteCount: outputByteCount)
        hasher.update(data)
        return hasher.finalize()
    }

    // MARK: Pending block

    private mutating func appendPending(_ source: UnsafeRawPointer, _ count: Int) {
        let offset = pendingCount
        withUnsafeMutableBytes(of: &pending) { p in
            p.baseAddress!.advanced(by: offset).copyMemory(from: source, byteCount: count)
        }
        pendingCount += count
    }

    /// Compresses the pending block, counting its bytes, then wipes it: after the first block of
    /// a keyed hash it holds the key.
    private mutating func compressPending(isLast: Bool) {
        byteCounter &+= UInt64(pendingCount)
        let t = byteCounter
        var h = chain
        withUnsafeMutableBytes(of: &pending) { block in
            Self.compress(&h, block: UnsafeRawPointer(block.baseAddress!), byteCounter: t, isLast: isLast)
            SecureZero.zero(block)
        }
        chain = h
        pendingCount = 0
    }
}
