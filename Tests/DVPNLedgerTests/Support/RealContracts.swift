import DVPNCrypto
import DVPNLedger
import Foundation

/// The committed contracts (`Contracts/build/`) and their arguments, written from the tables in
/// `Contracts/README.md` with the ledger's canonical encoder.
enum RealContracts {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static let code: [String: [UInt8]] = Dictionary(uniqueKeysWithValues: ["registry", "channels"].map { name in
        (name, [UInt8](try! Data(contentsOf: repositoryRoot.appendingPathComponent("Contracts/build/\(name).wasm"))))
    })

    static func genesis(balances: [(Int, UInt64)] = (0..<4).map { ($0, 1_000_000_000) }) -> Genesis {
        try! Genesis(
            chainID: TestGenesis.chainID, genesisTime: Timestamp(millisecondsSince1970: 1_750_000_000_000),
            validators: ValidatorSet(validators: [Validator(publicKey: TestKeys.key(100).publicKey, power: 10)]),
            balances: balances.map { GenesisBalance(address: TestKeys.address($0.0), amount: Amount(udvpn: $0.1)) },
            contracts: code.map { GenesisContract(name: $0.key, codeSHA256: Hash256.sha256($0.value)) },
            params: .devnet)
    }

    /// `register` terms: country, price per GiB, optional price per hour, bandwidth, endpoint,
    /// tunnel key, services.
    static func offerTerms(country: String = "DE", pricePerGiB: UInt64 = 50_000, endpoint: String = "203.0.113.7:51820", tunnelKey: [UInt8]) -> [UInt8] {
        var e = CanonicalEncoder()
        e.encode(fixed: Array(country.utf8), count: 2)
        e.encode(pricePerGiB)
        e.encode(optional: UInt64(1_000))
        e.encode(UInt64(100_000_000))
        e.encode(bytes: Array(endpoint.utf8), maxLength: 255)
        e.encode(fixed: tunnelKey, count: 32)
        e.encode(UInt32(1))
        e.encode(bytes: Array("wireguard".utf8), maxLength: 32)
        return e.bytes
    }

    static func open(payee: AccountAddress, expiry: UInt64, tunnelKey: [UInt8]) -> [UInt8] {
        var e = CanonicalEncoder()
        e.encode(fixed: payee.publicKey.rawRepresentation, count: 32)
        e.encode(expiry)
        e.encode(fixed: tunnelKey, count: 32)
        return e.bytes
    }

    static func channelID(_ id: UInt64) -> [UInt8] { id.canonicalBytes }

    /// A voucher the payer signs: channel id and cumulative amount under `dvpn/voucher/v1`.
    static func redeem(channel: UInt64, cumulative: UInt64, payer: Schnorr.PrivateKey, chainID: String = TestGenesis.chainID) throws -> [UInt8] {
        let body = channel.canonicalBytes + cumulative.canonicalBytes
        let signature = try payer.signature(for: SigningDomain.voucher.message(chainID: chainID, body: body))
        return body + signature.rawRepresentation
    }
}

/// A history on the real contracts: transfers, an operator's offer, a client's channel with two
/// vouchers redeemed, a close, the settlement window, the reclaim. Built once, closed.
final class RealContractFixture: Sendable {
    static let shared = try! RealContractFixture()

    let directory: TemporaryDirectory
    let genesis: Genesis
    let tip: UInt64
    /// What the operator (account 1) was paid, and what the client (account 0) got back.
    let paid: UInt64 = 120_000
    let refunded: UInt64 = 380_000

    private init() throws {
        let genesis = RealContracts.genesis()
        let chain = try TestLedger(genesis: genesis, contractCode: RealContracts.code)
        let operatorKey = [UInt8](repeating: 0x42, count: 32), clientTunnel = [UInt8](repeating: 0x17, count: 32)
        func expectSuccess(_ block: CommittedBlock) throws {
            for (tx, receipt) in zip(block.block.transactions, block.receipts) where !receipt.succeeded {
                throw LedgerError(.ruleViolation, "\(tx.payload.kind) failed: \(receipt.status)")
            }
        }
        try expectSuccess(try chain.block([try chain.transfer(from: 2, to: 1, 10_000)]))
        try expectSuccess(try chain.block([try chain.call(from: 1, "registry", "register", RealContracts.offerTerms(tunnelKey: operatorKey))]))
        try expectSuccess(try chain.block([try chain.call(from: 0, "channels", "open", RealContracts.open(payee: TestKeys.address(1), expiry: 500, tunnelKey: clientTunnel), attach: 500_000)]))
        try expectSuccess(try chain.block([try chain.call(from: 1, "channels", "redeem", try RealContracts.redeem(channel: 1, cumulative: 50_000, payer: TestKeys.key(0)))]))
        // An older voucher and a forged one fail (fee charged), a newer one pays the difference.
        try chain.block([
            try chain.call(from: 1, "channels", "redeem", try RealContracts.redeem(channel: 1, cumulative: 40_000, payer: TestKeys.key(0))),
            try chain.call(from: 1, "channels", "redeem", try RealContracts.redeem(channel: 1, cumulative: 400_000, payer: TestKeys.key(3))),
        ])
        try expectSuccess(try chain.block([try chain.call(from: 1, "channels", "redeem", try RealContracts.redeem(channel: 1, cumulative: 120_000, payer: TestKeys.key(0)))]))
        try expectSuccess(try chain.block([try chain.call(from: 0, "channels", "close", RealContracts.channelID(1))]))
        for _ in 0..<20 { try chain.block([]) }
        try expectSuccess(try chain.block([try chain.call(from: 0, "channels", "reclaim", RealContracts.channelID(1)), try chain.transfer(from: 3, to: 0, 1)]))
        self.genesis = genesis
        tip = chain.ledger.height
        try chain.store.close()
        directory = chain.directory
    }
}
