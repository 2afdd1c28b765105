import DVPNCrypto

/// The one public error type of DVPNLedger: an extensible code, a reason that names what was
/// wrong, and where it was raised (after swift-certificates' `X509.Error`).
public struct LedgerError: ModuleError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// Input bytes are not a canonical encoding of the expected type.
        public static let malformedEncoding = Code(name: "malformed encoding")
        /// A value is outside the range its type allows (too long, too large, unknown tag).
        public static let outOfRange = Code(name: "out of range")
        /// A signature or a signer is wrong.
        public static let invalidSignature = Code(name: "invalid signature")
        /// A ledger rule was broken (nonce, balance, fee, commit power…).
        public static let ruleViolation = Code(name: "rule violation")
        /// The store could not be read or written.
        public static let storage = Code(name: "storage")

        public var description: String { name }
    }

    public let code: Code
    public let reason: String
    public let file: String
    public let line: UInt

    @inline(never)
    public init(_ code: Code, _ reason: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }
}
