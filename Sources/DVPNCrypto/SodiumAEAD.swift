import Foundation
internal import CSodium

/// libsodium's combined-mode AEADs (`crypto_aead_*_encrypt/decrypt`) share one C signature and
/// differ only in the function and the nonce length; this wraps that shape once, so
/// `ChaChaPoly` (RFC 8439) and `XChaChaPoly` are the same checked code with different parameters.
struct SodiumAEAD: Sendable {
    typealias Encrypt = @Sendable (
        UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt64>?, UnsafePointer<UInt8>?, UInt64,
        UnsafePointer<UInt8>?, UInt64, UnsafePointer<UInt8>?, UnsafePointer<UInt8>, UnsafePointer<UInt8>
    ) -> Int32
    typealias Decrypt = @Sendable (
        UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt64>?, UnsafeMutablePointer<UInt8>?,
        UnsafePointer<UInt8>, UInt64, UnsafePointer<UInt8>?, UInt64, UnsafePointer<UInt8>, UnsafePointer<UInt8>
    ) -> Int32

    static let keyByteCount = 32
    static let tagByteCount = 16

    let name: String
    let nonceByteCount: Int
    let encrypt: Encrypt
    let decrypt: Decrypt

    static let chaCha20Poly1305 = SodiumAEAD(
        name: "ChaCha20-Poly1305", nonceByteCount: 12,
        encrypt: crypto_aead_chacha20poly1305_ietf_encrypt, decrypt: crypto_aead_chacha20poly1305_ietf_decrypt)
    static let xChaCha20Poly1305 = SodiumAEAD(
        name: "XChaCha20-Poly1305", nonceByteCount: 24,
        encrypt: crypto_aead_xchacha20poly1305_ietf_encrypt, decrypt: crypto_aead_xchacha20poly1305_ietf_decrypt)

    /// Encrypts `plaintext` and returns ciphertext ‖ tag.
    func seal(
        _ plaintext: some ContiguousBytes, key: some ContiguousBytes, nonce: some ContiguousBytes,
        authenticating ad: some ContiguousBytes
    ) throws(CryptoError) -> [UInt8] {
        try check(key: key, nonce: nonce)
        let count = plaintext.withUnsafeBytes { $0.count }
        var out = [UInt8](repeating: 0, count: count + Self.tagByteCount)
        let rc = out.withUnsafeMutableBytes { o in
            key.withUnsafeBytes { k in
                nonce.withUnsafeBytes { n in
                    plaintext.withUnsafeBytes { m in
                        ad.withUnsafeBytes { a in
                            encrypt(o.bytes, nil, m.bytes, UInt64(m.count), a.bytes, UInt64(a.count), nil, n.bytes, k.bytes)
                        }
                    }
                }
            }
        }
        guard rc == 0 else { throw CryptoError.library("\(name) encryption") }
        return out
    }

    /// Verifies and decrypts ciphertext ‖ tag.
    func open(
        _ sealed: some ContiguousBytes, key: some ContiguousBytes, nonce: some ContiguousBytes,
        authenticating ad: some ContiguousBytes
    ) throws(CryptoError) -> [UInt8] {
        try check(key: key, nonce: nonce)
        let count = sealed.withUnsafeBytes { $0.count }
        guard count >= Self.tagByteCount else {
            throw CryptoError(.authenticationFailed, "sealed box is shorter than its tag")
        }
        var out = [UInt8](repeating: 0, count: count - Self.tagByteCount)
        let rc = out.withUnsafeMutableBytes { o in
            key.withUnsafeBytes { k in
                nonce.withUnsafeBytes { n in
                    sealed.withUnsafeBytes { c in
                        ad.withUnsafeBytes { a in
                            decrypt(o.bytes, nil, nil, c.bytes, UInt64(c.count), a.bytes, UInt64(a.count), n.bytes, k.bytes)
                        }
                    }
                }
            }
        }
        guard rc == 0 else { throw CryptoError(.authenticationFailed, "\(name) tag mismatch") }
        return out
    }

    private func check(key: some ContiguousBytes, nonce: some ContiguousBytes) throws(CryptoError) {
        _ = Sodium.ready
        let k = key.withUnsafeBytes { $0.count }
        let n = nonce.withUnsafeBytes { $0.count }
        guard k == Self.keyByteCount else { throw .invalidLength("\(name) key", expected: Self.keyByteCount, got: k) }
        guard n == nonceByteCount else { throw .invalidLength("\(name) nonce", expected: nonceByteCount, got: n) }
    }
}
