/// Everything a contract call may learn about the world besides its arguments and its storage.
///
/// DESIGN.md, "The contract engine": the only inputs are the transaction, the block height and
/// time from the header, and contract storage. The ledger fills this from the transaction being
/// applied and the header of the block that contains it.
public struct ContractContext: Sendable, Hashable {
    /// The chain the transaction was signed for; contracts mix it into signed messages.
    public var chainID: String
    /// The contract's name, e.g. `"channels"`. Informational: storage is already namespaced.
    public var contract: String
    /// The transaction's sender: a 32-byte BIP340 x-only public key.
    public var caller: [UInt8]
    /// udvpn the transaction moves into the contract with this call.
    public var attachedFunds: UInt64
    /// The contract's balance in udvpn, already including `attachedFunds`.
    public var contractBalance: UInt64
    /// Height of the block that contains the transaction.
    public var blockHeight: UInt64
    /// Time of that block, in unix seconds from its header (never the local clock).
    public var blockTime: UInt64

    public init(
        chainID: String,
        contract: String,
        caller: [UInt8],
        attachedFunds: UInt64,
        contractBalance: UInt64,
        blockHeight: UInt64,
        blockTime: UInt64
    ) {
        self.chainID = chainID
        self.contract = contract
        self.caller = caller
        self.attachedFunds = attachedFunds
        self.contractBalance = contractBalance
        self.blockHeight = blockHeight
        self.blockTime = blockTime
    }
}

/// Read access to one contract's storage namespace, as of the start of the call.
///
/// The ledger supplies it; the runtime layers the call's own writes on top and never writes
/// through it, so a reverted call leaves nothing behind.
public protocol ContractStorageReader {
    /// The value stored under `key`, or nil when there is none.
    func value(forKey key: [UInt8]) -> [UInt8]?
}
