import DVPNCrypto
import Foundation

/// The genesis file: human-readable JSON with snake_case keys, "dvpn1…" addresses, DVPN decimal
/// amounts and hex code hashes.
///
/// ```json
/// {
///   "chain_id": "dvpn-devnet-1",
///   "genesis_time": "2025-01-01T00:00:00Z",
///   "validators": [{ "address": "dvpn1…", "power": 10 }],
///   "balances": [{ "address": "dvpn1…", "amount": "1000000" }],
///   "contracts": [{ "name": "channels", "code_sha256": "…" }, { "name": "registry", "code_sha256": "…" }],
///   "params": { "max_block_bytes": 1048576, "max_txs_per_block": 5000, "max_tx_bytes": 65536,
///               "min_fee": "0.001", "fuel_per_udvpn": 1000, "max_fuel_per_call": 10000000,
///               "channel_settlement_window": 100 }
/// }
/// ```
extension Genesis {
    /// Parses and validates a genesis file. Unknown keys are rejected, so a typo cannot silently
    /// fall back to a default.
    public init(json: some ContiguousBytes) throws(LedgerError) {
        let data = json.withUnsafeBytes { Data($0) }
        let file: GenesisFile
        do {
            file = try JSONDecoder().decode(GenesisFile.self, from: data)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.malformedEncoding, "genesis file is not valid: \(Genesis.describe(error))")
        }
        try Genesis.rejectUnknownKeys(in: data)
        var validators: [Validator] = []
        for v in file.validators {
            validators.append(Validator(publicKey: try AccountAddress.parse(v.address).publicKey, power: v.power))
        }
        var balances: [GenesisBalance] = []
        for b in file.balances {
            balances.append(GenesisBalance(address: try AccountAddress.parse(b.address), amount: try Amount(dvpn: b.amount)))
        }
        var contracts: [GenesisContract] = []
        for c in file.contracts {
            contracts.append(GenesisContract(name: c.name, codeSHA256: try Hash256(hex: c.code_sha256)))
        }
        let p = file.params
        try self.init(
            chainID: file.chain_id, genesisTime: try Timestamp(rfc3339: file.genesis_time),
            validators: try ValidatorSet(validators: validators), balances: balances, contracts: contracts,
            params: ChainParameters(
                maxBlockBytes: p.max_block_bytes, maxTransactionsPerBlock: p.max_txs_per_block,
                maxTransactionBytes: p.max_tx_bytes, minFee: try Amount(dvpn: p.min_fee), fuelPerUdvpn: p.fuel_per_udvpn,
                maxFuelPerCall: p.max_fuel_per_call, channelSettlementWindow: p.channel_settlement_window))
    }

    /// The genesis file text: pretty-printed, keys sorted, ending in a newline.
    public var json: [UInt8] {
        let file = GenesisFile(
            chain_id: chainID, genesis_time: genesisTime.rfc3339,
            validators: validators.validators.map { .init(address: AccountAddress(publicKey: $0.publicKey).string, power: $0.power) },
            balances: balances.map { .init(address: $0.address.string, amount: $0.amount.dvpnString) },
            contracts: contracts.map { .init(name: $0.name, code_sha256: $0.codeSHA256.hex) },
            params: .init(
                max_block_bytes: params.maxBlockBytes, max_txs_per_block: params.maxTransactionsPerBlock,
                max_tx_bytes: params.maxTransactionBytes, min_fee: params.minFee.dvpnString,
                fuel_per_udvpn: params.fuelPerUdvpn, max_fuel_per_call: params.maxFuelPerCall,
                channel_settlement_window: params.channelSettlementWindow))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail.
        return Array(try! encoder.encode(file)) + [UInt8(ascii: "\n")]
    }

    private static let knownKeys: [String: Set<String>] = [
        "": ["chain_id", "genesis_time", "validators", "balances", "contracts", "params"],
        "validators": ["address", "power"],
        "balances": ["address", "amount"],
        "contracts": ["name", "code_sha256"],
        "params": ["max_block_bytes", "max_txs_per_block", "max_tx_bytes", "min_fee", "fuel_per_udvpn",
                   "max_fuel_per_call", "channel_settlement_window"],
    ]

    private static func rejectUnknownKeys(in data: Data) throws(LedgerError) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        func check(_ object: Any, _ section: String) throws(LedgerError) {
            guard let dict = object as? [String: Any] else { return }
            for key in dict.keys where !(knownKeys[section]?.contains(key) ?? true) {
                throw LedgerError(.malformedEncoding, "genesis file has unknown key \"\(key)\"\(section.isEmpty ? "" : " in \(section)")")
            }
        }
        try check(root, "")
        try check(root["params"] ?? [:], "params")
        for section in ["validators", "balances", "contracts"] {
            for entry in root[section] as? [Any] ?? [] { try check(entry, section) }
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let ctx)?: "missing \(path(ctx.codingPath + [key]))"
        case .typeMismatch(_, let ctx)?, .valueNotFound(_, let ctx)?: "wrong type at \(path(ctx.codingPath))"
        case .dataCorrupted(let ctx)?: ctx.codingPath.isEmpty ? "not JSON" : "\(ctx.debugDescription) at \(path(ctx.codingPath))"
        default: "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// The JSON shape; field names are the file's keys.
private struct GenesisFile: Codable {
    struct ValidatorEntry: Codable { var address: String; var power: UInt64 }
    struct BalanceEntry: Codable { var address: String; var amount: String }
    struct ContractEntry: Codable { var name: String; var code_sha256: String }
    struct Params: Codable {
        var max_block_bytes: UInt64
        var max_txs_per_block: UInt32
        var max_tx_bytes: UInt64
        var min_fee: String
        var fuel_per_udvpn: UInt64
        var max_fuel_per_call: UInt64
        var channel_settlement_window: UInt64
    }

    var chain_id: String
    var genesis_time: String
    var validators: [ValidatorEntry]
    var balances: [BalanceEntry]
    var contracts: [ContractEntry]
    var params: Params
}
