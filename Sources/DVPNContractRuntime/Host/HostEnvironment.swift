import WasmKit

/// The state one call's host functions share: the call's inputs, its journal, and the guest's
/// memory.
///
/// Confined to the thread running the call and alive no longer than the call: an instance's host
/// functions reach it through the instance's ``HostBinding``, which points at the environment of
/// the call in progress and at nothing between calls.
final class HostEnvironment {
    let context: ContractContext
    let arguments: [UInt8]
    let storage: any ContractStorageReader
    let limits: ContractLimits
    let memory: Memory?
    var journal = CallJournal()

    init(
        context: ContractContext, arguments: [UInt8], storage: any ContractStorageReader, limits: ContractLimits,
        memory: Memory?
    ) {
        self.context = context
        self.arguments = arguments
        self.storage = storage
        self.limits = limits
        self.memory = memory
    }

    /// Balance the contract can still pay out in this call.
    var availableBalance: UInt64 {
        context.contractBalance - journal.transferred
    }
}

/// Where an instance's host functions find the call in progress. The functions are created once
/// per instance and capture this box; the runtime points it at each call's environment in turn.
final class HostBinding {
    var environment: HostEnvironment?

    /// The call in progress; a host function called outside a call (never, in practice) fails.
    func current() throws(HostFailure) -> HostEnvironment {
        guard let environment else { throw HostFailure(.invalidHostCall, "host function called outside a call") }
        return environment
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
