import WasmKit
import WasmParser

/// The load-time checks a contract module must pass before it may run on the ledger.
///
/// WasmKit validates WebAssembly itself (types, stack discipline); these are the extra rules that
/// make a module fit for consensus (DESIGN.md, "The contract engine"):
/// - no floating point anywhere (signatures, locals, globals, operators), no SIMD;
/// - imports only from the host ABI, by exact name and signature, and only functions;
/// - exactly one memory, defined by the module, exported as `memory`, with a declared maximum
///   within the limits (so `memory.grow` is bounded); tables bounded the same way;
/// - no start function (a call's only entry points are its exported methods);
/// - no table writes, table growth or segment drops (see ``CodeScanner``);
/// - no proposal beyond WebAssembly 2.0's integer core with reference types.
struct ModuleValidator {
    /// The WebAssembly proposals a contract may use. SIMD, threads, exceptions, memory64,
    /// multi-memory and GC are off, so the parser already rejects their encodings.
    static let features: WasmFeatureSet = [.referenceTypes]

    /// What the validator learned that the runtime needs later.
    struct Summary {
        /// Exported functions of type `() -> ()`, sorted by name: the callable methods.
        var methods: [String]
        /// Indices of the module's mutable globals (it can import none).
        var mutableGlobals: [UInt32]
        /// Every export name, to keep added exports from colliding with them.
        var exportNames: Set<String>
    }

    let limits: ContractLimits

    func validate(_ code: [UInt8]) throws(ContractRuntimeError) -> Summary {
        guard code.count <= limits.maxCodeSize else {
            throw ContractRuntimeError(
                .codeTooLarge, "module is \(code.count) bytes, the limit is \(limits.maxCodeSize)")
        }
        var parser = Parser(bytes: code, features: Self.features)
        var functionTypes: [FunctionType] = []
        var importedFunctionTypes: [FunctionType] = []
        var definedFunctionTypeIndices: [TypeIndex] = []
        var memories: [MemoryType] = []
        var exports: [Export] = []
        var codes: [Code] = []
        var mutableGlobals: [UInt32] = []

        while true {
            let payload: ParsingPayload?
            do {
                payload = try parser.parseNext()
            } catch {
                throw ContractRuntimeError(.invalidModule, "malformed module: \(error)")
            }
            guard let payload else { break }
            switch payload {
            case .header, .customSection, .dataCount, .dataSection, .elementSection:
                break
            case .typeSection(let groups):
                for group in groups {
                    for subType in group.types {
                        guard case .function(let type) = subType.body else {
                            throw ContractRuntimeError(.invalidModule, "only function types are allowed")
                        }
                        if CodeScanner.isFloatingPoint(type) {
                            throw ContractRuntimeError(.floatingPoint, "floating-point function type \(type)")
                        }
                        functionTypes.append(type)
                    }
                }
            case .importSection(let imports):
                for entry in imports {
                    importedFunctionTypes.append(try checkImport(entry, functionTypes: functionTypes))
                }
            case .functionSection(let indices):
                definedFunctionTypeIndices = indices
            case .tableSection(let tables):
                for table in tables { try checkBounded(table.type.limits, max: UInt64(limits.maxTableElements), what: "table") }
            case .memorySection(let declared):
                memories.append(contentsOf: declared.map(\.type))
            case .globalSection(let globals):
                if let global = globals.first(where: { CodeScanner.isFloatingPoint($0.type.valueType) }) {
                    throw ContractRuntimeError(.floatingPoint, "floating-point global of type \(global.type.valueType)")
                }
                for (index, global) in globals.enumerated() where global.type.mutability == .variable {
                    mutableGlobals.append(UInt32(index))
                }
            case .tagSection:
                throw ContractRuntimeError(.invalidModule, "exception tags are not allowed")
            case .exportSection(let declared):
                exports = declared
            case .startSection:
                throw ContractRuntimeError(.invalidModule, "a start function is not allowed")
            case .codeSection(let bodies):
                codes = bodies
            }
        }

        try checkMemory(memories, exports: exports)
        for (index, body) in codes.enumerated() {
            if let local = body.locals.first(where: CodeScanner.isFloatingPoint) {
                throw ContractRuntimeError(.floatingPoint, "function \(index) has a local of type \(local)")
            }
            try CodeScanner.scan(body, functionTypes: functionTypes)
        }

        var methods: [String] = []
        for export in exports {
            guard case .function(let index) = export.descriptor else { continue }
            let type: FunctionType?
            if Int(index) < importedFunctionTypes.count {
                type = importedFunctionTypes[Int(index)]
            } else {
                let local = Int(index) - importedFunctionTypes.count
                type = local < definedFunctionTypeIndices.count
                    ? functionTypes[safe: Int(definedFunctionTypeIndices[local])] : nil
            }
            if type == FunctionType(parameters: [], results: []) { methods.append(export.name) }
        }
        return Summary(methods: methods.sorted(), mutableGlobals: mutableGlobals, exportNames: Set(exports.map(\.name)))
    }

    /// An import must be a host ABI function with exactly the ABI's signature.
    private func checkImport(_ entry: Import, functionTypes: [FunctionType]) throws(ContractRuntimeError) -> FunctionType {
        let what = "\(entry.module).\(entry.name)"
        guard entry.module == HostABI.moduleName, let abi = HostABI.entry(named: entry.name) else {
            throw ContractRuntimeError(.forbiddenImport, "import \(what) is not part of the host ABI")
        }
        guard case .function(let typeIndex) = entry.descriptor else {
            throw ContractRuntimeError(.forbiddenImport, "import \(what) must be a function")
        }
        guard let type = functionTypes[safe: Int(typeIndex)], type == abi.type else {
            throw ContractRuntimeError(.forbiddenImport, "import \(what) must have type \(abi.type)")
        }
        return type
    }

    private func checkMemory(_ memories: [MemoryType], exports: [Export]) throws(ContractRuntimeError) {
        guard memories.count == 1, let memory = memories.first else {
            throw ContractRuntimeError(.memoryLimit, "a contract must define exactly one memory, found \(memories.count)")
        }
        guard !memory.shared, !memory.isMemory64 else {
            throw ContractRuntimeError(.memoryLimit, "memory must be a plain 32-bit unshared memory")
        }
        try checkBounded(memory, max: UInt64(limits.maxMemoryPages), what: "memory (pages)")
        let exported = exports.contains { export in
            if case .memory(0) = export.descriptor { return export.name == HostABI.memoryExportName }
            return false
        }
        guard exported else {
            throw ContractRuntimeError(.invalidModule, "memory must be exported as \"\(HostABI.memoryExportName)\"")
        }
    }

    private func checkBounded(_ declared: Limits, max limit: UInt64, what: String) throws(ContractRuntimeError) {
        guard let declaredMax = declared.max else {
            throw ContractRuntimeError(.memoryLimit, "\(what) must declare a maximum (limit \(limit))")
        }
        guard declared.min <= limit, declaredMax <= limit else {
            throw ContractRuntimeError(
                .memoryLimit, "\(what) declares min \(declared.min), max \(declaredMax); the limit is \(limit)")
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
