/// Bounds on what a contract module may declare and what one call may do.
///
/// These are consensus parameters: every replica (and the auditor) must use the same values, or
/// the same call may succeed on one and fail on another. Genesis should pin them.
public struct ContractLimits: Sendable, Hashable {
    /// Largest linear memory, in 64 KiB pages. A module must declare a maximum no larger.
    public var maxMemoryPages: UInt32
    /// Largest table, in elements. A module must declare a maximum no larger.
    public var maxTableElements: UInt32
    /// Largest module, in bytes.
    public var maxCodeSize: Int
    /// Largest call argument, in bytes.
    public var maxArgumentSize: Int
    /// Largest storage key, in bytes.
    public var maxStorageKeySize: Int
    /// Largest storage value, in bytes.
    public var maxStorageValueSize: Int
    /// Most events one call may emit.
    public var maxEvents: Int
    /// Largest event topic, in bytes.
    public var maxEventTopicSize: Int
    /// Largest event data, in bytes.
    public var maxEventDataSize: Int
    /// Most transfers one call may make.
    public var maxTransfers: Int
    /// Largest return data, in bytes.
    public var maxReturnDataSize: Int
    /// Largest message `dvpn.abort` keeps (longer ones are cut, deterministically).
    public var maxAbortMessageSize: Int
    /// Size in bytes of the interpreter's value and call stack (bounds recursion depth).
    public var stackSize: Int

    public init(
        maxMemoryPages: UInt32 = 32,
        maxTableElements: UInt32 = 4096,
        maxCodeSize: Int = 512 * 1024,
        maxArgumentSize: Int = 64 * 1024,
        maxStorageKeySize: Int = 256,
        maxStorageValueSize: Int = 16 * 1024,
        maxEvents: Int = 64,
        maxEventTopicSize: Int = 64,
        maxEventDataSize: Int = 4 * 1024,
        maxTransfers: Int = 16,
        maxReturnDataSize: Int = 256 * 1024,
        maxAbortMessageSize: Int = 256,
        stackSize: Int = 256 * 1024
    ) {
        self.maxMemoryPages = maxMemoryPages
        self.maxTableElements = maxTableElements
        self.maxCodeSize = maxCodeSize
        self.maxArgumentSize = maxArgumentSize
        self.maxStorageKeySize = maxStorageKeySize
        self.maxStorageValueSize = maxStorageValueSize
        self.maxEvents = maxEvents
        self.maxEventTopicSize = maxEventTopicSize
        self.maxEventDataSize = maxEventDataSize
        self.maxTransfers = maxTransfers
        self.maxReturnDataSize = maxReturnDataSize
        self.maxAbortMessageSize = maxAbortMessageSize
        self.stackSize = stackSize
    }

    /// The limits the devnet genesis uses.
    public static let standard = ContractLimits()
}
