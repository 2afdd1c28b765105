import DVPNCrypto

/// The one public error type of DVPNTunnel: an extensible code, a reason that names what was
/// wrong, and where it was raised (after swift-certificates' `X509.Error`).
///
/// Only configuration and parsing of text (addresses, prefixes, endpoints) throw. Packets from the
/// network never throw: a bad packet is an expected rejection, so it is dropped and counted in
/// `TunnelStatistics` instead.
public struct TunnelError: ModuleError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// Text is not a valid IPv4 or IPv6 address.
        public static let invalidAddress = Code(name: "invalid address")
        /// Text is not a valid `address/length` prefix, or the length is out of range.
        public static let invalidPrefix = Code(name: "invalid prefix")
        /// Text is not a valid `host:port` or `[v6]:port` endpoint.
        public static let invalidEndpoint = Code(name: "invalid endpoint")
        /// A configuration change cannot be applied (for example a peer with our own key).
        public static let invalidConfiguration = Code(name: "invalid configuration")
        /// Text is not a valid destination rule (`DestinationRule`, `docs/exit.md`).
        public static let invalidRule = Code(name: "invalid rule")

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
