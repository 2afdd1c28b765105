import DVPNCrypto

/// The one public error type of DVPNConsensus: an extensible code, a reason that reads as one
/// line, and where it was raised (after swift-certificates' `X509.Error`).
///
/// Expected rejections inside the state machine (a stale vote, a vote from a non-validator) are
/// not errors: they are dropped silently, as Algorithm 1 ignores them. Errors are for checks at the
/// edge: decoding a WAL entry, verifying evidence, signing.
public struct ConsensusError: ModuleError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// Bytes are not the canonical encoding of the expected value.
        public static let malformedEncoding = Code(name: "malformed encoding")
        /// A signature does not verify, or could not be made.
        public static let invalidSignature = Code(name: "invalid signature")
        /// Evidence does not show an equivocation (same signer, same height/round/kind, two blocks).
        public static let invalidEvidence = Code(name: "invalid evidence")

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
