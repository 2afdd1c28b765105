import Foundation

/// A Noise `CipherState` (Noise Protocol Framework rev 34, §5.1) for the ChaChaPoly cipher
/// (§12.3): a key `k` (or none) and a 64-bit nonce `n`.
///
/// During a handshake `SymmetricState` owns one; `NoiseHandshakeState.split()` returns two, one
/// per direction, for the transport phase. The nonce is `n` little-endian after 32 zero bits
/// (`ChaChaPoly.nonce(counter:)`, the same layout WireGuard uses), and it counts: every
/// encryption or successful decryption advances it, so one key never seals two messages under
/// one nonce. The value 2^64 − 1 is reserved (§5.1), so a state refuses to go past it.
///
/// The data plane of the tunnel does not use this type: it keeps its own counters and in-place
/// AEAD (`ChaChaPoly.sealInPlace`), because its nonces arrive out of order through a replay
/// window. The P2P links use it as is.
public struct NoiseCipherState: Sendable {
    /// The key, or nil before the first `MixKey` (then encryption is the identity, §5.1).
    public private(set) var key: SecureBytes?
    /// The nonce of the next message.
    public private(set) var nonce: UInt64 = 0

    /// `InitializeKey(empty)`.
    public init() {}

    /// `InitializeKey(key)`: a 32-byte key, nonce zero.
    public init(key: SecureBytes) {
        precondition(key.count == ChaChaPoly.keyByteCount, "a Noise cipher key is 32 bytes")
        self.key = key
    }

    /// `HasKey()`.
    public var hasKey: Bool { key != nil }

    /// `SetNonce(nonce)`, for protocols that carry explicit nonces (§5.1).
    public mutating func setNonce(_ nonce: UInt64) {
        self.nonce = nonce
    }

    /// `EncryptWithAd(ad, plaintext)`: the plaintext itself when there is no key, otherwise
    /// ciphertext ‖ tag under the current nonce, which then advances.
    public mutating func encrypt(
        _ plaintext: some ContiguousBytes, authenticating ad: some ContiguousBytes = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        guard let key else { return plaintext.withUnsafeBytes { [UInt8]($0) } }
        guard nonce != .max else { throw Self.exhausted() }
        let sealed = try ChaChaPoly.seal(plaintext, key: key, nonce: ChaChaPoly.nonce(counter: nonce), authenticating: ad)
        nonce += 1
        return sealed
    }

    /// `DecryptWithAd(ad, ciphertext)`: the input itself when there is no key; otherwise the
    /// plaintext, or `.authenticationFailed` (and the nonce does not advance, §5.1).
    public mutating func decrypt(
        _ ciphertext: some ContiguousBytes, authenticating ad: some ContiguousBytes = [UInt8]()
    ) throws(CryptoError) -> [UInt8] {
        guard let key else { return ciphertext.withUnsafeBytes { [UInt8]($0) } }
        guard nonce != .max else { throw Self.exhausted() }
        let plaintext = try ChaChaPoly.open(ciphertext, key: key, nonce: ChaChaPoly.nonce(counter: nonce), authenticating: ad)
        nonce += 1
        return plaintext
    }

    /// `Rekey()` (§4.2, §11.3): `k = ENCRYPT(k, 2^64 − 1, ε, 32 zero bytes)` truncated to 32
    /// bytes. The nonce is left as it is.
    public mutating func rekey() throws(CryptoError) {
        guard let key else { return }
        let zeros = [UInt8](repeating: 0, count: ChaChaPoly.keyByteCount)
        var sealed = try ChaChaPoly.seal(zeros, key: key, nonce: ChaChaPoly.nonce(counter: .max))
        defer { SecureZero.zero(&sealed) }
        self.key = sealed.withUnsafeBytes { raw in
            SecureBytes(count: ChaChaPoly.keyByteCount) {
                $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<ChaChaPoly.keyByteCount]))
            }
        }
    }

    @inline(never)
    private static func exhausted() -> CryptoError {
        CryptoError(.invalidState, "Noise cipher state has used every nonce; the session must end")
    }
}
