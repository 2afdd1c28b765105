import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Logging
@testable import DVPNNode

/// A real `LedgerNode` over a real SQLite file, on a genesis with three validators of equal
/// power (so one validator's precommit alone is too little power), a funded `alice` and the
/// devnet contracts. Blocks are produced by `produce()`, signed by every validator in force.
final class TestNetwork: @unchecked Sendable {
    // @unchecked: `keys` is only appended to from the test's own task, before servers read it.
    let directory: URL
    let alice = Schnorr.PrivateKey()
    var keys = [Schnorr.PrivateKey(), Schnorr.PrivateKey(), Schnorr.PrivateKey()]
    let genesis: Genesis
    let node: LedgerNode
    private var aliceNonce: UInt64 = 0

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-client-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let contracts = EmbeddedContract.devnet
        genesis = try Genesis(
            chainID: "dvpn-light-test", genesisTime: Timestamp(millisecondsSince1970: 1_700_000_000_000),
            validators: ValidatorSet(validators: keys.map { Validator(publicKey: $0.publicKey, power: 10) }),
            balances: [GenesisBalance(address: AccountAddress(publicKey: alice.publicKey), amount: Amount(udvpn: 1_000_000_000))],
            contracts: contracts.map { GenesisContract(name: $0.name, codeSHA256: Hash256.sha256($0.code)) },
            params: .devnet)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        node = try LedgerNode(
            databasePath: directory.appendingPathComponent("ledger.sqlite").path, genesis: genesis,
            contracts: contracts, nodeKey: keys[0], logger: logger)
    }

    deinit {
        node.close()
        try? FileManager.default.removeItem(at: directory)
    }

    var aliceAddress: AccountAddress { AccountAddress(publicKey: alice.publicKey) }

    /// Commits the next block with precommits of every validator in force.
    @discardableResult
    func produce() throws -> Block {
        let ledger = node.ledger
        let time = Timestamp(millisecondsSince1970: ledger.position.time.millisecondsSince1970 + 1_000)
        let built = ledger.buildBlock(proposer: keys[0].publicKey, time: time)
        let inForce = try ledger.withState { $0.validatorSet }
        let votes = try keys.filter { inForce.contains($0.publicKey) }.map {
            try CommitSigner(key: $0, chainID: genesis.chainID).precommit(for: built.block)
        }
        try ledger.commit(built, commit: Commit(precommits: votes))
        return built.block
    }

    /// Alice sends a transaction; it is committed in the next `produce()`.
    func submit(_ payload: TransactionPayload, fee: Amount = Amount(udvpn: 10_000)) throws {
        let tx = try TransactionBody(chainID: genesis.chainID, sender: alice.publicKey, nonce: aliceNonce, fee: fee, payload: payload)
            .signed(with: alice)
        guard case .accepted = node.ledger.submit(tx) else { throw TestFailure("transaction refused") }
        aliceNonce += 1
    }

    func transfer(_ amount: UInt64, to key: Schnorr.PublicKey) throws {
        try submit(.transfer(to: AccountAddress(publicKey: key), amount: Amount(udvpn: amount)))
    }

    /// Alice registers an offer in the registry.
    func registerOffer(country: String = "DE", price: UInt64 = 50_000) throws {
        let terms = OfferTerms(
            country: country, pricePerGiB: Amount(udvpn: price), pricePerHour: nil, bandwidthMbps: 100,
            endpoint: "127.0.0.1:51820", tunnelKey: X25519.PrivateKey().publicKey, services: [])
        try submit(.contractCall(RegistryContract.register(terms)), fee: Amount(udvpn: 100_000))
    }

    /// Adds a fourth validator, approved by the three of genesis; in force from the block after.
    func addValidator() throws -> Schnorr.PrivateKey {
        let newcomer = Schnorr.PrivateKey()
        var update = ValidatorUpdate(setVersion: 0, changes: [Validator(publicKey: newcomer.publicKey, power: 10)], approvals: [])
        for key in keys { try update.approve(chainID: genesis.chainID, with: key) }
        try submit(.validatorUpdate(update))
        keys.append(newcomer)
        return newcomer
    }

    /// The genesis file a client trusts.
    func writeGenesis(to path: String) throws {
        try Data(genesis.json).write(to: URL(fileURLWithPath: path))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
