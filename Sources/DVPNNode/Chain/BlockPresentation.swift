import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI

/// A stored block in the API's form. Shared by the node's `GET /v1/blocks/…` and by
/// `dvpn ledger show --data-dir`, which reads a replica offline: both print the same fields, so
/// the two can be compared.
extension NodeAPI.Block {
    public init(block: DVPNLedger.Block, receipts: [DVPNLedger.Receipt]) {
        let header = block.header
        self.init(
            height: header.height, hash: block.hash.hex, time: header.time.millisecondsSince1970,
            previousHash: header.previousBlockHash.hex, transactionsRoot: header.transactionsRoot.hex,
            stateRoot: header.stateRoot.hex, validatorSetHash: header.validatorSetHash.hex,
            proposer: AccountAddress(publicKey: header.proposer).string,
            lastCommitSignatures: block.lastCommit?.signatures.count ?? 0,
            transactions: block.transactions.enumerated().map { index, tx in
                NodeAPI.TransactionSummary(
                    hash: tx.id.hex, sender: tx.senderAddress.string, nonce: tx.nonce, fee: tx.fee.udvpn,
                    kind: Self.kind(of: tx.payload), summary: Self.summary(of: tx.payload),
                    success: index < receipts.count ? receipts[index].succeeded : false)
            })
    }

    static func kind(of payload: DVPNLedger.TransactionPayload) -> String {
        switch payload {
        case .transfer: "transfer"
        case .contractCall: "call"
        case .validatorUpdate: "validators"
        case .evidence: "evidence"
        }
    }

    static func summary(of payload: DVPNLedger.TransactionPayload) -> String {
        switch payload {
        case .transfer(let to, let amount):
            "transfer \(amount) to \(to.string)"
        case .contractCall(let call):
            call.attachedFunds == .zero
                ? "\(call.contract).\(call.method)" : "\(call.contract).\(call.method) with \(call.attachedFunds)"
        case .validatorUpdate:
            "validator set update"
        case .evidence(let evidence):
            "evidence against validator \(AccountAddress(publicKey: evidence.offender).string) at height \(evidence.height)"
        }
    }
}
