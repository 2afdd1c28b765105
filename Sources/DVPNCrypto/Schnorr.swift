import Foundation
internal import CSecp256k1

/// BIP340 Schnorr signatures over secp256k1, from libsecp256k1's `schnorrsig` and `extrakeys`
/// modules. Ledger identities are these keys: every transaction, vote and voucher is signed with
/// one, and an account address is the bech32m form of its public key (see `AccountAddress`).
///
/// Messages may have any length (BIP340 §"Messages of arbitrary size"); the ledger signs
/// `tag ‖ chain id ‖ body` directly rather than a pre-hash.
public enum Schnorr {
    /// An x-only public key is the 32-byte big-endian x coordinate (BIP340 §"Public key generation").
    public static let publicKeyByteCount = 32
    /// A secret key is a 32-byte big-endian scalar in 1..<n.
    public static let privateKeyByteCount = 32
    /// A signature is r (32 bytes, an x coordinate) ‖ s (32 bytes, a scalar).
    public static let signatureByteCount = 64
    /// The auxiliary random data mixed into the nonce (BIP340 §"Default signing").
    public static let auxiliaryRandomByteCount = 32

    /// A public key: an x-only point with even y, validated when it is parsed.
    public struct PublicKey: Hashable, Sendable, ContiguousBytes {
        /// The 32-byte x coordinate.
        public let rawRepresentation: [UInt8]

        /// Parses 32 bytes and checks that they are the x coordinate of a curve point (x < p and
        /// x³ + 7 a square mod p), as `lift_x` in BIP340 requires. Throws `.invalidLength` for a
        /// wrong length and `.invalidKey` for bytes that name no point.
        public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
            let raw = try Schnorr.copy(exactly: Schnorr.publicKeyByteCount, bytes, "Schnorr public key")
            guard Self.parse(raw) != nil else {
                throw CryptoError(.invalidKey, "Schnorr public key is not the x coordinate of a secp256k1 point")
            }
            rawRepresentation = raw
        }

        /// Builds a key libsecp256k1 has just serialised, so it is valid by construction.
        fileprivate init(validated raw: [UInt8]) {
            rawRepresentation = raw
        }

        /// The 32 bytes fed to the hasher in one call, not element by element as the synthesised
        /// conformance does: keys index the ledger's accounts and mempool queues (issue 7).
        public func hash(into hasher: inout Hasher) {
            rawRepresentation.withUnsafeBytes { hasher.combine(bytes: $0) }
        }

        /// BIP340 `Verify(pk, m, sig)` for a message of any length. Returns false for any
        /// signature that does not verify, including r ≥ p and s ≥ n.
        public func isValidSignature(_ signature: Signature, for message: some ContiguousBytes) -> Bool {
            // The key was validated at init, so parsing again cannot fail; re-parsing costs one
            // square root, small next to the verification's two scalar multiplications.
            guard var key = Self.parse(rawRepresentation) else { return false }
            let context = Secp256k1Context.shared.pointer
            return signature.rawRepresentation.withUnsafeBufferPointer { sig in
                message.withUnsafeBytes { msg in
                    // msg may be NULL only when its length is 0; an empty buffer has no base address.
                    secp256k1_schnorrsig_verify(
                        context, sig.baseAddress!, msg.baseAddress?.assumingMemoryBound(to: UInt8.self),
                        msg.count, &key) == 1
                }
            }
        }

        /// The library's parsed form of an x-only key, or nil when the bytes name no point.
        fileprivate static func parse(_ raw: [UInt8]) -> secp256k1_xonly_pubkey? {
            var key = secp256k1_xonly_pubkey()
            let ok = raw.withUnsafeBufferPointer {
                secp256k1_xonly_pubkey_parse(Secp256k1Context.shared.pointer, &key, $0.baseAddress!)
            }
            return ok == 1 ? key : nil
        }

        public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            try rawRepresentation.withUnsafeBytes(body)
        }
    }

    /// A 64-byte signature. Parsing checks only the length: whether r is a field element and s a
    /// scalar below n is part of verification (BIP340 `Verify` fails for them).
    public struct Signature: Hashable, Sendable, ContiguousBytes {
        public let rawRepresentation: [UInt8]

        public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
            rawRepresentation = try Schnorr.copy(exactly: Schnorr.signatureByteCount, bytes, "Schnorr signature")
        }

        public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            try rawRepresentation.withUnsafeBytes(body)
        }
    }

    /// A secret key. The scalar and libsecp256k1's keypair (scalar plus public point) live only in
    /// zero-on-free `SecureBytes`: the keypair is written there by `secp256k1_keypair_create` and
    /// read there by the signer, so no copy of it is ever made on the stack.
    public struct PrivateKey: Sendable {
        public let secret: SecureBytes
        public let publicKey: PublicKey
        /// The `secp256k1_keypair` (96 bytes), kept so signing does not redo the scalar
        /// multiplication that derives the public key.
        private let keypair: SecureBytes

        /// A fresh random key. A uniformly random 32-byte string is ≥ n with probability below
        /// 2⁻¹²⁷; such a draw is discarded and drawn again.
        public init() {
            while true {
                if let key = try? PrivateKey(secret: SecureBytes(randomCount: Schnorr.privateKeyByteCount)) {
                    self = key
                    return
                }
            }
        }

        /// Wraps a 32-byte big-endian scalar. Throws `.invalidKey` for 0 and for values ≥ n.
        public init(rawRepresentation bytes: some ContiguousBytes) throws(CryptoError) {
            try self.init(secret: SecureBytes(bytes))
        }

        public init(secret: SecureBytes) throws(CryptoError) {
            try Schnorr.checkLength(Schnorr.privateKeyByteCount, secret, "Schnorr private key")
            let context = Secp256k1Context.shared.pointer
            var created: Int32 = 0
            let keypair = SecureBytes(count: MemoryLayout<secp256k1_keypair>.size) { out in
                created = secret.withUnsafeBytes { sk in
                    secp256k1_keypair_create(
                        context, out.baseAddress!.assumingMemoryBound(to: secp256k1_keypair.self),
                        sk.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            }
            // keypair_create fails exactly when the scalar is 0 or ≥ n (secp256k1_ec_seckey_verify).
            guard created == 1 else {
                throw CryptoError(.invalidKey, "Schnorr private key must be a scalar in 1..<n (BIP340)")
            }
            var xonly = secp256k1_xonly_pubkey()
            var publicBytes = [UInt8](repeating: 0, count: Schnorr.publicKeyByteCount)
            let derived = keypair.withUnsafeBytes { kp in
                secp256k1_keypair_xonly_pub(context, &xonly, nil, kp.baseAddress!.assumingMemoryBound(to: secp256k1_keypair.self))
            }
            let serialized = publicBytes.withUnsafeMutableBufferPointer {
                secp256k1_xonly_pubkey_serialize(context, $0.baseAddress!, &xonly)
            }
            guard derived == 1, serialized == 1 else { throw CryptoError.library("secp256k1_keypair_xonly_pub") }
            self.secret = secret
            self.keypair = keypair
            self.publicKey = PublicKey(validated: publicBytes)
        }

        /// Signs `message` (any length) with 32 fresh bytes of auxiliary randomness from the
        /// operating system, as BIP340 recommends against side channels and fault attacks.
        public func signature(for message: some ContiguousBytes) throws(CryptoError) -> Signature {
            let auxiliary = SecureBytes(randomCount: Schnorr.auxiliaryRandomByteCount)
            return try signature(for: message, auxiliaryRandom: auxiliary)
        }

        /// Signs `message` with caller-chosen auxiliary data. Deterministic for a given
        /// `auxiliaryRandom`, which is what the BIP340 test vectors need; production code should
        /// call `signature(for:)`.
        ///
        /// As BIP340's signing algorithm prescribes, the new signature is verified before it is
        /// returned, so a fault during signing cannot release a bad signature.
        public func signature(
            for message: some ContiguousBytes, auxiliaryRandom: some ContiguousBytes
        ) throws(CryptoError) -> Signature {
            try Schnorr.checkLength(Schnorr.auxiliaryRandomByteCount, auxiliaryRandom, "BIP340 auxiliary randomness")
            let context = Secp256k1Context.shared.pointer
            var raw = [UInt8](repeating: 0, count: Schnorr.signatureByteCount)
            let signed = raw.withUnsafeMutableBufferPointer { sig in
                keypair.withUnsafeBytes { kp in
                    auxiliaryRandom.withUnsafeBytes { aux in
                        message.withUnsafeBytes { msg in
                            // SECP256K1_SCHNORRSIG_EXTRAPARAMS_MAGIC; a NULL nonce function selects
                            // secp256k1_nonce_function_bip340, which reads ndata as the 32 aux bytes.
                            var extra = secp256k1_schnorrsig_extraparams(
                                magic: (0xDA, 0x6F, 0xB3, 0x8C), noncefp: nil,
                                ndata: UnsafeMutableRawPointer(mutating: aux.baseAddress!))
                            return secp256k1_schnorrsig_sign_custom(
                                context, sig.baseAddress!, msg.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                msg.count, kp.baseAddress!.assumingMemoryBound(to: secp256k1_keypair.self), &extra)
                        }
                    }
                }
            }
            guard signed == 1 else { throw CryptoError.library("secp256k1_schnorrsig_sign_custom") }
            let signature = try Signature(rawRepresentation: raw)
            guard publicKey.isValidSignature(signature, for: message) else {
                throw CryptoError(.libraryFailure, "a fresh BIP340 signature failed to verify; not releasing it")
            }
            return signature
        }
    }

    /// Throws `.invalidLength` unless `bytes` holds exactly `count` bytes.
    static func checkLength(_ count: Int, _ bytes: some ContiguousBytes, _ what: String) throws(CryptoError) {
        let got = bytes.withUnsafeBytes { $0.count }
        guard got == count else { throw CryptoError.invalidLength(what, expected: count, got: got) }
    }

    /// A copy of `bytes`, which must hold exactly `count` bytes.
    static func copy(exactly count: Int, _ bytes: some ContiguousBytes, _ what: String) throws(CryptoError) -> [UInt8] {
        try checkLength(count, bytes, what)
        return bytes.withUnsafeBytes { [UInt8]($0) }
    }
}
