import DVPNContractRuntime
import DVPNCrypto
import DVPNLedger

/// A small ledger for contract tests: account balances, one contract with its balance and storage,
/// and a block height. It moves money the way the real ledger must: attached funds go from the
/// sender to the contract only when the call succeeds, and a successful call's transfers go from
/// the contract to their recipients.
struct LedgerModel {
    let runtime: ContractRuntime
    let module: ContractModule
    let chainID: String
    var balances: [[UInt8]: UInt64] = [:]
    var contractBalance: UInt64 = 0
    var storage = MemoryStorage()
    var height: UInt64 = 1
    var fuel: UInt64 = 2_000_000

    init(contract: String, chainID: String = "dvpn-test-1") throws {
        (runtime, module) = try Self.loaded(contract)
        self.chainID = chainID
    }

    /// The committed contracts, loaded once for all tests (loading validates and translates the
    /// whole module, which is slow in a debug build).
    private static let shared: Result<[String: (ContractRuntime, ContractModule)], any Error> = Result {
        let runtime = ContractRuntime()
        var loaded: [String: (ContractRuntime, ContractModule)] = [:]
        for name in ["registry", "channels"] {
            loaded[name] = (runtime, try runtime.load(code: try Fixtures.contract(name)))
        }
        return loaded
    }

    private static func loaded(_ contract: String) throws -> (ContractRuntime, ContractModule) {
        guard let pair = try shared.get()[contract] else { throw ScenarioError("no contract named \(contract)") }
        return pair
    }

    /// Runs one call as a transaction from `sender`. Returns nil when the ledger would refuse the
    /// transaction before running it (the sender cannot cover the attached funds).
    @discardableResult
    mutating func call(
        _ method: String, _ arguments: [UInt8], from sender: [UInt8], attaching funds: UInt64 = 0
    ) -> CallOutcome? {
        guard balances[sender, default: 0] >= funds else { return nil }
        let context = ContractContext(
            chainID: chainID, contract: "test", caller: sender, attachedFunds: funds,
            contractBalance: contractBalance + funds, blockHeight: height, blockTime: 1_700_000_000 + height * 5)
        let outcome = runtime.call(
            module, method: method, arguments: arguments, context: context, storage: storage, fuel: fuel)
        guard outcome.succeeded else { return outcome }
        balances[sender, default: 0] -= funds
        contractBalance += funds
        storage.apply(outcome.writes)
        for transfer in outcome.transfers {
            precondition(transfer.amount <= contractBalance, "the runtime let a contract overdraw")
            contractBalance -= transfer.amount
            balances[transfer.to, default: 0] += transfer.amount
        }
        return outcome
    }
}

/// A test account: a deterministic BIP340 key.
struct Account {
    let key: Schnorr.PrivateKey
    var address: [UInt8] { key.publicKey.rawRepresentation }

    init(_ seed: UInt8) {
        // Any 32 bytes below the curve order are a valid secret; these are far below it.
        key = try! Schnorr.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 31) + [seed])
    }

    /// Signs with fixed auxiliary data so that test runs are reproducible.
    func sign(_ message: [UInt8]) -> [UInt8] {
        try! key.signature(for: message, auxiliaryRandom: [UInt8](repeating: 0, count: 32)).rawRepresentation
    }
}

/// Argument and result encodings of the channels contract (Contracts/README.md), built with the
/// ledger's own canonical encoder and signing domains, so the tests also check that the contract
/// and the ledger agree on the bytes.
enum ChannelsABI {
    static func open(payee: [UInt8], expiry: UInt64, clientTunnelKey: [UInt8]) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.encode(fixed: payee, count: 32)
        encoder.encode(expiry)
        encoder.encode(fixed: clientTunnelKey, count: 32)
        return encoder.bytes
    }

    /// The argument of topUp, close, reclaim and get.
    static func channel(_ id: UInt64) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.encode(id)
        return encoder.bytes
    }

    /// The argument of redeem and closeCooperative: id, amount, signature.
    static func signedAmount(_ id: UInt64, _ amount: UInt64, _ signature: [UInt8]) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.encode(id)
        encoder.encode(amount)
        encoder.encode(fixed: signature, count: 64)
        return encoder.bytes
    }

    /// The message a voucher (or, with `.channelClose`, a cooperative close) signs.
    static func message(_ domain: SigningDomain, chainID: String, channel id: UInt64, amount: UInt64) -> [UInt8] {
        var body = CanonicalEncoder()
        body.encode(id)
        body.encode(amount)
        return domain.message(chainID: chainID, body: body.bytes)
    }

    /// A channel record as `get` returns it.
    struct Record: Equatable {
        enum Status: UInt8 { case open = 0, closing = 1, settled = 2 }
        var payer: [UInt8]
        var payee: [UInt8]
        var clientTunnelKey: [UInt8]
        var deposit: UInt64
        var redeemed: UInt64
        var expiry: UInt64
        var openedAt: UInt64
        var status: Status
        var settleAfter: UInt64

        init(_ bytes: [UInt8]) throws {
            var decoder = CanonicalDecoder(bytes)
            payer = try decoder.decodeFixed(count: 32)
            payee = try decoder.decodeFixed(count: 32)
            clientTunnelKey = try decoder.decodeFixed(count: 32)
            deposit = try decoder.decodeUInt64()
            redeemed = try decoder.decodeUInt64()
            expiry = try decoder.decodeUInt64()
            openedAt = try decoder.decodeUInt64()
            guard let status = Status(rawValue: try decoder.decodeUInt8()) else {
                throw LedgerError(.outOfRange, "channel status")
            }
            self.status = status
            settleAfter = try decoder.decodeUInt64()
            try decoder.finish()
        }
    }
}

extension LedgerModel {
    /// Reads a channel through the contract's `get` method.
    mutating func channel(_ id: UInt64) throws -> ChannelsABI.Record? {
        guard let outcome = call("get", ChannelsABI.channel(id), from: Account(99).address),
            case .success(let bytes) = outcome.status
        else { return nil }
        return try ChannelsABI.Record(bytes)
    }
}
