import WasmKit

/// The state one call's host functions share: the call's inputs, its journal, and the guest's
/// memory once the module is instantiated.
///
/// A reference type because every host function closure captures it. It is confined to the thread
/// running the call and lives no longer than the call (the runtime clears `memory` at the end,
/// which also breaks the store → function → closure → environment → memory cycle).
final class HostEnvironment<Storage: ContractStorageReader> {
    let context: ContractContext
    let arguments: [UInt8]
    let storage: Storage
    let limits: ContractLimits
    var journal = CallJournal()
    var memory: Memory?

    init(context: ContractContext, arguments: [UInt8], storage: Storage, limits: ContractLimits) {
        self.context = context
        self.arguments = arguments
        self.storage = storage
        self.limits = limits
    }

    /// Balance the contract can still pay out in this call.
    var availableBalance: UInt64 {
        context.contractBalance - journal.transferred
    }
}

/// How a host function stops a call. Thrown through WasmKit's interpreter unchanged and turned
/// into the call's ``ContractRuntimeError`` by the runtime.
struct HostFailure: Error {
    let error: ContractRuntimeError

    init(_ code: ContractRuntimeError.Code, _ reason: String, file: String = #fileID, line: UInt = #line) {
        error = ContractRuntimeError(code, reason, file: file, line: line)
    }
}

extension HostEnvironment {
    /// Takes `amount` fuel from the call's budget, or stops the call when the budget cannot pay.
    func charge(_ amount: UInt64, store: Store) throws(HostFailure) {
        let remaining = store.fuel?.remaining ?? 0
        guard remaining >= amount else {
            store.fuel = Fuel(remaining: 0)
            throw HostFailure(.outOfFuel, "out of fuel in a host call")
        }
        store.fuel = Fuel(remaining: remaining - amount)
    }

    /// Checks that `[pointer, pointer + count)` lies inside the guest's memory.
    private func checkedRange(_ pointer: UInt32, _ count: UInt32) throws(HostFailure) -> (Memory, UInt) {
        guard let memory else { throw HostFailure(.invalidHostCall, "the contract has no memory") }
        guard UInt64(pointer) + UInt64(count) <= UInt64(memory.byteCount) else {
            throw HostFailure(.invalidHostCall, "memory range \(pointer)+\(count) is out of bounds")
        }
        return (memory, UInt(pointer))
    }

    /// Copies `count` bytes out of guest memory.
    func read(_ pointer: UInt32, _ count: UInt32) throws(HostFailure) -> [UInt8] {
        let (memory, offset) = try checkedRange(pointer, count)
        return memory.withUnsafeBufferPointer(offset: offset, count: Int(count)) { Array($0) }
    }

    /// Copies `bytes` into guest memory at `pointer`.
    func write(_ bytes: some Collection<UInt8>, at pointer: UInt32) throws(HostFailure) {
        let (memory, offset) = try checkedRange(pointer, UInt32(bytes.count))
        memory.withUnsafeMutableBufferPointer(offset: offset, count: bytes.count) { $0.copyBytes(from: bytes) }
    }

    /// Reads a length argument, rejecting anything above `limit` before touching memory.
    func length(_ value: UInt32, limit: Int, what: String) throws(HostFailure) -> UInt32 {
        guard Int(value) <= limit else {
            throw HostFailure(.limitExceeded, "\(what) is \(value) bytes, the limit is \(limit)")
        }
        return value
    }
}
