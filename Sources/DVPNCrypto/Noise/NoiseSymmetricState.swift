import Foundation

/// A Noise `SymmetricState` (Noise Protocol Framework rev 34, §5.2) for BLAKE2s (§12.8): the
/// chaining key `ck`, the handshake hash `h` and a `NoiseCipherState`.
///
/// `HKDF` is §4.3's, which over HMAC-BLAKE2s is exactly WireGuard's `KDF_n` (`WireGuardKDF`):
/// one implementation serves both carriers.
public struct NoiseSymmetricState: Sendable {
    /// `HASHLEN` for BLAKE2s.
    public static let hashByteCount = 32

    /// `ck`.
    public private(set) var chainingKey: SecureBytes
    /// `h`: after the handshake, the value both sides may sign to bind a session (§11.2).
    public private(set) var handshakeHash: [UInt8]
    /// The cipher that `EncryptAndHash`/`DecryptAndHash` use.
    public private(set) var cipher = NoiseCipherState()

    /// `InitializeSymmetric(protocol_name)`: `h` is the name padded with zeros when it fits in
    /// `HASHLEN` bytes, else `HASH(name)`; `ck = h`; no key.
    public init(protocolName: String) {
        let name = Array(protocolName.utf8)
        if name.count <= Self.hashByteCount {
            handshakeHash = name + [UInt8](repeating: 0, count: Self.hashByteCount - name.count)
        } else {
            handshakeHash = BLAKE2s.hash(name)
        }
        chainingKey = SecureBytes(handshakeHash)
    }

    /// `MixKey(ikm)`: `ck, temp_k = HKDF(ck, ikm, 2)`; `InitializeKey(temp_k)`.
    public mutating func mixKey(_ inputKeyMaterial: some ContiguousBytes) {
        let (ck, k) = WireGuardKDF.kdf2(chainingKey: chainingKey, input: inputKeyMaterial)
        chainingKey = ck
        cipher = NoiseCipherState(key: k)
    }

    /// `MixHash(data)`: `h = HASH(h ‖ data)`.
    public mutating func mixHash(_ data: some ContiguousBytes) {
        var hasher = BLAKE2s()
        hasher.update(handshakeHash)
        hasher.update(data)
        handshakeHash = hasher.finalize()
    }

    /// `MixKeyAndHash(ikm)`: `ck, temp_h, temp_k = HKDF(ck, ikm, 3)`; `MixHash(temp_h)`;
    /// `InitializeKey(temp_k)`. Used for pre-shared keys (§9).
    public mutating func mixKeyAndHash(_ inputKeyMaterial: some ContiguousBytes) {
        let (ck, h, k) = WireGuardKDF.kdf3(chainingKey: chainingKey, input: inputKeyMaterial)
        chainingKey = ck
        mixHash(h)
        cipher = NoiseCipherState(key: k)
    }

    /// `EncryptAndHash(plaintext)`: encrypts with `h` as associated data, then mixes the
    /// ciphertext into `h`.
    public mutating func encryptAndHash(_ plaintext: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
        let ciphertext = try cipher.encrypt(plaintext, authenticating: handshakeHash)
        mixHash(ciphertext)
        return ciphertext
    }

    /// `DecryptAndHash(ciphertext)`: on failure nothing changes and `.authenticationFailed` is
    /// thrown.
    public mutating func decryptAndHash(_ ciphertext: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
        let plaintext = try cipher.decrypt(ciphertext, authenticating: handshakeHash)
        mixHash(ciphertext)
        return plaintext
    }

    /// `Split()`: `temp_k1, temp_k2 = HKDF(ck, ε, 2)`; the initiator sends with the first and
    /// the responder with the second.
    public func split() -> (NoiseCipherState, NoiseCipherState) {
        let (k1, k2) = WireGuardKDF.kdf2(chainingKey: chainingKey, input: [UInt8]())
        return (NoiseCipherState(key: k1), NoiseCipherState(key: k2))
    }
}
