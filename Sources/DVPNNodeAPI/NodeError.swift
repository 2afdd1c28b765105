import DVPNCrypto

/// The public error type of talking to a node: raised by the API's client (`NodeClient`) and by
/// the node itself (DVPNNode throws this same type, so that an API answer and a local failure
/// read alike), in the style of `LedgerError` and `CryptoError`: an extensible code, a reason a
/// person can act on, and where it was raised.
///
/// The HTTP API maps codes to status codes (`badRequest` → 400, `notFound` → 404, `rejected` → 422),
/// and the CLI prints `reason` on one line.
public struct NodeError: ModuleError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// A request or a response could not be parsed (bad JSON, bad hex, bad address…).
        public static let badRequest = Code(name: "bad request")
        /// What was asked for does not exist (no block at that height, no such channel).
        public static let notFound = Code(name: "not found")
        /// A transaction was refused by the ledger rules (signature, nonce, balance, chain id…).
        public static let rejected = Code(name: "rejected")
        /// An operator refused a session request (HTTP 403; the reason names the
        /// `AdmissionRefusal`).
        public static let refused = Code(name: "refused")
        /// The node could not be reached or answered with something unexpected.
        public static let unreachable = Code(name: "unreachable")
        /// Setting up the node failed (data directory, genesis, key file, contracts).
        public static let configuration = Code(name: "configuration")
        /// The node's store failed underneath it.
        public static let storage = Code(name: "storage")
        /// Waiting for something (a transaction to be committed) took longer than allowed.
        public static let timeout = Code(name: "timeout")

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
