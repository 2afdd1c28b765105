/// The wire shapes a light client reads (docs/light-client.md): signed headers by range and
/// state values with Merkle proofs. Everything that is hashed or signed travels as the hex of its
/// canonical encoding (docs/encoding.md), so the client checks exactly the bytes the chain hashed
/// and never a re-encoding of JSON.
///
/// | method | path | answer |
/// |---|---|---|
/// | GET | `/v1/headers?from=H&to=H` | `HeaderRange` (at most `maximumHeadersPerRequest` headers) |
/// | GET | `/v1/state/{key-hex}[?height=H]` | `ProvenState` (one entry: the value or its absence) |
/// | GET | `/v1/state?prefix=HEX[&height=H]` | `ProvenState` (every key with that prefix, at most `maximumStateEntries`) |
extension NodeAPI {
    /// The most headers one `/v1/headers` answer carries; a client asks again from where it ends.
    public static let maximumHeadersPerRequest: UInt64 = 500
    /// The most entries one prefix answer carries; more is refused (ask a narrower prefix).
    public static let maximumStateEntries = 1_000

    /// A block header with the commit that finalised it.
    public struct SignedHeader: Codable, Sendable, Equatable {
        public var height: UInt64
        /// Hex of the canonical `BlockHeader`; the block hash is its tagged SHA-256.
        public var header: String
        /// Hex of the canonical `Commit` stored for this height.
        public var commit: String
        /// Only when this header's `validatorSetHash` differs from the previous header's (the set
        /// changed): the new set (key `02`, value the canonical `ValidatorSet`) with its proof
        /// against the state root of header `height - 1`, after whose transactions it took force.
        public var validatorSet: ProvenValue?

        public init(height: UInt64, header: String, commit: String, validatorSet: ProvenValue? = nil) {
            self.height = height
            self.header = header
            self.commit = commit
            self.validatorSet = validatorSet
        }
    }

    /// `GET /v1/headers?from=H&to=H`: the headers from `from` up to `to` or the node's tip
    /// (whichever is lower), at most `maximumHeadersPerRequest` of them, in height order.
    public struct HeaderRange: Codable, Sendable, Equatable {
        /// The node's latest height when it answered.
        public var latestHeight: UInt64
        public var headers: [SignedHeader]

        public init(latestHeight: UInt64, headers: [SignedHeader]) {
            self.latestHeight = latestHeight
            self.headers = headers
        }
    }

    /// One state key's value (or absence) with the proof under some state root.
    public struct ProvenValue: Codable, Sendable, Equatable {
        /// Hex of the state key bytes (`StateKey.bytes`).
        public var key: String
        /// Hex of the value; nil when the key holds nothing (the proof then proves absence).
        public var value: String?
        /// Hex of the canonical `StateProof`.
        public var proof: String

        public init(key: String, value: String?, proof: String) {
            self.key = key
            self.value = value
            self.proof = proof
        }
    }

    /// State values proven against the state root of header `height` (the state after that
    /// block's transactions).
    public struct ProvenState: Codable, Sendable, Equatable {
        public var height: UInt64
        public var entries: [ProvenValue]

        public init(height: UInt64, entries: [ProvenValue]) {
            self.height = height
            self.entries = entries
        }
    }
}
