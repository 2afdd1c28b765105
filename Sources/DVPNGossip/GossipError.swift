import DVPNCrypto

/// The one public error type of DVPNGossip (after swift-certificates' `X509.Error`).
///
/// Everything a remote peer sends that is wrong (a frame too long, an envelope that does not
/// decode, a handshake that does not authenticate) is raised as one of these at the edge, and
/// turned into a penalty for that peer: it never traps and never reaches the node as anything but
/// a score change or a closed link.
public struct GossipError: ModuleError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// A frame announced a length above the configured maximum.
        public static let frameTooLarge = Code(name: "frame too large")
        /// A frame or envelope does not decode (truncated, unknown kind, trailing bytes…).
        public static let malformedMessage = Code(name: "malformed message")
        /// The Noise handshake failed or the peer could not prove its ledger identity.
        public static let handshakeFailed = Code(name: "handshake failed")
        /// A transport message did not decrypt under the link's keys.
        public static let decryptionFailed = Code(name: "decryption failed")
        /// The configuration cannot be used (a bad address, a zero limit, an invalid chain id).
        public static let invalidConfiguration = Code(name: "invalid configuration")
        /// The peer is banned, or a limit (inbound or outbound peers) is reached.
        public static let refused = Code(name: "refused")

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
