import WasmKit

/// One instantiation of a contract module, reusable for call after call.
///
/// Instantiating is cheap; translating the code a call reaches is not (WasmKit translates each
/// function of an instance on first use, and that dominated the cost of a small call). So an
/// instance is kept and reset between calls to exactly the state instantiation left it in:
/// - its memory bytes are put back from a snapshot taken right after instantiation; an instance
///   whose memory grew is not reused (memory cannot shrink);
/// - its mutable globals are put back to their initial values (the runtime exports them, see
///   ``GlobalExporter``);
/// - nothing else can change: ``CodeScanner`` rejects table writes and segment drops at load, and
///   the host functions keep no state of their own (their ``HostBinding`` is cleared after each call).
///
/// A call on a reset instance therefore has the same outcome, fuel included, as on a fresh one;
/// `InstanceReuseTests` checks it.
final class ContractInstance {
    let store: Store
    let instance: Instance
    let memory: Memory
    let binding = HostBinding()
    private let memorySnapshot: [UInt8]
    private let globals: [(global: Global, initial: Value)]

    /// Instantiates `module` in a fresh store of `engine`.
    init(module: Module, mutableGlobals: [UInt32], engine: Engine) throws {
        store = Store(engine: engine)
        instance = try module.instantiate(store: store, imports: HostFunctions.imports(store: store, binding: binding))
        guard let memory = instance.exports[memory: HostABI.memoryExportName] else {
            throw ContractRuntimeError(.invalidModule, "memory is not exported")
        }
        self.memory = memory
        memorySnapshot = memory.withUnsafeBufferPointer(offset: 0, count: memory.byteCount) { Array($0) }
        var globals: [(Global, Value)] = []
        for index in mutableGlobals {
            guard let global = instance.exports[global: GlobalExporter.exportName(ofGlobal: index)] else {
                throw ContractRuntimeError(.invalidModule, "mutable global \(index) is not exported")
            }
            globals.append((global, global.value))
        }
        self.globals = globals
    }

    /// Puts the instance back into its initial state. False if it cannot be (its memory grew);
    /// the caller then drops it.
    func reset() -> Bool {
        binding.environment = nil
        guard memory.byteCount == memorySnapshot.count else { return false }
        memory.withUnsafeMutableBufferPointer(offset: 0, count: memorySnapshot.count) { $0.copyBytes(from: memorySnapshot) }
        for (global, initial) in globals {
            do {
                try global.assign(initial)
            } catch {
                return false
            }
        }
        return true
    }
}
