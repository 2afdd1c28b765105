import DVPNCrypto

/// A block a proposer built: the block (without its commit yet) and the execution that produced
/// its roots, ready to be committed to the store and the in-memory state.
public struct BuiltBlock: Sendable {
    public let block: Block
    public let execution: BlockExecution

    public var receipts: [Receipt] { execution.receipts }
    /// Candidates the executor refused (they should leave the mempool).
    public var rejected: [RejectedTransaction] { execution.rejected }
}

/// Builds the next block for a proposer: takes transactions within the chain's limits, executes
/// them, and fills the header with the resulting roots.
public struct BlockBuilder: Sendable {
    public let executor: Executor

    public init(executor: Executor) { self.executor = executor }

    /// Builds on `state` (the state after `parent`). `lastCommit` must be the parent's commit
    /// (nil at height 1). The block time is `time`, moved forward to 1 ms after the parent's if
    /// the clock is behind, so times always increase.
    public func build(on state: LedgerState, after parent: ChainPosition, lastCommit: Commit?, proposer: Schnorr.PublicKey,
                      time: Timestamp, candidates: [Transaction]) -> BuiltBlock {
        let params = executor.genesis.params
        let height = parent.height + 1
        let blockTime = BlockTime.proposalTime(now: time, parent: parent.time)
        let budget = transactionBudget(lastCommit: lastCommit, proposer: proposer)
        var chosen: [Transaction] = []
        var bytes = 0
        for tx in candidates.prefix(Int(params.maxTransactionsPerBlock)) {
            let size = tx.canonicalBytes.count
            guard bytes + size <= budget else { break }
            chosen.append(tx)
            bytes += size
        }
        let execution = executor.execute(chosen, on: state, context: BlockContext(height: height, time: blockTime, proposer: proposer))
        let header = BlockHeader(
            chainID: executor.genesis.chainID, height: height, time: blockTime, previousBlockHash: parent.blockHash,
            lastCommitHash: lastCommit?.hash ?? .zero, transactionsRoot: execution.transactionsRoot,
            receiptsRoot: execution.receiptsRoot, stateRoot: execution.stateRoot,
            validatorSetHash: state.validatorSet.hash, proposer: proposer)
        return BuiltBlock(block: Block(header: header, transactions: execution.transactions, lastCommit: lastCommit), execution: execution)
    }

    /// Builds from the mempool's best candidates.
    public func build(on state: LedgerState, after parent: ChainPosition, lastCommit: Commit?, proposer: Schnorr.PublicKey,
                      time: Timestamp, mempool: Mempool) -> BuiltBlock {
        build(on: state, after: parent, lastCommit: lastCommit, proposer: proposer, time: time,
              candidates: candidates(from: mempool, lastCommit: lastCommit, proposer: proposer))
    }

    /// The mempool's best candidates within the block's limits.
    public func candidates(from mempool: Mempool, lastCommit: Commit?, proposer: Schnorr.PublicKey) -> [Transaction] {
        mempool.candidates(
            maxTransactions: Int(executor.genesis.params.maxTransactionsPerBlock),
            maxBytes: transactionBudget(lastCommit: lastCommit, proposer: proposer))
    }

    /// Bytes left for transactions once the header, the commit and the framing are counted.
    private func transactionBudget(lastCommit: Commit?, proposer: Schnorr.PublicKey) -> Int {
        let empty = Block(
            header: BlockHeader(chainID: executor.genesis.chainID, height: 0, time: Timestamp(millisecondsSince1970: 0),
                                previousBlockHash: .zero, lastCommitHash: .zero, transactionsRoot: .zero, receiptsRoot: .zero,
                                stateRoot: .zero, validatorSetHash: .zero, proposer: proposer),
            transactions: [], lastCommit: lastCommit)
        return max(0, Int(executor.genesis.params.maxBlockBytes) - empty.canonicalBytes.count)
    }
}

/// Signs precommits for the local validator.
public struct CommitSigner: Sendable {
    public let key: Schnorr.PrivateKey
    public let chainID: String

    public init(key: Schnorr.PrivateKey, chainID: String) {
        self.key = key
        self.chainID = chainID
    }

    public var validator: Schnorr.PublicKey { key.publicKey }

    /// This validator's precommit for `block` in `round`.
    public func precommit(for block: Block, round: UInt32 = 0) throws(LedgerError) -> Vote {
        try Vote.sign(chainID: chainID, kind: .precommit, height: block.height, round: round, blockHash: block.hash, with: key)
    }

    /// A commit made of this validator's precommit alone: final only when this validator holds
    /// more than 2/3 of the power (a single-validator devnet); `Commit.verify` decides.
    public func soloCommit(for block: Block, round: UInt32 = 0) throws(LedgerError) -> Commit {
        try Commit(precommits: [precommit(for: block, round: round)])
    }
}
