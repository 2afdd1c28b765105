import DVPNCrypto

/// A block header: everything a commit signs (through the header hash).
///
/// Each header links to its predecessor (`previousBlockHash`; for height 1, the genesis hash) and
/// commits to the previous block's commit, this block's transactions and receipts, the state root
/// after executing them, and the validator set in force at this height. Two honest replicas that
/// disagree on any of it disagree on the block hash at the first differing height.
public struct BlockHeader: Hashable, Sendable {
    public var chainID: String
    public var height: UInt64
    public var time: Timestamp
    /// The hash of block `height - 1`, or the genesis hash at height 1.
    public var previousBlockHash: Hash256
    /// `Commit.hash` of `Block.lastCommit`; zero at height 1, which has no previous block.
    public var lastCommitHash: Hash256
    /// RFC 6962 Merkle root over the canonical transactions.
    public var transactionsRoot: Hash256
    /// RFC 6962 Merkle root over the canonical receipts, in transaction order.
    public var receiptsRoot: Hash256
    /// State root after this block's transactions.
    public var stateRoot: Hash256
    /// `ValidatorSet.hash` of the set that must sign this block's commit.
    public var validatorSetHash: Hash256
    public var proposer: Schnorr.PublicKey

    public init(chainID: String, height: UInt64, time: Timestamp, previousBlockHash: Hash256, lastCommitHash: Hash256,
                transactionsRoot: Hash256, receiptsRoot: Hash256, stateRoot: Hash256, validatorSetHash: Hash256, proposer: Schnorr.PublicKey) {
        self.chainID = chainID
        self.height = height
        self.time = time
        self.previousBlockHash = previousBlockHash
        self.lastCommitHash = lastCommitHash
        self.transactionsRoot = transactionsRoot
        self.receiptsRoot = receiptsRoot
        self.stateRoot = stateRoot
        self.validatorSetHash = validatorSetHash
        self.proposer = proposer
    }

    /// The block hash: a tagged SHA-256 of the canonical header.
    public var hash: Hash256 { Hash256.tagged("dvpn/block-header", canonicalBytes) }
}

extension BlockHeader: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(string: chainID, maxLength: LedgerLimits.chainIDMaxLength)
        encoder.encode(height)
        encoder.encode(time)
        encoder.encode(previousBlockHash)
        encoder.encode(lastCommitHash)
        encoder.encode(transactionsRoot)
        encoder.encode(receiptsRoot)
        encoder.encode(stateRoot)
        encoder.encode(validatorSetHash)
        encoder.encode(proposer)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        chainID = try decoder.decodeString(maxLength: LedgerLimits.chainIDMaxLength)
        height = try decoder.decodeUInt64()
        time = try decoder.decode(Timestamp.self)
        previousBlockHash = try decoder.decode(Hash256.self)
        lastCommitHash = try decoder.decode(Hash256.self)
        transactionsRoot = try decoder.decode(Hash256.self)
        receiptsRoot = try decoder.decode(Hash256.self)
        stateRoot = try decoder.decode(Hash256.self)
        validatorSetHash = try decoder.decode(Hash256.self)
        proposer = try decoder.decode(Schnorr.PublicKey.self)
    }
}
