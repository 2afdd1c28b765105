import DVPNCrypto
import FoundationEssentials  // ContiguousBytes, the byte-source protocol of the DVPNCrypto API

/// The running state of a Noise handshake (Noise §5.2 SymmetricState, WireGuard whitepaper
/// §5.4): the chaining key `C` and the transcript hash `H`, with the operations the messages
/// apply to them.
struct SymmetricState {
    var chainingKey: SecureBytes
    var hash: [UInt8]

    /// `C = C_i`, `H = HASH(H_i ‖ responder static)`: the start of every handshake (both sides
    /// know the responder's static key).
    init(responderStatic: X25519.PublicKey) {
        chainingKey = SecureBytes(NoiseConstants.initialChainingKey)
        hash = NoiseConstants.initialHash
        mixHash(responderStatic.rawRepresentation)
    }

    /// `H = HASH(H ‖ data)`.
    mutating func mixHash(_ data: [UInt8]) {
        var hasher = BLAKE2s()
        hasher.update(hash)
        hasher.update(data)
        hash = hasher.finalize()
    }

    /// `C = KDF1(C, data)`.
    mutating func mixKey(_ data: some ContiguousBytes) {
        chainingKey = WireGuardKDF.kdf1(chainingKey: chainingKey, input: data)
    }

    /// `(C, k) = KDF2(C, data)`: returns the AEAD key for the next encrypted field.
    mutating func mixKeyReturningKey(_ data: some ContiguousBytes) -> SecureBytes {
        let (c, k) = WireGuardKDF.kdf2(chainingKey: chainingKey, input: data)
        chainingKey = c
        return k
    }

    /// `(C, τ, k) = KDF3(C, Q)`; `H = HASH(H ‖ τ)`: mixes in the preshared key (all zeros when
    /// none is set) and returns the key that seals the response's empty payload.
    mutating func mixPresharedKey(_ presharedKey: SecureBytes?) -> SecureBytes {
        let psk = presharedKey ?? SecureBytes([UInt8](repeating: 0, count: 32))
        let (c, tau, k) = WireGuardKDF.kdf3(chainingKey: chainingKey, input: psk)
        chainingKey = c
        mixHash(tau.unsafeCopy())
        return k
    }

    /// `AEAD(k, 0, plaintext, H)`, then `H = HASH(H ‖ ciphertext)`.
    mutating func encryptAndHash(_ plaintext: [UInt8], key: SecureBytes) -> [UInt8] {
        let sealed: [UInt8]
        do {
            sealed = try ChaChaPoly.seal(plaintext, key: key, nonce: Self.zeroNonce, authenticating: hash)
        } catch {
            preconditionFailure("ChaCha20-Poly1305 rejected a 32-byte key: \(error)")
        }
        mixHash(sealed)
        return sealed
    }

    /// Opens `AEAD(k, 0, ·, H)` and mixes the ciphertext into `H`; nil (and `H` unchanged) when
    /// the tag does not verify.
    mutating func decryptAndHash(_ ciphertext: [UInt8], key: SecureBytes) -> [UInt8]? {
        guard let plaintext = try? ChaChaPoly.open(ciphertext, key: key, nonce: Self.zeroNonce, authenticating: hash)
        else { return nil }
        mixHash(ciphertext)
        return plaintext
    }

    /// Handshake fields are each sealed under a fresh key, so the nonce is always zero.
    static let zeroNonce = [UInt8](repeating: 0, count: ChaChaPoly.nonceByteCount)

    /// `(T_send, T_recv) = KDF2(C, ε)` for the initiator; the responder swaps them
    /// (whitepaper §5.4.5).
    func transportKeys(isInitiator: Bool) -> (send: SecureBytes, receive: SecureBytes) {
        let (first, second) = WireGuardKDF.kdf2(chainingKey: chainingKey, input: [UInt8]())
        return isInitiator ? (first, second) : (second, first)
    }
}
