import DVPNCrypto
import DVPNLedger
import Foundation
import WAT

/// Deterministic keys, so failures reproduce.
enum TestKeys {
    static func key(_ index: Int) -> Schnorr.PrivateKey {
        // SHA-256 of a label is below the curve order with overwhelming probability.
        try! Schnorr.PrivateKey(rawRepresentation: SHA256.hash(Array("dvpn-ledger-test-key-\(index)".utf8)))
    }

    static func address(_ index: Int) -> AccountAddress { AccountAddress(publicKey: key(index).publicKey) }
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "dvpn-ledger-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A small contract in WebAssembly text that exercises what the ledger must handle: storage
/// writes, payouts out of escrow, events, a refusal, a trap and an endless loop. Registered under
/// the names "channels" and "registry" so the auditor's channel counts have something to count.
enum TestContract {
    static let text = """
        (module
          (import "dvpn" "input_len" (func $input_len (result i32)))
          (import "dvpn" "input_read" (func $input_read (param i32)))
          (import "dvpn" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
          (import "dvpn" "caller" (func $caller (param i32)))
          (import "dvpn" "contract_balance" (func $contract_balance (result i64)))
          (import "dvpn" "transfer" (func $transfer (param i32 i64)))
          (import "dvpn" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
          (import "dvpn" "abort" (func $abort (param i32 i32)))
          (memory (export "memory") 1 1)
          (data (i32.const 8192) "refused")
          (data (i32.const 8300) "channel.open")

          ;; args: key (8 bytes) ‖ value
          (func (export "put")
            (call $input_read (i32.const 0))
            (call $storage_set (i32.const 0) (i32.const 8) (i32.const 8) (i32.sub (call $input_len) (i32.const 8))))

          ;; keeps the attached funds in escrow and says so
          (func (export "open")
            (call $input_read (i32.const 0))
            (call $storage_set (i32.const 0) (i32.const 8) (i32.const 8) (i32.sub (call $input_len) (i32.const 8)))
            (call $emit_event (i32.const 8300) (i32.const 12) (i32.const 0) (i32.const 8)))

          ;; args: recipient (32) ‖ amount (u64 little-endian)
          (func (export "redeem")
            (call $input_read (i32.const 0))
            (call $transfer (i32.const 0) (i64.load (i32.const 32))))

          ;; pays the caller everything the contract holds
          (func (export "reclaim")
            (call $caller (i32.const 0))
            (call $transfer (i32.const 0) (call $contract_balance)))

          (func (export "refuse")
            (call $abort (i32.const 8192) (i32.const 7)))

          (func (export "trap")
            unreachable)

          (func (export "spin")
            (loop $forever (br $forever)))
        )
        """

    static let code: [UInt8] = try! wat2wasm(text)
    static let names = ["channels", "registry"]

    static func putArguments(key: UInt64, value: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: key.littleEndian, Array.init) + value
    }

    static func payArguments(to: AccountAddress, amount: UInt64) -> [UInt8] {
        to.publicKey.rawRepresentation + withUnsafeBytes(of: amount.littleEndian, Array.init)
    }
}

/// Genesis for tests: `validators` keys with the given powers, balances for accounts 0..<n, the
/// test contract under both names.
enum TestGenesis {
    static let chainID = "dvpn-test-1"

    static func make(validators: [(Int, UInt64)] = [(100, 10)], balances: [(Int, UInt64)] = (0..<4).map { ($0, 1_000_000_000) },
                     params: ChainParameters = .devnet) -> Genesis {
        try! Genesis(
            chainID: chainID, genesisTime: Timestamp(millisecondsSince1970: 1_750_000_000_000),
            validators: ValidatorSet(validators: validators.map { Validator(publicKey: TestKeys.key($0.0).publicKey, power: $0.1) }),
            balances: balances.map { GenesisBalance(address: TestKeys.address($0.0), amount: Amount(udvpn: $0.1)) },
            contracts: TestContract.names.map { GenesisContract(name: $0, codeSHA256: Hash256.sha256(TestContract.code)) },
            params: params)
    }

    static var contractCode: [String: [UInt8]] {
        Dictionary(uniqueKeysWithValues: TestContract.names.map { ($0, TestContract.code) })
    }
}

/// A ledger in a temporary directory with a single validator (key 100) and helpers to sign
/// transactions and produce blocks.
final class TestLedger {
    let directory = TemporaryDirectory()
    let genesis: Genesis
    let ledger: Ledger
    let signer: CommitSigner
    private var clock: UInt64 = 1_750_000_001_000
    /// Nonces handed out but maybe not yet submitted, so several transactions of one sender can
    /// be made before a block.
    private var issued: [Int: UInt64] = [:]

    init(genesis: Genesis = TestGenesis.make(), contractCode: [String: [UInt8]] = TestGenesis.contractCode, validator: Int = 100) throws {
        self.genesis = genesis
        ledger = try Ledger(store: LedgerStore(directory: directory.path), genesis: genesis, contractCode: contractCode)
        signer = CommitSigner(key: TestKeys.key(validator), chainID: genesis.chainID)
    }

    var store: LedgerStore { ledger.store }

    /// A signed transaction from account `from` with its next nonce.
    func transaction(from: Int, fee: UInt64 = 1_000, nonce: UInt64? = nil, _ payload: TransactionPayload) throws -> Transaction {
        let key = TestKeys.key(from)
        let next = nonce ?? max(ledger.nextNonce(for: key.publicKey), issued[from] ?? 0)
        issued[from] = next + 1
        let body = TransactionBody(chainID: genesis.chainID, sender: key.publicKey, nonce: next,
                                   fee: Amount(udvpn: fee), payload: payload)
        return try body.signed(with: key)
    }

    func transfer(from: Int, to: Int, _ amount: UInt64, fee: UInt64 = 1_000) throws -> Transaction {
        try transaction(from: from, fee: fee, .transfer(to: TestKeys.address(to), amount: Amount(udvpn: amount)))
    }

    func call(from: Int, _ contract: String, _ method: String, _ arguments: [UInt8] = [], attach: UInt64 = 0, fee: UInt64 = 1_000) throws -> Transaction {
        try transaction(from: from, fee: fee, .contractCall(ContractCall(contract: contract, method: method, arguments: arguments, attachedFunds: Amount(udvpn: attach))))
    }

    /// Submits each transaction (they must be accepted) and produces one block.
    @discardableResult
    func block(_ transactions: [Transaction]) throws -> CommittedBlock {
        for tx in transactions {
            let admission = ledger.submit(tx)
            guard case .accepted = admission else { throw LedgerError(.ruleViolation, "test transaction refused: \(admission)") }
        }
        clock += 1_000
        return try ledger.produceBlock(signer: signer, time: Timestamp(millisecondsSince1970: clock))!
    }
}
