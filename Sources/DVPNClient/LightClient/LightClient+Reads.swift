import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments

/// One state entry whose membership was proven.
public struct ProvenEntry: Sendable, Equatable {
    public let key: [UInt8]
    public let value: [UInt8]
}

/// Proven reads: every value comes with a proof against the state root of a verified header
/// (syncing the header chain from the same node first when its answer is newer).
extension LightClient {
    /// The value of `key` (nil: proven absent). `what` names the value in a lie's reason
    /// ("balance proof does not match …").
    public func value(of key: StateKey, what: String) async throws(ClientError) -> Proven<[UInt8]?> {
        let bytes = key.bytes
        return try await askNodes { (node) throws(ClientError) in
            let answer = try await Self.call(node) { (n) throws(NodeError) in try await n.state(key: bytes) }
            guard answer.entries.count == 1, let entry = answer.entries.first else {
                throw ClientError(.verification, "it answered \(answer.entries.count) entries for one \(what)")
            }
            let header = try await self.verifiedHeader(at: answer.height, from: node)
            let value: [UInt8]?
            do {
                value = try ProofCheck.verify(entry, key: bytes, root: header.stateRoot)
            } catch {
                throw ClientError(.verification, "\(what) proof does not match the state root of verified block \(header.height)")
            }
            return Proven(value: value, height: header.height, blockHash: header.hash, node: node.baseURL.absoluteString)
        }
    }

    /// Every entry whose state key starts with `prefix`, each proven. Completeness is not proven:
    /// a node can leave entries out (docs/light-client.md).
    public func values(prefix: [UInt8], what: String) async throws(ClientError) -> Proven<[ProvenEntry]> {
        try await askNodes { (node) throws(ClientError) in
            let answer = try await Self.call(node) { (n) throws(NodeError) in try await n.state(prefix: prefix) }
            let header = try await self.verifiedHeader(at: answer.height, from: node)
            var entries: [ProvenEntry] = []
            for proven in answer.entries {
                let checked: (key: [UInt8], value: [UInt8]?)
                do {
                    checked = try ProofCheck.verify(proven, root: header.stateRoot)
                } catch {
                    throw ClientError(.verification, "\(what) proof does not match the state root of verified block \(header.height)")
                }
                guard checked.key.starts(with: prefix), let value = checked.value else {
                    throw ClientError(.verification, "it listed state key \(proven.key.prefix(80)) as a present \(what) under prefix \(Hex.encode(prefix))")
                }
                guard !entries.contains(where: { $0.key == checked.key }) else {
                    throw ClientError(.verification, "it listed the \(what) at state key \(proven.key.prefix(80)) twice")
                }
                entries.append(ProvenEntry(key: checked.key, value: value))
            }
            return Proven(value: entries, height: header.height, blockHash: header.hash, node: node.baseURL.absoluteString)
        }
    }

    // MARK: Accounts, offers, channels

    /// The account (nil: proven absent, the address never held funds).
    public func account(_ address: AccountAddress) async throws(ClientError) -> Proven<Account?> {
        let proven = try await value(of: .account(address.publicKey), what: "balance")
        let account = try proven.value.map { (bytes) throws(ClientError) in
            do { return try Account(canonicalBytes: bytes) } catch {
                throw ClientError(.verification, "the proven account of \(address.string) does not decode: \(error)")
            }
        }
        return Proven(value: account, height: proven.height, blockHash: proven.blockHash, node: proven.node)
    }

    /// Every offer in the registry's proven storage (undecodable records are left out, as the
    /// node's own listing does).
    public func offerRecords() async throws(ClientError) -> Proven<[OfferRecord]> {
        let prefix = StateKey.contractStorage(contract: RegistryContract.name, key: OfferRecord.keyPrefix).bytes
        let proven = try await values(prefix: prefix, what: "offer")
        return Proven(value: proven.value.compactMap { OfferRecord(decoding: $0.value) },
                      height: proven.height, blockHash: proven.blockHash, node: proven.node)
    }

    /// Offers as the API shows them, cheapest first, `stale` judged at the proven height.
    public func offers(country: String? = nil, maxPricePerGiB: UInt64? = nil) async throws(ClientError) -> Proven<[NodeAPI.Offer]> {
        let records = try await offerRecords()
        let offers = records.value
            .filter { country == nil || $0.terms.country == country }
            .filter { record in maxPricePerGiB.map { record.terms.pricePerGiB.udvpn <= $0 } ?? true }
            .map { NodeAPI.Offer(record: $0, height: records.height) }
            .sorted { ($0.pricePerGiB, $0.operator) < ($1.pricePerGiB, $1.operator) }
        return Proven(value: offers, height: records.height, blockHash: records.blockHash, node: records.node)
    }

    /// One channel (nil: proven absent).
    public func channel(id: UInt64) async throws(ClientError) -> Proven<NodeAPI.Channel?> {
        let key = StateKey.contractStorage(contract: ChannelsContract.name, key: ChannelRecord.storageKey(id))
        let proven = try await value(of: key, what: "channel")
        let channel = try proven.value.map { (bytes) throws(ClientError) in
            guard let record = ChannelRecord(decoding: bytes) else {
                throw ClientError(.verification, "the proven record of channel \(id) does not decode")
            }
            return NodeAPI.Channel(id: id, record: record)
        }
        return Proven(value: channel, height: proven.height, blockHash: proven.blockHash, node: proven.node)
    }

    /// Channels, by id, optionally only those of one payer and/or payee.
    public func channels(payer: AccountAddress? = nil, payee: AccountAddress? = nil) async throws(ClientError) -> Proven<[NodeAPI.Channel]> {
        let prefix = StateKey.contractStorage(contract: ChannelsContract.name, key: ChannelRecord.keyPrefix).bytes
        let proven = try await values(prefix: prefix, what: "channel")
        var channels: [NodeAPI.Channel] = []
        for entry in proven.value {
            guard let id = ChannelRecord.id(fromStorageKey: entry.key.dropFirst(prefix.count)),
                  let record = ChannelRecord(decoding: entry.value) else { continue }
            if let payer, record.payer != payer.publicKey { continue }
            if let payee, record.payee != payee.publicKey { continue }
            channels.append(NodeAPI.Channel(id: id, record: record))
        }
        return Proven(value: channels.sorted { $0.id < $1.id }, height: proven.height, blockHash: proven.blockHash, node: proven.node)
    }
}
