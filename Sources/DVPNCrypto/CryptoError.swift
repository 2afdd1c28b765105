/// The one public error type of DVPNCrypto.
///
/// Modelled on swift-certificates' `X509.Error`: an extensible code, a human-readable reason, and
/// the place it was raised. Expected rejections (a failed authentication tag, an invalid
/// signature) are reported through this type, never by trapping, because their inputs usually come
/// from the network or from disk.
public struct CryptoError: ModuleError {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Backing: Hashable, Sendable {
            case invalidKey
            case invalidLength
            case authenticationFailed
            case invalidSignature
            case weakSharedSecret
            case invalidEncoding
            case wrongPassphrase
            case unsupportedVersion
            case io
            case libraryFailure
            case invalidMessage
            case invalidState
        }

        fileprivate let backing: Backing

        /// A key's bytes are not a valid key (wrong length, not on the curve, zero scalar…).
        public static let invalidKey = Code(backing: .invalidKey)
        /// An input has a length the primitive does not accept.
        public static let invalidLength = Code(backing: .invalidLength)
        /// An AEAD tag did not verify: the ciphertext, nonce, key or associated data differ.
        public static let authenticationFailed = Code(backing: .authenticationFailed)
        /// A signature does not verify, or is malformed.
        public static let invalidSignature = Code(backing: .invalidSignature)
        /// X25519 produced the all-zero output (a low-order peer point), RFC 7748 §6.1.
        public static let weakSharedSecret = Code(backing: .weakSharedSecret)
        /// A textual or binary encoding (bech32m, base64, key file JSON) is malformed.
        public static let invalidEncoding = Code(backing: .invalidEncoding)
        /// A key file could not be decrypted with the given passphrase.
        public static let wrongPassphrase = Code(backing: .wrongPassphrase)
        /// A key file declares a format version this build does not read.
        public static let unsupportedVersion = Code(backing: .unsupportedVersion)
        /// Reading or writing a file failed.
        public static let io = Code(backing: .io)
        /// A C library returned an unexpected failure.
        public static let libraryFailure = Code(backing: .libraryFailure)
        /// A protocol message (a Noise handshake message) is too short or too long for its pattern.
        public static let invalidMessage = Code(backing: .invalidMessage)
        /// An operation was called out of turn: a Noise message written or read by the wrong side,
        /// after the handshake, or a cipher whose nonces are used up.
        public static let invalidState = Code(backing: .invalidState)

        public var description: String {
            switch backing {
            case .invalidKey: "invalid key"
            case .invalidLength: "invalid length"
            case .authenticationFailed: "authentication failed"
            case .invalidSignature: "invalid signature"
            case .weakSharedSecret: "weak shared secret"
            case .invalidEncoding: "invalid encoding"
            case .wrongPassphrase: "wrong passphrase"
            case .unsupportedVersion: "unsupported version"
            case .io: "i/o error"
            case .libraryFailure: "library failure"
            case .invalidMessage: "invalid message"
            case .invalidState: "invalid state"
            }
        }
    }

    public let code: Code
    public let reason: String
    public let file: String
    public let line: UInt

    /// Builds an error; prefer the named factories below.
    @inline(never)
    public init(_ code: Code, _ reason: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }
}

extension CryptoError {
    @inline(never)
    static func invalidLength(
        _ what: String, expected: Int, got: Int, file: String = #fileID, line: UInt = #line
    ) -> CryptoError {
        CryptoError(.invalidLength, "\(what) must be \(expected) bytes, got \(got)", file: file, line: line)
    }

    @inline(never)
    static func library(_ call: String, file: String = #fileID, line: UInt = #line) -> CryptoError {
        CryptoError(.libraryFailure, "\(call) failed", file: file, line: line)
    }
}
