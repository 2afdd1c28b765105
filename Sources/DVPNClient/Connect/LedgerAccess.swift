import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments

/// The connect's way to the ledger: reads through the light client (proven), transactions to
/// the first node (as every `dvpn` submission; docs/light-client.md). The chain id a
/// transaction signs is the trusted genesis's, never a node's word.
public struct LedgerAccess: Sendable {
    public let light: LightClient
    public let identity: KeyFile.Identity

    public init(light: LightClient, identity: KeyFile.Identity) {
        self.light = light
        self.identity = identity
    }

    public var chainID: String { light.genesis.chainID }
    public var payer: Schnorr.PublicKey { identity.ledgerKey.publicKey }
    var submitter: NodeClient { light.nodes[0] }

    /// A committed transaction's block and receipt.
    public struct Committed: Sendable {
        public let hash: String
        public let height: UInt64
        public let receipt: NodeAPI.Receipt
    }

    /// Signs `call`, submits it to the first node and waits until it is in a block; a refusal or
    /// a failed call is one line.
    public func submit(_ call: ContractCall, what: String) async throws(ClientError) -> Committed {
        do {
            let status = try await submitter.status()
            let account = try await submitter.account(identity.address.string)
            let body = TransactionBody(
                chainID: chainID, sender: payer, nonce: account.pendingNonce, fee: Amount(udvpn: status.minimumFee),
                payload: .contractCall(call))
            let transaction = try body.signed(with: identity.ledgerKey)
            let result = try await submitter.submit(transaction: transaction.canonicalBytes)
            guard result.accepted, let hash = result.hash else {
                throw ClientError(.session, "\(what): the node refused the transaction: \(result.error ?? "no reason given")")
            }
            let committed = try await submitter.waitForCommit(hash: hash)
            guard let receipt = committed.receipt, let height = committed.height else {
                throw ClientError(.session, "\(what): transaction \(hash) has no receipt")
            }
            guard receipt.success else {
                throw ClientError(.session, "\(what): transaction \(hash) failed in block \(height): \(receipt.error ?? "no reason given")")
            }
            return Committed(hash: hash, height: height, receipt: receipt)
        } catch let error as ClientError {
            throw error
        } catch let error as NodeError where error.code == .notFound {
            throw ClientError(.session, "\(what): account \(identity.address.string) has never held funds on this chain")
        } catch let error as NodeError {
            throw ClientError(.unreachable, "\(what): \(error.reason)")
        } catch {
            throw ClientError(.session, "\(what): \(error)")
        }
    }

    /// Every proven channel this client pays, with its decoded record.
    public func myChannels() async throws(ClientError) -> (height: UInt64, channels: [(id: UInt64, record: ChannelRecord)]) {
        let prefix = StateKey.contractStorage(contract: ChannelsContract.name, key: ChannelRecord.keyPrefix).bytes
        let proven = try await light.values(prefix: prefix, what: "channel")
        var channels: [(id: UInt64, record: ChannelRecord)] = []
        for entry in proven.value {
            guard let id = ChannelRecord.id(fromStorageKey: entry.key.dropFirst(prefix.count)),
                let record = ChannelRecord(decoding: entry.value), record.payer == payer
            else { continue }
            channels.append((id, record))
        }
        return (proven.height, channels)
    }

    /// One proven channel record (nil: proven absent).
    public func channelRecord(_ id: UInt64) async throws(ClientError) -> ChannelRecord? {
        let key = StateKey.contractStorage(contract: ChannelsContract.name, key: ChannelRecord.storageKey(id))
        let proven = try await light.value(of: key, what: "channel")
        return try proven.value.map { (bytes) throws(ClientError) in
            guard let record = ChannelRecord(decoding: bytes) else {
                throw ClientError(.verification, "the proven record of channel \(id) does not decode")
            }
            return record
        }
    }

    /// The sum of a receipt's payouts to `address`.
    public static func payouts(_ receipt: NodeAPI.Receipt, to address: AccountAddress) -> UInt64 {
        receipt.payouts.filter { $0.to == address.string }.reduce(0) { $0 &+ $1.amount }
    }
}
