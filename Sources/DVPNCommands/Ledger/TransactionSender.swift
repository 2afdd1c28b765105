import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import DVPNNode

/// Signs a payload with the key file's ledger key, submits it to the node, and (unless told not
/// to) waits until it is in a block.
///
/// The chain id and the minimum fee come from the node's status, the nonce from the account's
/// `pendingNonce`, so consecutive commands queue up behind each other. A refusal by the node
/// (bad nonce, overspend, fee too low…) and a committed-but-failed contract call both end the
/// command with the node's one-line reason.
struct TransactionSender {
    let client: NodeClient
    let identity: KeyFile.Identity

    /// A transaction that was accepted, with where it ended up when the sender waited.
    struct Sent {
        let hash: String
        let height: UInt64?
        let receipt: NodeAPI.Receipt?
    }

    var address: AccountAddress { identity.address }

    func send(_ payload: TransactionPayload, fee: Amount? = nil, wait: Bool = true) async throws -> Sent {
        let status = try await client.status()
        let account = try await AddressArgument.account(address, client: client)
        let chosenFee = fee ?? Amount(udvpn: status.minimumFee)
        let body = TransactionBody(
            chainID: status.chainID, sender: identity.ledgerKey.publicKey, nonce: account.pendingNonce,
            fee: chosenFee, payload: payload)
        let transaction = try body.signed(with: identity.ledgerKey)
        let result = try await client.submit(transaction: transaction.canonicalBytes)
        guard result.accepted, let hash = result.hash else {
            throw CommandFailure("the node refused the transaction: \(result.error ?? "no reason given")")
        }
        guard wait else { return Sent(hash: hash, height: nil, receipt: nil) }
        let committed = try await client.waitForCommit(hash: hash)
        if let receipt = committed.receipt, !receipt.success {
            throw CommandFailure(
                "transaction \(hash) is in block \(committed.height ?? 0) but failed: \(receipt.error ?? "no reason given")")
        }
        return Sent(hash: hash, height: committed.height, receipt: committed.receipt)
    }
}
