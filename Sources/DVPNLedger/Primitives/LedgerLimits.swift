/// Hard bounds of the canonical encodings. Every decoder enforces them before allocating, so a
/// hostile length field can never make a node reserve gigabytes. Chain parameters (genesis) may be
/// stricter, never looser.
public enum LedgerLimits {
    /// Chain ids are short printable names such as "dvpn-devnet-1".
    public static let chainIDMaxLength = 64
    /// Contract names ("registry", "channels").
    public static let contractNameMaxLength = 32
    /// Contract method names.
    public static let methodMaxLength = 64
    /// Arguments of one contract call.
    public static let argumentsMaxBytes = 256 * 1024
    /// Validators in one set, and entries of one validator update.
    public static let maxValidators = 128
    /// The sum of all voting power; keeps `3 × power` far from overflow.
    public static let maxTotalVotingPower: UInt64 = 1 << 60
    /// Transactions in one block.
    public static let maxTransactionsPerBlock = 100_000
    /// Events, payouts and return data one receipt may carry.
    public static let maxEventsPerReceipt = 1024
    public static let maxEventBytes = 64 * 1024
    public static let maxReturnBytes = 256 * 1024
    public static let maxFailureReasonLength = 1024
    /// Genesis balances and contracts.
    public static let maxGenesisAccounts = 1_000_000
    public static let maxGenesisContracts = 64
    /// A stored state value (contract code is the largest).
    public static let maxStateValueBytes = 16 * 1024 * 1024
}
