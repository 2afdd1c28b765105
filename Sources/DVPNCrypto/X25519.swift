import Foundation
internal import CSodium

/// Curve25519 Diffie-Hellman (RFC 7748), from libsodium. WireGuard's static and ephemeral keys
/// and the P2P link handshake are X25519 keys.
public enum X25519 {
    public static let keyByteCount = 32

    /// A public key: 32 bytes, the u-coordinate in little-endian (RFC 7748 §5).
    public struct PublicKey: Hashable, Sendable, ContiguousBytes, CustomStringConvertible {
        public let rawRepresentation: [UInt8]

        public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
            let raw = bytes.withUnsafeBytes { [UInt8]($0) }
            guard raw.count == X25519.keyByteCount else {
                throw CryptoError.invalidLength("X25519 public key", expected: X25519.keyByteCount, got: raw.count)
            }
            rawRepresentation = raw
        }

        /// Parses the base64 form that `wg` prints and wg-quick files hold.
        public init(base64: String) throws(CryptoError) {
            guard let raw = Base64.decode(base64) else {
                throw CryptoError(.invalidEncoding, "X25519 public key is not valid base64")
            }
            try self.init(rawRepresentation: raw)
        }

        /// The base64 form that `wg` prints.
        public var base64: String { Base64.encode(rawRepresentation) }
        public var description: String { base64 }

        public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            try rawRepresentation.withUnsafeBytes(body)
        }
    }

    /// A private key. The scalar lives in zero-on-free storage.
    public struct PrivateKey: Sendable {
        public let secret: SecureBytes
        public let publicKey: PublicKey

        /// A fresh random key, clamped as `wg genkey` does (RFC 7748 §5, decodeScalar25519).
        public init() {
            let secret = SecureBytes(count: X25519.keyByteCount) { buffer in
                SecureRandom.fill(buffer)
                buffer[0] &= 248
                buffer[31] = (buffer[31] & 127) | 64
            }
            // Cannot fail: the key has the right length.
            self = try! PrivateKey(secret: secret)
        }

        /// Wraps existing private key bytes (any 32 bytes; libsodium clamps when multiplying).
        public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
            try self.init(secret: SecureBytes(bytes))
        }

        /// Parses the base64 form used by `wg` and wg-quick files.
        public init(base64: String) throws(CryptoError) {
            guard var raw = Base64.decode(base64) else {
                throw CryptoError(.invalidEncoding, "X25519 private key is not valid base64")
            }
            defer { SecureZero.zero(&raw) }
            try self.init(rawRepresentation: raw)
        }

        public init(secret: SecureBytes) throws(CryptoError) {
            guard secret.count == X25519.keyByteCount else {
                throw CryptoError.invalidLength("X25519 private key", expected: X25519.keyByteCount, got: secret.count)
            }
            _ = Sodium.ready
            var pub = [UInt8](repeating: 0, count: X25519.keyByteCount)
            let rc = secret.withUnsafeBytes { sk in
                pub.withUnsafeMutableBytes { pk in
                    crypto_scalarmult_base(
                        pk.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
            guard rc == 0 else { throw CryptoError.library("crypto_scalarmult_base") }
            self.secret = secret
            self.publicKey = try PublicKey(rawRepresentation: pub)
        }

        /// The base64 form `wg` uses. The returned string is a copy of the secret: handle it
        /// accordingly.
        public var base64: String {
            secret.withUnsafeBytes { Base64.encode([UInt8]($0)) }
        }

        /// X25519(self, peer). Throws `.weakSharedSecret` when the result is all zeros, which
        /// happens exactly for low-order peer points (RFC 7748 §6.1; WireGuard rejects these).
        public func sharedSecret(with peer: PublicKey) throws(CryptoError) -> SecureBytes {
            var rc: Int32 = 0
            let shared = SecureBytes(count: X25519.keyByteCount) { out in
                rc = secret.withUnsafeBytes { sk in
                    peer.rawRepresentation.withUnsafeBytes { pk in
                        crypto_scalarmult(
                            out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            sk.baseAddress!.assumingMemoryBound(to: UInt8.self),
                            pk.baseAddress!.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
            // libsodium itself returns -1 for an all-zero result; check again to be explicit.
            guard rc == 0, !ConstantTime.isZero(shared) else {
                throw CryptoError(.weakSharedSecret, "X25519 produced the all-zero shared secret")
            }
            return shared
        }
    }
}
