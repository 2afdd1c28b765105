import DVPNCrypto
import WasmKit

/// A contract module that passed ``ContractRuntime/load(code:)``: parsed, validated, ready to be
/// called any number of times. Immutable and safe to share between threads.
public struct ContractModule: Sendable {
    /// SHA-256 of the module's bytes: what genesis pins and the auditor compares.
    public let codeHash: [UInt8]
    /// The callable methods (exported functions of type `() -> ()`), sorted by name.
    public let methods: [String]
    /// WasmKit's parsed form (of the code with its mutable globals exported) and the instances
    /// kept for reuse.
    let pool: InstancePool

    init(codeHash: [UInt8], methods: [String], pool: InstancePool) {
        self.codeHash = codeHash
        self.methods = methods
        self.pool = pool
    }
}
