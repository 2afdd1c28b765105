import DVPNCrypto

/// The one public error type of DVPNContractRuntime: an extensible code, a reason that names what
/// was wrong, and where it was raised (after swift-certificates' `X509.Error`).
///
/// Two kinds of failure use it: a module rejected by ``ContractRuntime/load(code:)``, and a call
/// that reverted (reported inside ``CallOutcome/Status/failure(_:)``, never thrown). Reasons are
/// built only from the inputs of the call, so a replay produces the same error, bit for bit; that is
/// why equality ignores `file` and `line`.
public struct ContractRuntimeError: ModuleError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// The bytes are not a valid WebAssembly module, or use a construct the runtime forbids
        /// (a start function, a second memory, a disabled proposal).
        public static let invalidModule = Code(name: "invalid module")
        /// The module contains a floating-point instruction, local, global or signature.
        public static let floatingPoint = Code(name: "floating point")
        /// The module imports something outside the host ABI (`Contracts/README.md`).
        public static let forbiddenImport = Code(name: "forbidden import")
        /// The module's memory or table declaration is unbounded or larger than the limits.
        public static let memoryLimit = Code(name: "memory limit")
        /// The module's code is larger than the limits allow.
        public static let codeTooLarge = Code(name: "code too large")
        /// The called method is not an exported `() -> ()` function of the module.
        public static let unknownMethod = Code(name: "unknown method")
        /// The call used up its fuel budget.
        public static let outOfFuel = Code(name: "out of fuel")
        /// The WebAssembly code trapped (unreachable, out-of-bounds access, division by zero…).
        public static let trap = Code(name: "trap")
        /// The contract aborted the call itself, with a message (`dvpn.abort`).
        public static let aborted = Code(name: "aborted")
        /// A host function was called with a pointer or length outside the contract's memory.
        public static let invalidHostCall = Code(name: "invalid host call")
        /// Transfers out of the contract exceed its balance.
        public static let insufficientBalance = Code(name: "insufficient balance")
        /// A per-call limit was exceeded (argument, storage value, event or return data size…).
        public static let limitExceeded = Code(name: "limit exceeded")

        public var description: String { name }
    }

    public let code: Code
    public let reason: String
    public let file: String
    public let line: UInt

    /// The code first: contract failures are shown to users as "out of fuel: …".
    public var description: String { "\(code): \(reason)" }

    @inline(never)
    public init(_ code: Code, _ reason: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }
}
