import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments

/// The API's reads of blocks, transactions, accounts and the chain's status.
extension LedgerNode: NodeBackend {
    func status() async throws(NodeError) -> NodeAPI.Status {
        let position = ledger.position
        return NodeAPI.Status(
            chainID: genesis.chainID, latestHeight: position.height, latestHash: position.blockHash.hex,
            latestTime: position.time.millisecondsSince1970,
            validator: AccountAddress(publicKey: nodeKey.publicKey).string, mempoolSize: ledger.mempoolCount,
            minimumFee: genesis.params.minFee.udvpn, peers: network.connectedPeerCount, isValidator: isValidator)
    }

    /// An account that has never held funds nor sent a transaction does not exist on the ledger:
    /// the answer is 404 "unknown address", so a typo is not mistaken for an empty wallet.
    func account(address text: String) async throws(NodeError) -> NodeAPI.Account {
        let address = try Self.parseAddress(text)
        let account = ledger.account(address)
        guard account.balance != .zero || account.nonce != 0 else {
            throw NodeError(.notFound, "unknown address \(address.string): it has never held funds on this chain")
        }
        return NodeAPI.Account(
            address: address.string, balance: account.balance.udvpn, nonce: account.nonce,
            pendingNonce: ledger.nextNonce(for: address.publicKey))
    }

    func block(height requested: UInt64?) async throws(NodeError) -> NodeAPI.Block {
        let tip = ledger.height
        let height = requested ?? tip
        guard height >= 1 else { throw NodeError(.notFound, "the chain has no block yet") }
        guard height <= tip else { throw NodeError(.notFound, "no block at height \(height); the latest is \(tip)") }
        let block: Block
        let receipts: [Receipt]
        do {
            guard let stored = try ledger.store.block(at: height) else {
                throw NodeError(.notFound, "no block at height \(height)")
            }
            block = stored
            receipts = try ledger.store.receipts(at: height)
        } catch let error as NodeError {
            throw error
        } catch {
            throw NodeError(.storage, "reading block \(height): \(error)")
        }
        return NodeAPI.Block(block: block, receipts: receipts)
    }

    func transactionStatus(hash text: String) async throws(NodeError) -> NodeAPI.TransactionStatus {
        let id: Hash256
        do {
            id = try Hash256(hex: text)
        } catch {
            throw NodeError(.badRequest, "transaction id '\(text.prefix(80))' is not 64 hex digits")
        }
        do {
            if let location = try ledger.store.transactionLocation(id) {
                let receipts = try ledger.store.receipts(at: location.height)
                let receipt = location.index < receipts.count ? receipts[location.index] : nil
                return NodeAPI.TransactionStatus(
                    hash: id.hex, status: .committed, height: location.height,
                    receipt: receipt.map { Self.receipt($0, detail: failureDetails.detail(for: id)) })
            }
        } catch {
            throw NodeError(.storage, "looking up transaction \(id.hex): \(error.reason)")
        }
        return NodeAPI.TransactionStatus(hash: id.hex, status: ledger.isPending(id) ? .pending : .unknown)
    }

    // MARK: Conversions

    static func parseAddress(_ text: String) throws(NodeError) -> AccountAddress {
        do {
            return try AccountAddress(string: text)
        } catch {
            throw NodeError(.badRequest, "'\(text.prefix(100))' is not a dvpn1… address: \(error.reason)")
        }
    }

    /// The API form of a receipt; a failure shows this node's own explanation (`detail`) when it
    /// executed the transaction, else the description of the hashed code.
    static func receipt(_ stored: Receipt, detail: String? = nil) -> NodeAPI.Receipt {
        var receipt = stored
        if receipt.detail == nil { receipt.detail = detail }
        let error = receipt.failureDescription
        return NodeAPI.Receipt(
            success: receipt.succeeded, error: error, fee: receipt.feeCharged.udvpn,
            fuelUsed: receipt.fuelUsed, returnValue: receipt.returnData.isEmpty ? nil : Hex.encode(receipt.returnData),
            events: receipt.events.map { NodeAPI.Event(contract: $0.contract, name: String(decoding: $0.topic, as: UTF8.self), data: Hex.encode($0.data)) },
            payouts: receipt.payouts.map {
                NodeAPI.Payout(contract: $0.contract, to: $0.to.string, amount: $0.amount.udvpn)
            })
    }
}
