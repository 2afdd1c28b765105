/// A block: its header, its transactions in execution order, and the commit that finalised the
/// previous block (absent at height 1).
public struct Block: Hashable, Sendable {
    public var header: BlockHeader
    public var transactions: [Transaction]
    public var lastCommit: Commit?

    public init(header: BlockHeader, transactions: [Transaction], lastCommit: Commit?) {
        self.header = header
        self.transactions = transactions
        self.lastCommit = lastCommit
    }

    public var height: UInt64 { header.height }
    public var hash: Hash256 { header.hash }

    /// The Merkle root the header must carry for these transactions.
    public static func transactionsRoot(_ transactions: [Transaction]) -> Hash256 {
        MerkleRoot.of(transactions.map(\.canonicalBytes))
    }
}

extension Block: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(header)
        encoder.encode(array: transactions, maxCount: LedgerLimits.maxTransactionsPerBlock)
        encoder.encode(optional: lastCommit)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        header = try decoder.decode(BlockHeader.self)
        transactions = try decoder.decodeArray(of: Transaction.self, maxCount: LedgerLimits.maxTransactionsPerBlock)
        lastCommit = try decoder.decodeOptional(of: Commit.self)
    }
}
