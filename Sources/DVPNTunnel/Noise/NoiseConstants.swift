import DVPNCrypto
import FoundationEssentials  // ContiguousBytes, the byte-source protocol of the DVPNCrypto API

/// The strings and derived constants that pin WireGuard's instance of the Noise framework
/// (whitepaper §5.4: `CONSTRUCTION`, `IDENTIFIER`, `LABEL_MAC1`, `LABEL_COOKIE`).
enum NoiseConstants {
    static let construction = Array("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".utf8)
    static let identifier = Array("WireGuard v1 zx2c4 Jason@zx2c4.com".utf8)
    static let labelMAC1 = Array("mac1----".utf8)
    static let labelCookie = Array("cookie--".utf8)

    /// `C_i = HASH(CONSTRUCTION)`: the chaining key every handshake starts from.
    static let initialChainingKey: [UInt8] = BLAKE2s.hash(construction)
    /// `H_i = HASH(C_i ‖ IDENTIFIER)`: the transcript hash every handshake starts from.
    static let initialHash: [UInt8] = BLAKE2s.hash(initialChainingKey + identifier)
}

/// WireGuard's keyed hash for MACs and cookies: BLAKE2s with a key and a 16-byte output
/// (whitepaper §5.4: `MAC(key, input)`).
enum WireGuardMAC {
    static let byteCount = 16

    static func mac(key: some ContiguousBytes, _ data: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher: BLAKE2s
        do {
            hasher = try BLAKE2s(key: key, outputByteCount: byteCount)
        } catch {
            // Every key used here is 16 or 32 bytes, which BLAKE2s always accepts.
            preconditionFailure("BLAKE2s rejected a MAC key: \(error)")
        }
        hasher.update(data)
        return hasher.finalize()
    }

    static func mac(key: some ContiguousBytes, _ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { mac(key: key, $0) }
    }

    /// `HASH(label ‖ public key)`: the MAC1 key and the cookie encryption key of a public key.
    static func labelledKey(_ label: [UInt8], _ publicKey: X25519.PublicKey) -> [UInt8] {
        BLAKE2s.hash(label + publicKey.rawRepresentation)
    }
}
