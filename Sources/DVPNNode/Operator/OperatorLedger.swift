import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI

/// What an operator's services need from the ledger: the chain's status, an account, the
/// registry's offers, and submitting a transaction and following it.
///
/// Two implementations: the node's own replica (`LedgerNode`, in process) and a node reached over
/// its HTTP API (`NodeClient`), so an operator can sell bandwidth next to a ledger node it runs
/// or against one it trusts; the services are the same either way.
public protocol OperatorLedger: Sendable {
    func status() async throws(NodeError) -> NodeAPI.Status
    /// The account, or nil when it has never held funds.
    func account(_ address: AccountAddress) async throws(NodeError) -> NodeAPI.Account?
    /// The offer `owner` has in the registry, stale or not.
    func offer(of owner: AccountAddress) async throws(NodeError) -> NodeAPI.Offer?
    /// Offers a signed transaction's canonical bytes; a refusal is a value.
    func submitTransaction(_ bytes: [UInt8]) async throws(NodeError) -> SubmissionOutcome
    func transactionStatus(hash: String) async throws(NodeError) -> NodeAPI.TransactionStatus
}

extension LedgerNode: OperatorLedger {
    public func account(_ address: AccountAddress) async throws(NodeError) -> NodeAPI.Account? {
        do throws(NodeError) {
            return try await account(address: address.string)
        } catch where error.code == .notFound {
            return nil
        }
    }

    public func offer(of owner: AccountAddress) async throws(NodeError) -> NodeAPI.Offer? {
        try await offers(country: nil, maxPricePerGiB: nil).first { $0.operator == owner.string }
    }

    public func submitTransaction(_ bytes: [UInt8]) async throws(NodeError) -> SubmissionOutcome {
        await submit(transaction: bytes)
    }
}

extension NodeClient: OperatorLedger {
    public func account(_ address: AccountAddress) async throws(NodeError) -> NodeAPI.Account? {
        do throws(NodeError) {
            return try await account(address.string)
        } catch where error.code == .notFound {
            return nil
        }
    }

    public func offer(of owner: AccountAddress) async throws(NodeError) -> NodeAPI.Offer? {
        try await offers().first { $0.operator == owner.string }
    }

    public func transactionStatus(hash: String) async throws(NodeError) -> NodeAPI.TransactionStatus {
        try await transaction(hash: hash)
    }

    public func submitTransaction(_ bytes: [UInt8]) async throws(NodeError) -> SubmissionOutcome {
        let result = try await submit(transaction: bytes)
        if result.accepted, let hash = result.hash { return .accepted(hash: hash) }
        return .rejected(reason: result.error ?? "refused without a reason")
    }
}
