import Foundation
internal import CSodium

/// Argon2id (RFC 9106) from libsodium, which turns a passphrase into a key-file encryption key.
///
/// The cost parameters are stored in each key file so they can be raised later without breaking
/// old files; on read they are bounded so that a hostile file cannot make us allocate gigabytes.
struct PasswordKDF: Codable, Equatable, Sendable {
    static let algorithm = "argon2id13"
    static let saltByteCount = Int(crypto_pwhash_SALTBYTES)

    /// libsodium's "interactive" costs: about 0.1–0.3 s and 64 MiB on a small server. A key file
    /// is opened once per process start, so this is a good trade against offline guessing.
    static let defaultOpsLimit = UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE)
    static let defaultMemLimit = UInt64(crypto_pwhash_MEMLIMIT_INTERACTIVE)
    static let maxOpsLimit: UInt64 = 16
    static let maxMemLimit: UInt64 = 1 << 30

    var name: String
    var opsLimit: UInt64
    var memLimit: UInt64
    var salt: String

    static func fresh() -> PasswordKDF {
        PasswordKDF(
            name: algorithm, opsLimit: defaultOpsLimit, memLimit: defaultMemLimit,
            salt: Base64.encode(SecureRandom.bytes(count: saltByteCount)))
    }

    /// Derives the 32-byte XChaCha20-Poly1305 key.
    func deriveKey(from passphrase: Passphrase) throws(CryptoError) -> SecureBytes {
        guard name == Self.algorithm else {
            throw CryptoError(.unsupportedVersion, "key file uses unknown key derivation '\(name)'")
        }
        guard let saltBytes = Base64.decode(salt), saltBytes.count == Self.saltByteCount else {
            throw CryptoError(.invalidEncoding, "key file salt is malformed")
        }
        guard (UInt64(crypto_pwhash_OPSLIMIT_MIN)...Self.maxOpsLimit).contains(opsLimit),
              (UInt64(crypto_pwhash_MEMLIMIT_MIN)...Self.maxMemLimit).contains(memLimit)
        else {
            throw CryptoError(.invalidEncoding, "key file key-derivation costs are out of range")
        }
        _ = Sodium.ready
        var rc: Int32 = 0
        let key = SecureBytes(count: XChaChaPoly.keyByteCount) { out in
            rc = passphrase.withUnsafeBytes { pw in
                saltBytes.withUnsafeBytes { s in
                    crypto_pwhash(
                        out.bytes, UInt64(out.count),
                        pw.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) } ?? UnsafePointer(OpaquePointer(emptyScratch)),
                        UInt64(pw.count), s.bytes, opsLimit, Int(memLimit), crypto_pwhash_ALG_ARGON2ID13)
                }
            }
        }
        guard rc == 0 else { throw CryptoError.library("crypto_pwhash (out of memory?)") }
        return key
    }
}
