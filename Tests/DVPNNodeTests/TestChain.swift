import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import DVPNNode

/// A real `LedgerNode` on a real SQLite file in a temporary directory (removed on deinit), with a
/// funded account `alice` and optional extra contracts, for tests that drive the HTTP API
/// in-process. Blocks are produced by calling `produceBlock()`, so tests decide when.
final class TestChain: Sendable {
    let directory: URL
    let validator = Schnorr.PrivateKey()
    let alice = Schnorr.PrivateKey()
    let genesis: Genesis
    let node: LedgerNode

    static let aliceFunds = Amount(udvpn: 1_000 * Amount.udvpnPerDVPN)

    init(contracts: [EmbeddedContract] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-node-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        genesis = try Genesis(
            chainID: "dvpn-test-1", genesisTime: Timestamp(millisecondsSince1970: 1_700_000_000_000),
            validators: ValidatorSet(validators: [Validator(publicKey: validator.publicKey, power: 10)]),
            balances: [GenesisBalance(address: AccountAddress(publicKey: alice.publicKey), amount: Self.aliceFunds)],
            contracts: contracts.map { GenesisContract(name: $0.name, codeSHA256: Hash256.sha256($0.code)) },
            params: .devnet)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        node = try LedgerNode(
            databasePath: directory.appendingPathComponent("ledger.sqlite").path, genesis: genesis,
            contracts: contracts, nodeKey: validator, logger: logger)
    }

    deinit {
        node.close()
        try? FileManager.default.removeItem(at: directory)
    }

    var minFee: Amount { genesis.params.minFee }

    func signed(
        _ payload: TransactionPayload, by key: Schnorr.PrivateKey, nonce: UInt64, fee: Amount? = nil,
        chainID: String? = nil
    ) throws -> Transaction {
        try TransactionBody(
            chainID: chainID ?? genesis.chainID, sender: key.publicKey, nonce: nonce, fee: fee ?? minFee,
            payload: payload
        ).signed(with: key)
    }

    /// Runs `body` with a client of the API served by this chain's node (Hummingbird's router
    /// test framework: real routing and encoding, no socket).
    func withAPI(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: NodeAPIRouter.build(backend: node))
        try await app.test(.router) { client in try await body(client) }
    }
}

extension LedgerNode {
    /// Builds, self-signs (a one-validator commit) and stores the next block with whatever the
    /// mempool holds: the tests' stand-in for the consensus engine, so that they decide when
    /// blocks come. Returns the new height.
    func produceBlock() async throws -> UInt64 {
        let last = ledger.position.time
        let time = Timestamp(millisecondsSince1970: max(Timestamp(Date()).millisecondsSince1970, last.millisecondsSince1970 + 1))
        let signer = CommitSigner(key: nodeKey, chainID: genesis.chainID)
        guard let committed = try ledger.produceBlock(signer: signer, time: time) else { return ledger.height }
        recordCommitted(committed)
        return committed.block.height
    }
}

extension TestClientProtocol {
    /// POSTs `{"hex": …}` and decodes the answer.
    func submit(_ bytes: [UInt8]) async throws -> (HTTPResponse.Status, NodeAPI.SubmitResult) {
        let body = try JSONEncoder().encode(NodeAPI.SubmitRequest(hex: Hex.encode(bytes)))
        return try await post(body: ByteBuffer(bytes: body))
    }

    func post(body: ByteBuffer) async throws -> (HTTPResponse.Status, NodeAPI.SubmitResult) {
        try await execute(uri: "/v1/transactions", method: .post, body: body) { response in
            (response.status, try JSONDecoder().decode(NodeAPI.SubmitResult.self, from: Data(buffer: response.body)))
        }
    }

    func get<Answer: Decodable>(_ uri: String, as type: Answer.Type) async throws -> (HTTPResponse.Status, Answer) {
        try await execute(uri: uri, method: .get) { response in
            (response.status, try JSONDecoder().decode(Answer.self, from: Data(buffer: response.body)))
        }
    }
}
