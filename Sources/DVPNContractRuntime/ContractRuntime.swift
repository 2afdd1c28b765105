import DVPNCrypto
import WasmKit

/// Runs contract calls: WasmKit's interpreter with fuel metering, the `dvpn` host ABI, and a
/// journal that makes each call all-or-nothing.
///
/// Determinism (DESIGN.md, "The contract engine"): a call's outcome depends only on the module,
/// the method, the arguments, the ``ContractContext``, the storage it reads, the fuel budget and
/// the ``ContractLimits``. Floating point is rejected at load; every call starts from the state
/// instantiation produces (a pooled instance reset to it, see ``ContractInstance``); fuel is
/// charged per metered region by WasmKit and per host call by ``FuelSchedule``; errors carry no
/// host addresses.
///
/// Thread safety: the runtime holds only immutable state (the engines are `Sendable` and carry no
/// interceptor); an instance serves one call at a time, so calls may run concurrently.
public final class ContractRuntime: Sendable {
    public let limits: ContractLimits
    /// Runs calls: lazy translation (only the functions a call reaches), fuel metering, software
    /// bounds checks (no signal handlers in a ledger node's process).
    private let engine: Engine
    /// Used once per module at load: eager translation, so that every function body is validated
    /// before the module may run.
    private let validationEngine: Engine

    public init(limits: ContractLimits = .standard) {
        self.limits = limits
        self.engine = Engine(configuration: Self.configuration(limits: limits, compilationMode: .lazy))
        self.validationEngine = Engine(configuration: Self.configuration(limits: limits, compilationMode: .eager))
    }

    private static func configuration(
        limits: ContractLimits, compilationMode: EngineConfiguration.CompilationMode
    ) -> EngineConfiguration {
        EngineConfiguration(
            compilationMode: compilationMode,
            stackSize: limits.stackSize,
            features: ModuleValidator.features,
            memoryBoundsChecking: .software,
            fuelMetering: true
        )
    }

    /// Validates and parses a module (see ``ModuleValidator`` for the rules).
    public func load(code: [UInt8]) throws(ContractRuntimeError) -> ContractModule {
        let summary = try ModuleValidator(limits: limits).validate(code)
        let runnable = try GlobalExporter.exportingGlobals(
            summary.mutableGlobals, of: code, existingExports: summary.exportNames)
        let module: Module
        do {
            module = try parseWasm(bytes: runnable, features: ModuleValidator.features)
        } catch {
            throw ContractRuntimeError(.invalidModule, "malformed module: \(error)")
        }
        // Instantiating on the eager engine translates, and so validates, every function body.
        do {
            _ = try ContractInstance(module: module, mutableGlobals: summary.mutableGlobals, engine: validationEngine)
        } catch let error as ContractRuntimeError {
            throw error
        } catch {
            throw ContractRuntimeError(.invalidModule, "module does not validate: \(Self.firstLine(of: error))")
        }
        let pool = InstancePool(module: module, mutableGlobals: summary.mutableGlobals, engine: engine)
        return ContractModule(codeHash: SHA256.hash(code), methods: summary.methods, pool: pool)
    }

    /// Calls `method` with `arguments`. Never throws: a failed call is an outcome like any other,
    /// and the ledger still charges its fuel.
    public func call(
        _ module: ContractModule,
        method: String,
        arguments: [UInt8],
        context: ContractContext,
        storage: some ContractStorageReader,
        fuel: UInt64
    ) -> CallOutcome {
        let base = FuelSchedule.callBase + UInt64(arguments.count) * FuelSchedule.perByteCopied
        guard fuel >= base else {
            return CallOutcome(status: .failure(ContractRuntimeError(.outOfFuel, "out of fuel before the call started")), fuelUsed: fuel)
        }
        guard arguments.count <= limits.maxArgumentSize else {
            return failure(.limitExceeded, "arguments are \(arguments.count) bytes, the limit is \(limits.maxArgumentSize)", fuelUsed: base)
        }
        guard module.methods.contains(method) else {
            return failure(.unknownMethod, "the contract has no method \"\(method)\"", fuelUsed: base)
        }

        let pool = module.pool
        let instance: ContractInstance
        do {
            // A module loaded by another runtime (another engine, perhaps other limits) gets a
            // fresh instance here and is not pooled.
            instance = pool.engine === engine
                ? try pool.take()
                : try ContractInstance(module: pool.module, mutableGlobals: pool.mutableGlobals, engine: engine)
        } catch {
            return failure(.trap, "instantiation failed: \(Self.firstLine(of: error))", fuelUsed: base)
        }
        defer { if pool.engine === engine { pool.giveBack(instance) } }

        let store = instance.store
        store.fuel = Fuel(remaining: fuel - base)
        let environment = HostEnvironment(
            context: context, arguments: arguments, storage: storage, limits: limits, memory: instance.memory)
        instance.binding.environment = environment
        defer { instance.binding.environment = nil }
        let fuelUsed = { fuel - (store.fuel?.remaining ?? 0) }

        do {
            guard let function = instance.instance.exports[function: method] else {
                return failure(.unknownMethod, "the contract has no method \"\(method)\"", fuelUsed: fuelUsed())
            }
            _ = try function.invoke([])
        } catch let failure as HostFailure {
            let used = failure.error.code == .outOfFuel ? fuel : fuelUsed()
            return CallOutcome(status: .failure(failure.error), fuelUsed: used)
        } catch {
            let reason = Self.firstLine(of: error)
            if reason == Self.outOfFuelTrap {
                return failure(.outOfFuel, "out of fuel", fuelUsed: fuel)
            }
            return failure(.trap, reason, fuelUsed: fuelUsed())
        }

        let journal = environment.journal
        return CallOutcome(
            status: .success(returnData: journal.returnData),
            fuelUsed: fuelUsed(),
            writes: journal.sortedWrites,
            transfers: journal.transfers,
            events: journal.events
        )
    }

    private func failure(_ code: ContractRuntimeError.Code, _ reason: String, fuelUsed: UInt64) -> CallOutcome {
        CallOutcome(status: .failure(ContractRuntimeError(code, reason)), fuelUsed: fuelUsed)
    }

    /// WasmKit's description of its out-of-fuel trap. `Trap`'s reason is not public API, so the
    /// runtime recognises the trap by its text; a test pins it (an infinite loop must report
    /// ``ContractRuntimeError/Code/outOfFuel``), so a WasmKit update that changes it cannot go unnoticed.
    private static let outOfFuelTrap = "Trap: out of fuel"

    /// The first line of an error's description. WasmKit appends a backtrace with host addresses
    /// after the first line; those differ between processes and must not reach a call's outcome.
    static func firstLine(of error: any Error) -> String {
        let text = String(describing: error)
        return String(text.prefix { $0 != "\n" })
    }
}
