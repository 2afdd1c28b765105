import DVPNCrypto
import WasmKit

/// Runs contract calls: WasmKit's interpreter with fuel metering, the `dvpn` host ABI, and a
/// journal that makes each call all-or-nothing.
///
/// Determinism (DESIGN.md, "The contract engine"): a call's outcome depends only on the module,
/// the method, the arguments, the ``ContractContext``, the storage it reads, the fuel budget and
/// the ``ContractLimits``. Floating point is rejected at load; every call gets a fresh instance
/// (fresh memory and globals); fuel is charged per metered region by WasmKit and per host call by
/// ``FuelSchedule``; errors carry no host addresses.
///
/// Thread safety: the runtime holds only immutable state (the engines are `Sendable` and carry no
/// interceptor), and each call builds its own store, so calls may run concurrently.
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
        let module: Module
        do {
            module = try parseWasm(bytes: code, features: ModuleValidator.features)
        } catch {
            throw ContractRuntimeError(.invalidModule, "malformed module: \(error)")
        }
        // Instantiating on the eager engine translates, and so validates, every function body.
        do {
            let store = Store(engine: validationEngine)
            let environment = HostEnvironment(
                context: ContractContext(
                    chainID: "", contract: "", caller: [], attachedFunds: 0, contractBalance: 0, blockHeight: 0,
                    blockTime: 0),
                arguments: [], storage: EmptyStorage(), limits: limits)
            _ = try module.instantiate(store: store, imports: environment.imports(store: store))
        } catch {
            throw ContractRuntimeError(.invalidModule, "module does not validate: \(Self.firstLine(of: error))")
        }
        return ContractModule(codeHash: SHA256.hash(code), methods: summary.methods, module: module)
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

        let store = Store(engine: engine)
        store.fuel = Fuel(remaining: fuel - base)
        let environment = HostEnvironment(context: context, arguments: arguments, storage: storage, limits: limits)
        defer { environment.memory = nil }
        let fuelUsed = { fuel - (store.fuel?.remaining ?? 0) }

        do {
            let instance = try module.module.instantiate(store: store, imports: environment.imports(store: store))
            environment.memory = instance.exports[memory: HostABI.memoryExportName]
            guard let function = instance.exports[function: method] else {
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

/// A storage namespace with nothing in it, for the validation instance.
private struct EmptyStorage: ContractStorageReader {
    func value(forKey key: [UInt8]) -> [UInt8]? { nil }
}
