import DVPNCrypto
import DVPNLedger

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
            channels.append(record.view(id: id))
        }
        return channels.sorted { $0.id < $1.id }
    }

    func channel(id: UInt64) async throws(NodeError) -> NodeAPI.Channel {
        try requireContract(ChannelsContract.name)
        let key = StateKey.contractStorage(contract: ChannelsContract.name, key: ChannelRecord.storageKey(id))
        let value: [UInt8]?
        do {
            value = try ledger.withState { state in state.value(forKey: key) }
        } catch {
            throw NodeError(.storage, "reading channel \(id): \(error.reason)")
        }
        guard let value else { throw NodeError(.notFound, "no channel \(id)") }
        guard let record = ChannelRecord(decoding: value) else {
            throw NodeError(.storage, "channel \(id) is stored in a form this node cannot read")
        }
        return record.view(id: id)
    }

    /// Every storage entry of `contract` whose key starts with `prefix`, with the key's rest.
    /// (A scan of the state: fine for a dev node's size; an index would replace it at scale.)
    func storageRows(contract: String, prefix: [UInt8]) throws(NodeError) -> [(suffix: ArraySlice<UInt8>, key: [UInt8], value: [UInt8])] {
        let full = StateKey.contractStorage(contract: contract, key: prefix).bytes
        do {
            return try ledger.withState { state in
                state.entries.filter { $0.key.starts(with: full) }.map { ($0.key.dropFirst(full.count), $0.key, $0.value) }
            }
        } catch {
            throw NodeError(.storage, "reading the \(contract) contract's storage: \(error.reason)")
        }
    }

    func requireContract(_ name: String) throws(NodeError) {
        guard genesis.codeHash(ofContract: name) != nil else {
            throw NodeError(.notFound, "chain \(genesis.chainID) has no \(name) contract")
        }
    }
}

/// A channel as the `channels` contract stores it under `"ch" ‖ id (u64 BE)`: payer[32],
/// payee[32], clientTunnelKey[32], deposit, redeemed, expiry, openedAt (u64 BE each), status (u8:
/// 0 open, 1 closing, 2 settled), settleAfter (u64 BE).
struct ChannelRecord: Equatable {
    static let keyPrefix = Array("ch".utf8)

    var payer: Schnorr.PublicKey
    var payee: Schnorr.PublicKey
    var clientTunnelKey: [UInt8]
    var deposit: UInt64
    var redeemed: UInt64
    var expiry: UInt64
    var openedAt: UInt64
    var status: UInt8
    var settleAfter: UInt64

    static func storageKey(_ id: UInt64) -> [UInt8] { keyPrefix + ChannelsContract.idArgument(id) }

    static func id(fromStorageKey suffix: ArraySlice<UInt8>) -> UInt64? {
        guard suffix.count == 8 else { return nil }
        return suffix.reduce(0) { $0 << 8 | UInt64($1) }
    }

    init?(decoding bytes: [UInt8]) {
        var decoder = CanonicalDecoder(bytes)
        do {
            payer = try Schnorr.PublicKey(rawRepresentation: try decoder.decodeFixed(count: 32))
            payee = try Schnorr.PublicKey(rawRepresentation: try decoder.decodeFixed(count: 32))
            clientTunnelKey = try decoder.decodeFixed(count: 32)
            deposit = try decoder.decodeUInt64()
            redeemed = try decoder.decodeUInt64()
            expiry = try decoder.decodeUInt64()
            openedAt = try decoder.decodeUInt64()
            status = try decoder.decodeUInt8()
            settleAfter = try decoder.decodeUInt64()
            try decoder.finish()
        } catch {
            return nil
        }
        guard status <= 2 else { return nil }
    }

    func view(id: UInt64) -> NodeAPI.Channel {
        NodeAPI.Channel(
            id: id, payer: AccountAddress(publicKey: payer).string, payee: AccountAddress(publicKey: payee).string,
            deposit: deposit, redeemed: redeemed, expiryHeight: expiry,
            settlementHeight: status == 1 ? settleAfter : nil, tunnelKey: Base64.encode(clientTunnelKey),
            state: ["open", "closing", "settled"][Int(status)])
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
            offers.append(record.view(height: height))
        }
        return offers.sorted { ($0.pricePerGiB, $0.operator) < ($1.pricePerGiB, $1.operator) }
    }
}
