import Foundation

/// The on-disk form of a participant's two identities: the ledger key (BIP340 Schnorr) and the
/// tunnel key (X25519, as WireGuard uses).
///
/// Format (JSON, version 1):
/// ```
/// { "version": 1, "protected": true,
///   "address": "dvpn1…", "tunnelPublicKey": "<base64>",
///   "kdf": { "name": "argon2id13", "opsLimit": 2, "memLimit": 67108864, "salt": "<base64>" },
///   "cipher": "xchacha20poly1305", "nonce": "<base64 24 bytes>", "ciphertext": "<base64>" }
/// ```
/// The plaintext is the 32-byte Schnorr secret followed by the 32-byte X25519 secret. The
/// associated data binds the version, the protection flag, both public keys and the KDF
/// parameters, so none of them can be swapped without the open failing. Files are written with
/// mode 0600 through a temporary file and an atomic rename, then the directory is synced.
public enum KeyFile {
    public static let currentVersion = 1
    public static let fileMode: mode_t = 0o600

    /// The two identities a key file holds.
    public struct Identity: Sendable {
        public let ledgerKey: Schnorr.PrivateKey
        public let tunnelKey: X25519.PrivateKey

        public init(ledgerKey: Schnorr.PrivateKey, tunnelKey: X25519.PrivateKey) {
            self.ledgerKey = ledgerKey
            self.tunnelKey = tunnelKey
        }

        /// Two fresh random identities.
        public static func generate() -> Identity {
            Identity(ledgerKey: Schnorr.PrivateKey(), tunnelKey: X25519.PrivateKey())
        }

        public var address: AccountAddress { AccountAddress(publicKey: ledgerKey.publicKey) }
    }

    struct Document: Codable {
        var version: Int
        var protected: Bool
        var address: String
        var tunnelPublicKey: String
        var kdf: PasswordKDF
        var cipher: String
        var nonce: String
        var ciphertext: String

        var associatedData: [UInt8] {
            Array("dvpn-keyfile/v\(version)|\(protected)|\(address)|\(tunnelPublicKey)|\(kdf.name)|\(kdf.opsLimit)|\(kdf.memLimit)|\(kdf.salt)|\(cipher)".utf8)
        }
    }

    static let cipherName = "xchacha20poly1305"
    static let maxFileSize = 64 * 1024

    /// Encrypts `identity` under `passphrase` and writes it atomically to `path` with mode 0600.
    /// Refuses to replace an existing file unless `overwrite` is true.
    public static func write(
        _ identity: Identity, to path: String, passphrase: Passphrase, overwrite: Bool = false
    ) throws(CryptoError) {
        let kdf = PasswordKDF.fresh()
        let nonce = SecureRandom.bytes(count: XChaChaPoly.nonceByteCount)
        var document = Document(
            version: currentVersion, protected: passphrase.isProtected,
            address: identity.address.string, tunnelPublicKey: identity.tunnelKey.publicKey.base64,
            kdf: kdf, cipher: cipherName, nonce: Base64.encode(nonce), ciphertext: "")
        let key = try kdf.deriveKey(from: passphrase)
        var plaintext = identity.ledgerKey.secret.unsafeCopy() + identity.tunnelKey.secret.unsafeCopy()
        defer { SecureZero.zero(&plaintext) }
        let sealed = try XChaChaPoly.seal(plaintext, key: key, nonce: nonce, authenticating: document.associatedData)
        document.ciphertext = Base64.encode(sealed)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(document) } catch {
            throw CryptoError(.io, "cannot encode key file: \(error)")
        }
        try AtomicFile.write(Array(data) + [0x0A], to: path, mode: fileMode, overwrite: overwrite)
    }

    /// Reads and decrypts the key file at `path`. An unprotected file (written with `.none`)
    /// opens without a passphrase; a protected one needs the right passphrase.
    public static func read(at path: String, passphrase: Passphrase) throws(CryptoError) -> Identity {
        let document = try load(at: path)
        let key = try document.kdf.deriveKey(from: document.protected ? passphrase : .none)
        guard let nonce = Base64.decode(document.nonce), nonce.count == XChaChaPoly.nonceByteCount,
              let sealed = Base64.decode(document.ciphertext)
        else {
            throw CryptoError(.invalidEncoding, "key file \(path) is malformed: bad nonce or ciphertext")
        }
        var plaintext: [UInt8]
        do {
            plaintext = try XChaChaPoly.open(sealed, key: key, nonce: nonce, authenticating: document.associatedData)
        } catch {
            if document.protected, case .none = passphrase {
                throw CryptoError(.wrongPassphrase, "key file \(path) is protected: a passphrase is needed")
            }
            throw CryptoError(.wrongPassphrase, "wrong passphrase for key file \(path) (or the file was altered)")
        }
        defer { SecureZero.zero(&plaintext) }
        guard plaintext.count == 64 else {
            throw CryptoError(.invalidEncoding, "key file \(path) holds \(plaintext.count) secret bytes, expected 64")
        }
        let identity = Identity(
            ledgerKey: try Schnorr.PrivateKey(rawRepresentation: plaintext[0..<32]),
            tunnelKey: try X25519.PrivateKey(rawRepresentation: plaintext[32..<64]))
        guard identity.address.string == document.address,
              identity.tunnelKey.publicKey.base64 == document.tunnelPublicKey
        else {
            throw CryptoError(.invalidKey, "key file \(path) is inconsistent: its public keys do not match its secrets")
        }
        return identity
    }

    /// Whether the file at `path` needs a passphrase (so callers prompt only when necessary).
    public static func isProtected(at path: String) throws(CryptoError) -> Bool {
        try load(at: path).protected
    }

    static func load(at path: String) throws(CryptoError) -> Document {
        let bytes = try AtomicFile.read(path, maxSize: maxFileSize)
        return try parse(bytes, path: path)
    }

    /// Parses a key file's JSON strictly: unknown versions and ciphers are refused by name.
    static func parse(_ bytes: [UInt8], path: String) throws(CryptoError) -> Document {
        struct VersionProbe: Decodable { var version: Int }
        let data = Data(bytes)
        guard let probe = try? JSONDecoder().decode(VersionProbe.self, from: data) else {
            throw CryptoError(.invalidEncoding, "key file \(path) is not a dvpn key file (malformed or truncated JSON)")
        }
        guard probe.version == currentVersion else {
            throw CryptoError(.unsupportedVersion, "key file \(path) has format version \(probe.version); this build reads version \(currentVersion)")
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: data) else {
            throw CryptoError(.invalidEncoding, "key file \(path) is malformed: missing or mistyped fields")
        }
        guard document.cipher == cipherName else {
            throw CryptoError(.unsupportedVersion, "key file \(path) uses unknown cipher '\(document.cipher)'")
        }
        return document
    }
}
