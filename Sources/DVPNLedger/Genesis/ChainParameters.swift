/// The consensus parameters genesis fixes for the life of the chain.
public struct ChainParameters: Hashable, Sendable {
    /// Largest canonical block encoding a proposer may produce.
    public var maxBlockBytes: UInt64
    /// Most transactions in one block.
    public var maxTransactionsPerBlock: UInt32
    /// Largest canonical transaction encoding ("oversized payload" is rejected above it).
    public var maxTransactionBytes: UInt64
    /// Smallest fee a transaction may pay.
    public var minFee: Amount
    /// Contract fuel bought by one udvpn of fee.
    public var fuelPerUdvpn: UInt64
    /// Upper bound of any one call's fuel, however high its fee.
    public var maxFuelPerCall: UInt64
    /// Blocks a payer must wait after `close` before `reclaim`, during which the payee can redeem.
    /// The channels contract in `Contracts/build` fixes 20; genesis records the value so clients
    /// and auditors know it.
    public var channelSettlementWindow: UInt64

    public init(maxBlockBytes: UInt64, maxTransactionsPerBlock: UInt32, maxTransactionBytes: UInt64, minFee: Amount,
                fuelPerUdvpn: UInt64, maxFuelPerCall: UInt64, channelSettlementWindow: UInt64) {
        self.maxBlockBytes = maxBlockBytes
        self.maxTransactionsPerBlock = maxTransactionsPerBlock
        self.maxTransactionBytes = maxTransactionBytes
        self.minFee = minFee
        self.fuelPerUdvpn = fuelPerUdvpn
        self.maxFuelPerCall = maxFuelPerCall
        self.channelSettlementWindow = channelSettlementWindow
    }

    /// Values for a development network: 1 MiB blocks, 64 KiB transactions, 0.001 DVPN minimum
    /// fee buying 1,000 fuel per udvpn up to 10 million fuel per call, 20-block settlement window
    /// (the channels contract's).
    public static let devnet = ChainParameters(
        maxBlockBytes: 1 << 20, maxTransactionsPerBlock: 5_000, maxTransactionBytes: 64 * 1024,
        minFee: Amount(udvpn: 1_000), fuelPerUdvpn: 1_000, maxFuelPerCall: 10_000_000, channelSettlementWindow: 20)

    /// The fuel budget of a call paying `fee`: min(fee × fuelPerUdvpn, maxFuelPerCall).
    public func fuelBudget(fee: Amount) -> UInt64 {
        let (product, overflow) = fee.udvpn.multipliedReportingOverflow(by: fuelPerUdvpn)
        return overflow ? maxFuelPerCall : min(product, maxFuelPerCall)
    }

    func validate() throws(LedgerError) {
        guard maxBlockBytes >= 1024, maxTransactionsPerBlock >= 1,
              maxTransactionsPerBlock <= UInt32(LedgerLimits.maxTransactionsPerBlock) else {
            throw LedgerError(.outOfRange, "block limits must allow at least one transaction and 1 KiB, at most \(LedgerLimits.maxTransactionsPerBlock) transactions")
        }
        guard maxTransactionBytes >= 256, maxTransactionBytes <= maxBlockBytes else {
            throw LedgerError(.outOfRange, "max transaction bytes must be between 256 and max block bytes")
        }
        guard fuelPerUdvpn >= 1, maxFuelPerCall >= 1 else {
            throw LedgerError(.outOfRange, "fuel parameters must be positive")
        }
    }
}

extension ChainParameters: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(maxBlockBytes)
        encoder.encode(maxTransactionsPerBlock)
        encoder.encode(maxTransactionBytes)
        encoder.encode(minFee)
        encoder.encode(fuelPerUdvpn)
        encoder.encode(maxFuelPerCall)
        encoder.encode(channelSettlementWindow)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        maxBlockBytes = try decoder.decodeUInt64()
        maxTransactionsPerBlock = try decoder.decodeUInt32()
        maxTransactionBytes = try decoder.decodeUInt64()
        minFee = try decoder.decode(Amount.self)
        fuelPerUdvpn = try decoder.decodeUInt64()
        maxFuelPerCall = try decoder.decodeUInt64()
        channelSettlementWindow = try decoder.decodeUInt64()
    }
}
