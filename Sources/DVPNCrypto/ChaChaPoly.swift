import Foundation
internal import CSodium

/// ChaCha20-Poly1305 AEAD, the IETF construction of RFC 8439 (96-bit nonce), from libsodium.
///
/// WireGuard's transport and handshake messages use it with a nonce of four zero bytes followed by
/// a 64-bit little-endian counter (whitepaper §5.4.6), which `nonce(counter:)` builds. The sealed
/// form is ciphertext followed by the 16-byte tag, as on the wire.
public enum ChaChaPoly {
    public static let keyByteCount = 32
    public static let nonceByteCount = 12
    public static let tagByteCount = 16

    /// WireGuard's nonce: 32 zero bits, then `counter` little-endian.
    public static func nonce(counter: UInt64) -> [UInt8] {
        var n = [UInt8](repeating: 0, count: nonceByteCount)
        for i in 0..<8 { n[4 + i] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(i))) }
        return n
    }

    /// Encrypts `plaintext` and returns ciphertext ‖ tag.
    public static func seal(
        _ plaintext: some ContiguousBytes, key: some ContiguousBytes, nonce: some ContiguousBytes,
        authenticating ad: some ContiguousBytes = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        try SodiumAEAD.chaCha20Poly1305.seal(plaintext, key: key, nonce: nonce, authenticating: ad)
    }

    /// Verifies and decrypts ciphertext ‖ tag.
    public static func open(
        _ sealed: some ContiguousBytes, key: some ContiguousBytes, nonce: some ContiguousBytes,
        authenticating ad: some ContiguousBytes = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        try SodiumAEAD.chaCha20Poly1305.open(sealed, key: key, nonce: nonce, authenticating: ad)
    }

    /// Encrypts in place: `buffer[0..<plaintextCount]` holds the plaintext and must have room for
    /// 16 more bytes, where the tag is written. Returns the sealed length. The data-plane hot path
    /// uses this to avoid any allocation per packet.
    @inlinable
    public static func sealInPlace(
        _ buffer: UnsafeMutableRawBufferPointer, plaintextCount: Int,
        key: UnsafeRawBufferPointer, counter: UInt64, authenticating ad: UnsafeRawBufferPointer = .init(start: nil, count: 0)
    ) -> Int {
        precondition(buffer.count >= plaintextCount + tagByteCount && key.count == keyByteCount)
        // 32 zero bits then the counter little-endian, as three packed 32-bit words (no padding).
        var nonce: (UInt32, UInt32, UInt32) = (0, UInt32(truncatingIfNeeded: counter).littleEndian, UInt32(truncatingIfNeeded: counter >> 32).littleEndian)
        return withUnsafeBytes(of: &nonce) { n in
            _sealInPlace(buffer, plaintextCount, key, n, ad)
        }
    }

    @usableFromInline
    static func _sealInPlace(
        _ buffer: UnsafeMutableRawBufferPointer, _ count: Int, _ key: UnsafeRawBufferPointer,
        _ nonce: UnsafeRawBufferPointer, _ ad: UnsafeRawBufferPointer
    ) -> Int {
        _ = Sodium.ready
        var written: UInt64 = 0
        let p = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let rc = crypto_aead_chacha20poly1305_ietf_encrypt(
            p, &written, p, UInt64(count), ad.bytes, UInt64(ad.count), nil, nonce.bytes, key.bytes)
        precondition(rc == 0, "in-place encryption cannot fail for valid lengths")
        return Int(written)
    }

    /// Decrypts in place: `buffer` holds ciphertext ‖ tag. Returns the plaintext length (written
    /// at the start of `buffer`), or nil when the tag does not verify.
    @inlinable
    public static func openInPlace(
        _ buffer: UnsafeMutableRawBufferPointer, key: UnsafeRawBufferPointer, counter: UInt64,
        authenticating ad: UnsafeRawBufferPointer = .init(start: nil, count: 0)
    ) -> Int? {
        guard buffer.count >= tagByteCount, key.count == keyByteCount else { return nil }
        // 32 zero bits then the counter little-endian, as three packed 32-bit words (no padding).
        var nonce: (UInt32, UInt32, UInt32) = (0, UInt32(truncatingIfNeeded: counter).littleEndian, UInt32(truncatingIfNeeded: counter >> 32).littleEndian)
        return withUnsafeBytes(of: &nonce) { n in
            _openInPlace(buffer, key, n, ad)
        }
    }

    @usableFromInline
    static func _openInPlace(
        _ buffer: UnsafeMutableRawBufferPointer, _ key: UnsafeRawBufferPointer,
        _ nonce: UnsafeRawBufferPointer, _ ad: UnsafeRawBufferPointer
    ) -> Int? {
        _ = Sodium.ready
        var written: UInt64 = 0
        let p = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let rc = crypto_aead_chacha20poly1305_ietf_decrypt(
            p, &written, nil, p, UInt64(buffer.count), ad.bytes, UInt64(ad.count), nonce.bytes, key.bytes)
        return rc == 0 ? Int(written) : nil
    }
}

/// XChaCha20-Poly1305 AEAD (192-bit nonce; draft-irtf-cfrg-xchacha), from libsodium. WireGuard's
/// cookie reply (whitepaper §5.4.7) and our key files use it, because a random 24-byte nonce never
/// repeats in practice.
public enum XChaChaPoly {
    public static let keyByteCount = 32
    public static let nonceByteCount = 24
    public static let tagByteCount = 16

    public static func seal(
        _ plaintext: some ContiguousBytes, key: some ContiguousBytes, nonce: some ContiguousBytes,
        authenticating ad: some ContiguousBytes = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        try SodiumAEAD.xChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce, authenticating: ad)
    }

    public static func open(
        _ sealed: some ContiguousBytes, key: some ContiguousBytes, nonce: some ContiguousBytes,
        authenticating ad: some ContiguousBytes = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        try SodiumAEAD.xChaCha20Poly1305.open(sealed, key: key, nonce: nonce, authenticating: ad)
    }
}

/// libsodium declares its pointer parameters non-null even when the length is zero, and an empty
/// Swift buffer has no base address; this one-byte scratch area stands in for it. Nothing is ever
/// read from or written to it because the accompanying length is zero.
nonisolated(unsafe) let emptyScratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)

extension UnsafeRawBufferPointer {
    /// The base address typed as bytes, as the C APIs want it (never nil, see `emptyScratch`).
    @usableFromInline var bytes: UnsafePointer<UInt8> {
        baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptyScratch)
    }
}

extension UnsafeMutableRawBufferPointer {
    @usableFromInline var bytes: UnsafeMutablePointer<UInt8> {
        baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyScratch
    }
}
