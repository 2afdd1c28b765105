import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments

/// The API's reads of contract state: payment channels and operators' offers, decoded from the
/// contracts' storage in the committed state (read only; nothing executes).
extension LedgerNode {
    func channels(payer: String?, payee: String?) async throws(NodeError) -> [NodeAPI.Channel] {
        let payerKey = try payer.map { (text) throws(NodeError) in try Self.parseAddress(text).publicKey }
        let payeeKey = try payee.map { (text) throws(NodeError) in try Self.parseAddress(text).publicKey }
        try requireContract(ChannelsContract.name)
        let rows = try storageRows(contract: ChannelsContract.name, prefix: ChannelRecord.keyPrefix)
        var channels: [NodeAPI.Channel] = []
        for row in rows {
            guard let id = ChannelRecord.id(fromStorageKey: row.suffix),
                  let record = ChannelRecord(decoding: row.value)
            else {
                logger.warning("skipping an undecodable channel record", metadata: ["key": "\(Hex.encode(row.key))"])
                continue
            }
            if let payerKey, record.payer != payerKey { continue }
            if let payeeKey, record.payee != payeeKey { continue }
            channels.append(NodeAPI.Channel(id: id, record: record))
        }
        return channels.sorted { $0.id < $1.id }
    }

    func channel(id: UInt64) async throws(NodeError) -> NodeAPI.Channel {
        guard let record = try await channelRecord(id: id) else { throw NodeError(.notFound, "no channel \(id)") }
        return NodeAPI.Channel(id: id, record: record)
    }

    /// The stored record of a channel, nil when there is none (the session manager's read).
    func channelRecord(id: UInt64) async throws(NodeError) -> ChannelRecord? {
        try requireContract(ChannelsContract.name)
        let key = StateKey.contractStorage(contract: ChannelsContract.name, key: ChannelRecord.storageKey(id))
        let value: [UInt8]?
        do {
            value = try ledger.withState { state in state.value(forKey: key) }
        } catch {
            throw NodeError(.storage, "reading channel \(id): \(error.reason)")
        }
        guard let value else { return nil }
        guard let record = ChannelRecord(decoding: value) else {
            throw NodeError(.storage, "channel \(id) is stored in a form this node cannot read")
        }
        return record
    }

    /// Every storage entry of `contract` whose key starts with `prefix`, with the key's rest: a
    /// range scan of the state's ordered key index on a snapshot, outside the ledger's locks
    /// (`Ledger.entries(withPrefix:)`), so a listing neither copies the whole state nor holds
    /// up block commits.
    func storageRows(contract: String, prefix: [UInt8]) throws(NodeError) -> [(suffix: ArraySlice<UInt8>, key: [UInt8], value: [UInt8])] {
        let full = StateKey.contractStorage(contract: contract, key: prefix).bytes
        return ledger.entries(withPrefix: full).map { ($0.key.dropFirst(full.count), $0.key, $0.value) }
    }

    func requireContract(_ name: String) throws(NodeError) {
        guard genesis.codeHash(ofContract: name) != nil else {
            throw NodeError(.notFound, "chain \(genesis.chainID) has no \(name) contract")
        }
    }
}

extension LedgerNode {
    /// Offers from the `registry` contract, cheapest first; `stale` tells whether the offer's
    /// heartbeat is older than the registry's lifetime at the current height.
    func offers(country: String?, maxPricePerGiB: UInt64?) async throws(NodeError) -> [NodeAPI.Offer] {
        try requireContract(RegistryContract.name)
        let height = ledger.height
        let rows = try storageRows(contract: RegistryContract.name, prefix: OfferRecord.keyPrefix)
        var offers: [NodeAPI.Offer] = []
        for row in rows {
            guard let record = OfferRecord(decoding: row.value) else {
                logger.warning("skipping an undecodable offer record", metadata: ["key": "\(Hex.encode(row.key))"])
                continue
            }
            if let country, record.terms.country != country { continue }
            if let maxPricePerGiB, record.terms.pricePerGiB.udvpn > maxPricePerGiB { continue }
            offers.append(NodeAPI.Offer(record: record, height: height))
        }
        return offers.sorted { ($0.pricePerGiB, $0.operator) < ($1.pricePerGiB, $1.operator) }
    }
}
