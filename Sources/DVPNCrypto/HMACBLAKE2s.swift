import Foundation

/// HMAC (RFC 2104) instantiated with BLAKE2s-256: 64-byte block, 32-byte output.
///
/// WireGuard builds its HKDF on this (whitepaper §5.4, `HMAC(key, input)`), not on keyed BLAKE2s,
/// so the construction must be exactly RFC 2104's: a key longer than one block is first hashed,
/// then zero-padded to 64 bytes and XORed with `ipad` (0x36) and `opad` (0x5c).
public enum HMACBLAKE2s {
    /// The MAC length (BLAKE2s-256's digest).
    public static let byteCount = 32
    /// HMAC's `B`: BLAKE2s's block size.
    public static let blockByteCount = 64

    /// HMAC-BLAKE2s(key, message).
    public static func authenticate(_ message: some ContiguousBytes, key: some ContiguousBytes) -> [UInt8] {
        var mac = key.withUnsafeBytes { Context(key: $0) }
        message.withUnsafeBytes { mac.update($0) }
        return [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
            mac.finalize(into: UnsafeMutableRawBufferPointer(buffer))
            initialized = byteCount
        }
    }

    /// An HMAC computation in progress. The KDF feeds it several pieces (`τ(i-1) ‖ i`) and writes
    /// the result into memory it wipes, so nothing secret is left in a heap array.
    struct Context {
        private var inner: BLAKE2s
        private var outer: BLAKE2s

        /// Absorbs `K0 ⊕ ipad` into the inner hash and `K0 ⊕ opad` into the outer one (RFC 2104 §2,
        /// steps 1–4 and the start of step 7).
        init(key: UnsafeRawBufferPointer) {
            var pad = SIMD16<UInt32>.zero  // K0, one 64-byte block
            withUnsafeMutableBytes(of: &pad) { k0 in
                if key.count > HMACBLAKE2s.blockByteCount {
                    var digest = BLAKE2s()
                    digest.update(key)
                    digest.finalize(into: k0)
                } else {
                    k0.copyMemory(from: key)
                }
            }
            pad ^= SIMD16(repeating: 0x3636_3636)
            var inner = BLAKE2s()
            withUnsafeBytes(of: &pad) { inner.update($0) }
            pad ^= SIMD16(repeating: 0x3636_3636 ^ 0x5C5C_5C5C)
            var outer = BLAKE2s()
            withUnsafeBytes(of: &pad) { outer.update($0) }
            withUnsafeMutableBytes(of: &pad) { SecureZero.zero($0) }
            self.inner = inner
            self.outer = outer
        }

        mutating func update(_ data: UnsafeRawBufferPointer) {
            inner.update(data)
        }

        /// Writes the 32-byte MAC into `output`: H(K0 ⊕ opad ‖ H(K0 ⊕ ipad ‖ message)).
        mutating func finalize(into output: UnsafeMutableRawBufferPointer) {
            var innerDigest = SIMD8<UInt32>.zero
            withUnsafeMutableBytes(of: &innerDigest) { digest in
                inner.finalize(into: digest)
                outer.update(UnsafeRawBufferPointer(digest))
                SecureZero.zero(digest)
            }
            outer.finalize(into: output)
        }
    }
}
