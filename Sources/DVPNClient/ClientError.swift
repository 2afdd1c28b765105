import DVPNCrypto

/// The public error type of the client module (the light client, `dvpn connect` and its sessions), in
/// the shape of every module's error (`ModuleError`): an extensible code, a one-line reason that
/// the CLI prints as is, and where it was raised.
public struct ClientError: ModuleError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// No usable genesis file: the only thing a light client trusts.
        public static let genesis = Code(name: "genesis")
        /// The client's own data (the verified header chain) could not be read or written.
        public static let storage = Code(name: "storage")
        /// A node's answer failed a check: a header, a commit or a proof does not verify. The
        /// reason names the check; the node is a liar, not merely down.
        public static let verification = Code(name: "verification")
        /// A node could not be reached, refused, or answered something unreadable or stale.
        public static let unreachable = Code(name: "unreachable")
        /// Every node in the list failed or lied.
        public static let noHonestNode = Code(name: "no honest node")
        /// The caller asked for something malformed (a key, an address).
        public static let badRequest = Code(name: "bad request")
        /// `dvpn connect`: no fresh offer matches the country, price or operator asked for.
        public static let noMatchingOffer = Code(name: "no matching offer")
        /// `dvpn connect`: the chosen operator's session API does not answer or refused.
        public static let operatorUnreachable = Code(name: "operator unreachable")
        /// `dvpn connect`: the operator broke the session protocol (a grant or receipt that does
        /// not verify, a price above its offer) or cut the session off.
        public static let session = Code(name: "session")
        /// `dvpn connect`: the local system (routes, DNS, the tunnel, the status file) failed.
        public static let system = Code(name: "system")

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
