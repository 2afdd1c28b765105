import Foundation
import WasmKit

/// Idle, reset instances of one module, shared by the calls that run it.
///
/// A call takes an instance (or instantiates one when none is idle), runs, resets it and gives it
/// back. Because a reset instance is indistinguishable from a fresh one, which instance a call gets
/// never changes its outcome; the pool is purely a cache.
final class InstancePool: @unchecked Sendable {
    // @unchecked Sendable: `idle` is only touched under `lock`, and an instance taken out of it is
    // used by one call on one thread until it is put back.
    private let lock = NSLock()
    private var idle: [ContractInstance] = []
    /// Most idle instances kept; more concurrent calls than this instantiate and discard.
    private let capacity: Int

    let module: Module
    let mutableGlobals: [UInt32]
    /// The engine every pooled instance was created on; a call through another runtime does not
    /// use the pool.
    let engine: Engine

    init(module: Module, mutableGlobals: [UInt32], engine: Engine, capacity: Int = 4) {
        self.module = module
        self.mutableGlobals = mutableGlobals
        self.engine = engine
        self.capacity = capacity
    }

    /// An idle instance, or a new one.
    func take() throws -> ContractInstance {
        let reused = lock.withLock { idle.popLast() }
        if let reused { return reused }
        return try ContractInstance(module: module, mutableGlobals: mutableGlobals, engine: engine)
    }

    /// Resets `instance` and keeps it for the next call, if it can be reset and there is room.
    func giveBack(_ instance: ContractInstance) {
        guard instance.reset() else { return }
        lock.withLock {
            if idle.count < capacity { idle.append(instance) }
        }
    }
}
