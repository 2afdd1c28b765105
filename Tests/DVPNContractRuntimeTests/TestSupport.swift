import DVPNContractRuntime
import Foundation
import WAT

/// A contract storage namespace in a dictionary: the test's stand-in for the ledger's store.
struct MemoryStorage: ContractStorageReader {
    var values: [[UInt8]: [UInt8]] = [:]

    func value(forKey key: [UInt8]) -> [UInt8]? { values[key] }

    /// Applies a successful call's writes, as the ledger would.
    mutating func apply(_ writes: [StorageWrite]) {
        for write in writes { values[write.key] = write.value }
    }
}

enum Fixtures {
    /// A context with recognisable values, for tests that only care about some of them.
    static func context(
        caller: [UInt8] = [UInt8](repeating: 0xCA, count: 32),
        attachedFunds: UInt64 = 0,
        contractBalance: UInt64 = 0,
        blockHeight: UInt64 = 100,
        blockTime: UInt64 = 1_750_000_000,
        chainID: String = "dvpn-test-1"
    ) -> ContractContext {
        ContractContext(
            chainID: chainID, contract: "test", caller: caller, attachedFunds: attachedFunds,
            contractBalance: contractBalance, blockHeight: blockHeight, blockTime: blockTime)
    }

    /// Assembles a module from WebAssembly text.
    static func wasm(_ text: String) throws -> [UInt8] {
        try wat2wasm(text)
    }

    /// The repository root (three levels above this file).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// A committed contract from `Contracts/build/`.
    static func contract(_ name: String) throws -> [UInt8] {
        let url = repositoryRoot.appendingPathComponent("Contracts/build/\(name).wasm")
        return [UInt8](try Data(contentsOf: url))
    }

    /// Every host ABI import, for test modules written in WebAssembly text.
    static let hostImports = """
          (import "dvpn" "input_len" (func $input_len (result i32)))
          (import "dvpn" "input_read" (func $input_read (param i32)))
          (import "dvpn" "return_data" (func $return_data (param i32 i32)))
          (import "dvpn" "storage_get" (func $storage_get (param i32 i32 i32 i32) (result i32)))
          (import "dvpn" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
          (import "dvpn" "storage_delete" (func $storage_delete (param i32 i32)))
          (import "dvpn" "caller" (func $caller (param i32)))
          (import "dvpn" "attached_funds" (func $attached_funds (result i64)))
          (import "dvpn" "contract_balance" (func $contract_balance (result i64)))
          (import "dvpn" "transfer" (func $transfer (param i32 i64)))
          (import "dvpn" "schnorr_verify" (func $schnorr_verify (param i32 i32 i32 i32) (result i32)))
          (import "dvpn" "block_height" (func $block_height (result i64)))
          (import "dvpn" "block_time" (func $block_time (result i64)))
          (import "dvpn" "chain_id_len" (func $chain_id_len (result i32)))
          (import "dvpn" "chain_id_read" (func $chain_id_read (param i32)))
          (import "dvpn" "emit_event" (func $emit_event (param i32 i32 i32 i32)))
          (import "dvpn" "abort" (func $abort (param i32 i32)))
        """

    /// A module with one method per host function (and a few that misbehave on purpose).
    /// Arguments are read to address 0; scratch results go from 4096 on.
    static let probeModule = """
        (module
        \(hostImports)
          (memory (export "memory") 1 2)
          (data (i32.const 8192) "contract says no")
          (global $counter (mut i32) (i32.const 7))

          ;; returns the counter global (u32 little-endian) and the byte at 5000
          (func $readState (export "readState")
            (i32.store (i32.const 4096) (global.get $counter))
            (i32.store8 (i32.const 4100) (i32.load8_u (i32.const 5000)))
            (call $return_data (i32.const 4096) (i32.const 5)))

          ;; changes the global and memory, then returns the state
          (func (export "bump")
            (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
            (i32.store8 (i32.const 5000) (i32.add (i32.load8_u (i32.const 5000)) (i32.const 1)))
            (call $readState))

          ;; changes the global and memory, then traps
          (func (export "bumpThenTrap")
            (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
            (i32.store8 (i32.const 5000) (i32.const 0xAB))
            unreachable)

          ;; returns its arguments
          (func (export "echo")
            (call $input_read (i32.const 0))
            (call $return_data (i32.const 0) (call $input_len)))

          ;; args: key (8 bytes) ‖ value
          (func (export "put")
            (call $input_read (i32.const 0))
            (call $storage_set (i32.const 0) (i32.const 8) (i32.const 8)
              (i32.sub (call $input_len) (i32.const 8))))

          ;; args: key (8 bytes); returns 0x00 when absent, 0x01 ‖ value when present
          (func (export "get") (local $n i32)
            (call $input_read (i32.const 0))
            (local.set $n (call $storage_get (i32.const 0) (i32.const 8) (i32.const 4097) (i32.const 2048)))
            (if (i32.eq (local.get $n) (i32.const -1))
              (then
                (i32.store8 (i32.const 4096) (i32.const 0))
                (call $return_data (i32.const 4096) (i32.const 1)))
              (else
                (i32.store8 (i32.const 4096) (i32.const 1))
                (call $return_data (i32.const 4096) (i32.add (local.get $n) (i32.const 1))))))

          ;; args: key (8 bytes); reads into a 4-byte buffer, returns the length (u32 little-endian)
          ;; the host reported and the 4 bytes it copied
          (func (export "getIntoSmallBuffer")
            (call $input_read (i32.const 0))
            (i32.store (i32.const 4096)
              (call $storage_get (i32.const 0) (i32.const 8) (i32.const 4100) (i32.const 4)))
            (call $return_data (i32.const 4096) (i32.const 8)))

          ;; args: key (8 bytes)
          (func (export "delete")
            (call $input_read (i32.const 0))
            (call $storage_delete (i32.const 0) (i32.const 8)))

          ;; args: key (8 bytes) ‖ value; writes it, then returns what a read sees
          (func (export "putThenGet") (local $n i32)
            (call $input_read (i32.const 0))
            (call $storage_set (i32.const 0) (i32.const 8) (i32.const 8)
              (i32.sub (call $input_len) (i32.const 8)))
            (local.set $n (call $storage_get (i32.const 0) (i32.const 8) (i32.const 4096) (i32.const 2048)))
            (call $return_data (i32.const 4096) (local.get $n)))

          ;; returns caller ‖ attached ‖ balance ‖ height ‖ time (u64 little-endian) ‖ chain id
          (func (export "environment")
            (call $caller (i32.const 4096))
            (i64.store (i32.const 4128) (call $attached_funds))
            (i64.store (i32.const 4136) (call $contract_balance))
            (i64.store (i32.const 4144) (call $block_height))
            (i64.store (i32.const 4152) (call $block_time))
            (call $chain_id_read (i32.const 4160))
            (call $return_data (i32.const 4096) (i32.add (i32.const 64) (call $chain_id_len))))

          ;; args: recipient (32) ‖ amount (u64 little-endian); pays it, returns the balance left
          (func (export "pay")
            (call $input_read (i32.const 0))
            (call $transfer (i32.const 0) (i64.load (i32.const 32)))
            (i64.store (i32.const 4096) (call $contract_balance))
            (call $return_data (i32.const 4096) (i32.const 8)))

          ;; args: key (32) ‖ signature (64) ‖ message; returns one byte, 1 when valid
          (func (export "verify")
            (call $input_read (i32.const 0))
            (i32.store8 (i32.const 4096)
              (call $schnorr_verify (i32.const 0) (i32.const 96)
                (i32.sub (call $input_len) (i32.const 96)) (i32.const 32)))
            (call $return_data (i32.const 4096) (i32.const 1)))

          ;; args: topic length (u32 little-endian) ‖ topic ‖ data
          (func (export "event") (local $t i32)
            (call $input_read (i32.const 0))
            (local.set $t (i32.load (i32.const 0)))
            (call $emit_event (i32.const 4) (local.get $t) (i32.add (i32.const 4) (local.get $t))
              (i32.sub (call $input_len) (i32.add (i32.const 4) (local.get $t)))))

          (func (export "refuse")
            (call $abort (i32.const 8192) (i32.const 16)))

          ;; writes, pays and emits, then traps
          (func (export "effectsThenTrap")
            (call $input_read (i32.const 0))
            (call $storage_set (i32.const 0) (i32.const 8) (i32.const 8) (i32.const 4))
            (call $transfer (i32.const 0) (i64.const 1))
            (call $emit_event (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 4))
            unreachable)

          ;; writes, then aborts
          (func (export "effectsThenAbort")
            (call $input_read (i32.const 0))
            (call $storage_set (i32.const 0) (i32.const 8) (i32.const 8) (i32.const 4))
            (call $abort (i32.const 8192) (i32.const 16)))

          ;; writes, then loops forever
          (func (export "effectsThenSpin")
            (call $input_read (i32.const 0))
            (call $storage_set (i32.const 0) (i32.const 8) (i32.const 8) (i32.const 4))
            (loop $forever (br $forever)))

          (func (export "spin")
            (loop $forever (br $forever)))

          ;; args: n (u32 little-endian); counts down from n
          (func (export "countDown") (local $n i32)
            (call $input_read (i32.const 0))
            (local.set $n (i32.load (i32.const 0)))
            (block $done
              (loop $next
                (br_if $done (i32.eqz (local.get $n)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $next))))

          ;; hands the host a pointer past the end of memory
          (func (export "outOfBounds")
            (call $caller (i32.const 65520)))

          ;; asks for a storage value longer than the limit
          (func (export "hugeValue")
            (call $storage_set (i32.const 0) (i32.const 8) (i32.const 0) (i32.const 60000)))

          ;; divides by zero
          (func (export "divideByZero")
            (drop (i32.div_u (i32.const 1) (i32.const 0))))

          ;; recurses without end
          (func $recurse (export "recurse")
            (call $recurse))

          ;; grows memory by one page (to its declared maximum); returns what memory.grow answered
          (func (export "grow")
            (i32.store (i32.const 4096) (memory.grow (i32.const 1)))
            (call $return_data (i32.const 4096) (i32.const 4)))

          ;; tries to grow memory past its declared maximum
          (func (export "growTooFar")
            (i32.store (i32.const 4096) (memory.grow (i32.const 2)))
            (call $return_data (i32.const 4096) (i32.const 4)))

          ;; not a method: takes a parameter
          (func (export "notAMethod") (param i32))
        )
        """
}

extension Array where Element == UInt8 {
    /// Little-endian bytes of an integer, as the probe module's `i64.load`/`i32.load` read them.
    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        Swift.withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    func littleEndianInteger<T: FixedWidthInteger>(at offset: Int, as: T.Type = T.self) -> T {
        var value: T = 0
        for index in (0..<MemoryLayout<T>.size).reversed() {
            value = value << 8 | T(self[offset + index])
        }
        return value
    }
}

/// The probe module loaded on a runtime, with a call helper whose defaults suit most tests.
struct Probe {
    let runtime: ContractRuntime
    let module: ContractModule

    init(limits: ContractLimits = .standard) throws {
        runtime = ContractRuntime(limits: limits)
        module = try runtime.load(code: try Fixtures.wasm(Fixtures.probeModule))
    }

    func call(
        _ method: String, _ arguments: [UInt8] = [], storage: MemoryStorage = MemoryStorage(),
        context: ContractContext = Fixtures.context(), fuel: UInt64 = 1_000_000
    ) -> CallOutcome {
        runtime.call(module, method: method, arguments: arguments, context: context, storage: storage, fuel: fuel)
    }
}

extension CallOutcome {
    /// The failure's code, or nil for a success.
    var failureCode: ContractRuntimeError.Code? {
        if case .failure(let error) = status { return error.code }
        return nil
    }
}
