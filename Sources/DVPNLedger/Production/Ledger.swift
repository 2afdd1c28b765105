import DVPNCrypto
import Logging
import Synchronization

/// A block that is final and stored.
public struct CommittedBlock: Sendable {
    public let block: Block
    public let receipts: [Receipt]
    public let commit: Commit
}

/// One node's ledger: the store, the executor, the committed state in memory, the chain position
/// and the mempool, kept consistent with each other.
///
/// This is the entry point services use: submit transactions, build and commit blocks (a
/// proposer), apply blocks received from others (a follower), and read state.
///
/// Thread safety: one mutex guards the in-memory head (state, position, mempool); committing a
/// block holds it across the SQLite write, so the store and memory change together.
public final class Ledger: Sendable {
    struct Head: Sendable {
        var state: LedgerState
        var position: ChainPosition
        /// The commit of the block at `position` (nil at height 0).
        var lastCommit: Commit?
        var mempool: Mempool
    }

    public let store: LedgerStore
    public let executor: Executor
    private let head: Mutex<Head>
    private let logger: Logger

    public var genesis: Genesis { executor.genesis }

    /// Opens the ledger in `store`, initialising it with `genesis` and the pinned contracts' code
    /// if it is empty; an existing store must hold the same genesis. Checks that the stored state
    /// matches the last block's state root.
    public init(store: LedgerStore, genesis: Genesis, contractCode: [String: [UInt8]],
                mempoolLimits: MempoolLimits = MempoolLimits(), logger: Logger = Logger(label: "dvpn.ledger")) throws(LedgerError) {
        if try store.genesis() == nil {
            let (_, changes) = try LedgerState.genesis(genesis, contractCode: contractCode)
            try store.initialize(genesis: genesis, genesisChanges: changes)
        } else if try store.genesis() != genesis {
            throw LedgerError(.storage, "\(store.path) holds another chain's genesis")
        }
        let executor = Executor(genesis: genesis)
        let state = try store.loadState()
        let tip = try store.tipHeight()
        var position = ChainPosition.genesis(genesis)
        var lastCommit: Commit?
        if tip > 0 {
            guard let header = try store.header(at: tip), let commit = try store.commit(at: tip) else {
                throw LedgerError(.storage, "block \(tip) or its commit is missing from \(store.path)")
            }
            guard header.stateRoot == state.rootHash else {
                throw LedgerError(.storage, "the stored state has root \(state.rootHash), block \(tip) says \(header.stateRoot); run `dvpn ledger verify`")
            }
            let validators = try store.validatorSet(inForceAt: tip)
            guard validators.hash == header.validatorSetHash else {
                throw LedgerError(.storage, "the validator set stored for block \(tip) does not match its header")
            }
            position = ChainPosition(height: tip, blockHash: header.hash, time: header.time, validators: validators)
            lastCommit = commit
        }
        self.store = store
        self.executor = executor
        self.logger = logger
        self.head = Mutex(Head(state: state, position: position, lastCommit: lastCommit,
                               mempool: Mempool(executor: executor, limits: mempoolLimits)))
    }

    // MARK: Reading

    public var position: ChainPosition { head.withLock { $0.position } }
    public var height: UInt64 { position.height }

    /// Runs `body` on the committed state (under the lock: keep it short).
    public func withState<R>(_ body: (LedgerState) throws(LedgerError) -> R) throws(LedgerError) -> R {
        try head.withLock { (head: inout Head) throws(LedgerError) -> R in try body(head.state) }
    }

    public func account(_ address: AccountAddress) -> Account {
        head.withLock { $0.state.account(address.publicKey) }
    }

    /// The current state root and a proof of `key` under it.
    public func proof(for key: StateKey) -> (root: Hash256, height: UInt64, value: [UInt8]?, proof: StateProof) {
        head.withLock { ($0.state.rootHash, $0.position.height, $0.state.value(forKey: key), $0.state.proof(for: key)) }
    }

    // MARK: Mempool

    /// Offers a transaction to the mempool, checked against the committed state.
    public func submit(_ tx: Transaction) -> MempoolAdmission {
        head.withLock { head in head.mempool.add(tx, state: head.state) }
    }

    public var mempoolCount: Int { head.withLock { $0.mempool.count } }

    /// Whether the transaction `id` waits in the mempool.
    public func isPending(_ id: Hash256) -> Bool { head.withLock { $0.mempool.contains(id) } }

    /// The next nonce `sender` should use, counting its pending transactions.
    public func nextNonce(for sender: Schnorr.PublicKey) -> UInt64 {
        head.withLock { $0.state.account(sender).nonce + UInt64($0.mempool.pending(from: sender).count) }
    }

    // MARK: Producing

    /// Builds the next block from the mempool for `proposer`.
    public func buildBlock(proposer: Schnorr.PublicKey, time: Timestamp) -> BuiltBlock {
        head.withLock { head in
            BlockBuilder(executor: executor).build(on: head.state, after: head.position, lastCommit: head.lastCommit,
                                                   proposer: proposer, time: time, mempool: head.mempool)
        }
    }

    /// Stores a block this node built, with the commit that finalised it, and advances.
    @discardableResult
    public func commit(_ built: BuiltBlock, commit: Commit) throws(LedgerError) -> CommittedBlock {
        try head.withLock { (head: inout Head) throws(LedgerError) -> CommittedBlock in
            guard built.execution.baseRoot == head.state.rootHash, built.block.header.previousBlockHash == head.position.blockHash else {
                throw LedgerError(.ruleViolation, "block \(built.block.height) was built on another head")
            }
            return try append(built.block, execution: built.execution, commit: commit, to: &head)
        }
    }

    /// Builds, self-signs and commits a block: the single-validator devnet's producer step.
    /// Returns nil when there is nothing to put in a block and `allowEmpty` is false.
    public func produceBlock(signer: CommitSigner, time: Timestamp, allowEmpty: Bool = true) throws(LedgerError) -> CommittedBlock? {
        let built = buildBlock(proposer: signer.validator, time: time)
        if built.block.transactions.isEmpty, !allowEmpty {
            dropRejected(built)
            return nil
        }
        let committed = try commit(built, commit: try signer.soloCommit(for: built.block))
        dropRejected(built)
        return committed
    }

    private func dropRejected(_ built: BuiltBlock) {
        head.withLock { head in for r in built.rejected { head.mempool.remove(r.transaction.id) } }
    }

    // MARK: Following

    /// Verifies and stores a block received from the network with its commit.
    @discardableResult
    public func apply(_ block: Block, commit: Commit) throws(LedgerError) -> CommittedBlock {
        try head.withLock { (head: inout Head) throws(LedgerError) -> CommittedBlock in
            switch executor.verify(block, after: head.position, state: head.state) {
            case .invalid(let violation):
                throw violation.error
            case .valid(let execution):
                return try append(block, execution: execution, commit: commit, to: &head)
            }
        }
    }

    /// Checks the commit against the set in force at the block's height, writes everything in
    /// one SQLite transaction, then advances memory.
    private func append(_ block: Block, execution: BlockExecution, commit: Commit, to head: inout Head) throws(LedgerError) -> CommittedBlock {
        let validators = head.state.validatorSet
        guard commit.height == block.height, commit.blockHash == block.hash else {
            throw LedgerError(.ruleViolation, "commit is for block \(commit.height) \(commit.blockHash), not \(block.height) \(block.hash)")
        }
        try commit.verify(chainID: genesis.chainID, validators: validators)
        try store.append(block, commit: commit, receipts: execution.receipts, changes: execution.changes)
        head.state.commit(execution)
        head.position = ChainPosition(height: block.height, blockHash: block.hash, time: block.header.time, validators: validators)
        head.lastCommit = commit
        head.mempool.update(afterCommitting: block.transactions, state: head.state)
        logger.debug("committed block", metadata: ["height": "\(block.height)", "txs": "\(block.transactions.count)"])
        return CommittedBlock(block: block, receipts: execution.receipts, commit: commit)
    }
}
