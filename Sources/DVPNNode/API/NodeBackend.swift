import DVPNNodeAPI

/// What the HTTP API needs from a node: submit a transaction and read state.
///
/// The router only translates between HTTP and these calls, so it holds no ledger logic and never
/// touches the store directly; `LedgerNode` is the implementation that owns the chain. Inputs are
/// the raw text from the request (addresses, hashes) so that parsing and its error messages live
/// in one place, next to the state they refer to.
public protocol NodeBackend: Sendable {
    /// Decodes, validates and queues a transaction; a refusal is a value, not a throw.
    func submit(transaction bytes: [UInt8]) async -> SubmissionOutcome
    func transactionStatus(hash: String) async throws(NodeError) -> NodeAPI.TransactionStatus
    func account(address: String) async throws(NodeError) -> NodeAPI.Account
    /// The block at `height`, or the latest one for nil.
    func block(height: UInt64?) async throws(NodeError) -> NodeAPI.Block
    func status() async throws(NodeError) -> NodeAPI.Status
    func offers(country: String?, maxPricePerGiB: UInt64?) async throws(NodeError) -> [NodeAPI.Offer]
    func channels(payer: String?, payee: String?) async throws(NodeError) -> [NodeAPI.Channel]
    func channel(id: UInt64) async throws(NodeError) -> NodeAPI.Channel
}

/// The outcome of one submission.
public enum SubmissionOutcome: Sendable, Equatable {
    /// In the mempool; the hash is the transaction id (hex).
    case accepted(hash: String)
    /// The bytes are not a transaction at all (bad encoding, too long): HTTP 400.
    case malformed(reason: String)
    /// A well-formed transaction that breaks a rule (signature, chain id, nonce, balance, fee,
    /// duplicate, mempool full): HTTP 422.
    case rejected(reason: String)
}

/// What a light client reads (docs/light-client.md): signed headers and proven state.
///
/// Separate from `NodeBackend` so that a backend written before these routes still conforms;
/// the router serves them only for backends that provide them.
public protocol LightClientBackend: NodeBackend {
    /// Headers `from`…min(`to`, tip), at most `NodeAPI.maximumHeadersPerRequest`.
    func headers(from: UInt64, to: UInt64) async throws(NodeError) -> NodeAPI.HeaderRange
    /// One key's value or absence with its proof, at `height` (nil: the latest block).
    func state(key: [UInt8], height: UInt64?) async throws(NodeError) -> NodeAPI.ProvenState
    /// Every key starting with `prefix`, each with its proof, all at one height.
    func state(prefix: [UInt8], height: UInt64?) async throws(NodeError) -> NodeAPI.ProvenState
}
