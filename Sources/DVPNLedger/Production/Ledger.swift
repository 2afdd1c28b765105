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
/// Thread safety: three locks, so that block execution, mempool admission and the SQLite commit
/// do not all serialise on one mutex (issue 7):
/// - `head` guards the committed state, position and last commit. It is held only to read or
///   replace them, never across execution or I/O: readers take a snapshot (`LedgerState` is an
///   immutable value shared by reference until written) and work on it outside the lock.
/// - `mempool` guards the pending transactions: admission, candidates, the update after a block.
///   Signatures are verified before it is taken (and cached, `SignatureCache`).
/// - `writer` serialises the writers (`commit`, `apply`) across verification and the SQLite
///   write, so the store and memory change together and in order, while reads and admission go
///   on against the previous head.
/// Lock order: `writer`, then `mempool`, then `head`; `head` is never held while taking another.
public final class Ledger: Sendable {
    struct Head: Sendable {
        var state: LedgerState
        var position: ChainPosition
        /// The commit of the block at `position` (nil at height 0).
        var lastCommit: Commit?
    }

    public let store: LedgerStore
    public let executor: Executor
    private let head: Mutex<Head>
    private let mempool: Mutex<Mempool>
    private let writer = Mutex(())
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
        let executor = Executor(genesis: genesis, signatureCache: SignatureCache(capacity: 2 * mempoolLimits.maxTransactions))
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
        self.head = Mutex(Head(state: state, position: position, lastCommit: lastCommit))
        self.mempool = Mutex(Mempool(executor: executor, limits: mempoolLimits))
    }

    // MARK: Reading

    public var position: ChainPosition { head.withLock { $0.position } }
    public var height: UInt64 { position.height }

    /// The committed state now: a snapshot that later blocks do not change. Taking it costs a
    /// reference copy under the head lock; everything done with it happens outside the lock.
    public var state: LedgerState { head.withLock { $0.state } }

    /// Runs `body` on a snapshot of the committed state, outside every lock.
    public func withState<R>(_ body: (LedgerState) throws(LedgerError) -> R) throws(LedgerError) -> R {
        try body(state)
    }

    public func account(_ address: AccountAddress) -> Account {
        state.account(address.publicKey)
    }

    /// The entries of the committed state whose key starts with `prefix`, in key order: a range
    /// scan of the state's ordered index on a snapshot, outside the lock (offer and channel
    /// listings).
    public func entries(withPrefix prefix: [UInt8]) -> [(key: [UInt8], value: [UInt8])] {
        state.entries(withPrefix: prefix)
    }

    /// The current state root and a proof of `key` under it.
    public func proof(for key: StateKey) -> (root: Hash256, height: UInt64, value: [UInt8]?, proof: StateProof) {
        let (state, height) = head.withLock { ($0.state, $0.position.height) }
        return (state.rootHash, height, state.value(forKey: key), state.proof(for: key))
    }

    // MARK: Mempool

    /// Offers a transaction to the mempool, checked against the committed state. The stateless
    /// checks (the signature above all) run before any lock is taken.
    public func submit(_ tx: Transaction) -> MempoolAdmission {
        if let rejection = executor.validateBasic(tx) { return .rejected(rejection) }
        return mempool.withLock { pool in pool.add(tx, state: state) }
    }

    public var mempoolCount: Int { mempool.withLock { $0.count } }

    /// Whether the transaction `id` waits in the mempool.
    public func isPending(_ id: Hash256) -> Bool { mempool.withLock { $0.contains(id) } }

    /// The next nonce `sender` should use, counting its pending transactions.
    public func nextNonce(for sender: Schnorr.PublicKey) -> UInt64 {
        mempool.withLock { pool in state.account(sender).nonce + UInt64(pool.pending(from: sender).count) }
    }

    // MARK: Producing

    /// Builds the next block from the mempool for `proposer`. Executes outside every lock, on a
    /// snapshot of the head and the mempool's candidates.
    public func buildBlock(proposer: Schnorr.PublicKey, time: Timestamp) -> BuiltBlock {
        let snapshot = head.withLock { $0 }
        let builder = BlockBuilder(executor: executor)
        let candidates = mempool.withLock { pool in
            builder.candidates(from: pool, lastCommit: snapshot.lastCommit, proposer: proposer)
        }
        return builder.build(on: snapshot.state, after: snapshot.position, lastCommit: snapshot.lastCommit,
                             proposer: proposer, time: time, candidates: candidates)
    }

    /// Stores a block this node built, with the commit that finalised it, and advances.
    @discardableResult
    public func commit(_ built: BuiltBlock, commit: Commit) throws(LedgerError) -> CommittedBlock {
        try writer.withLock { (_: inout ()) throws(LedgerError) -> CommittedBlock in
            let current = head.withLock { $0 }
            guard built.execution.baseRoot == current.state.rootHash, built.block.header.previousBlockHash == current.position.blockHash else {
                throw LedgerError(.ruleViolation, "block \(built.block.height) was built on another head")
            }
            return try append(built.block, execution: built.execution, commit: commit, on: current)
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

    /// Removes from the mempool the candidates the executor refused while building `built`, so
    /// that a proposer does not offer them again (a consensus engine calls it after building).
    public func dropRejected(_ built: BuiltBlock) {
        mempool.withLock { pool in for r in built.rejected { pool.remove(r.transaction.id) } }
    }

    // MARK: Following

    /// Verifies and stores a block received from the network with its commit.
    @discardableResult
    public func apply(_ block: Block, commit: Commit) throws(LedgerError) -> CommittedBlock {
        try writer.withLock { (_: inout ()) throws(LedgerError) -> CommittedBlock in
            let current = head.withLock { $0 }
            switch executor.verify(block, after: current.position, state: current.state) {
            case .invalid(let violation):
                throw violation.error
            case .valid(let execution):
                return try append(block, execution: execution, commit: commit, on: current)
            }
        }
    }

    /// Checks the commit against the set in force at the block's height, writes everything in
    /// one SQLite transaction (holding only `writer`), then swaps the head and updates the
    /// mempool. The caller holds `writer`, so `current` is still the head.
    private func append(_ block: Block, execution: BlockExecution, commit: Commit, on current: Head) throws(LedgerError) -> CommittedBlock {
        let validators = current.state.validatorSet
        guard commit.height == block.height, commit.blockHash == block.hash else {
            throw LedgerError(.ruleViolation, "commit is for block \(commit.height) \(commit.blockHash), not \(block.height) \(block.hash)")
        }
        try commit.verify(chainID: genesis.chainID, validators: validators)
        try store.append(block, commit: commit, receipts: execution.receipts, changes: execution.changes)
        var next = current
        next.state.commit(execution)
        next.position = ChainPosition(height: block.height, blockHash: block.hash, time: block.header.time, validators: validators)
        next.lastCommit = commit
        let committedState = next.state
        head.withLock { $0 = next }
        mempool.withLock { pool in _ = pool.update(afterCommitting: block.transactions, state: committedState) }
        logger.debug("committed block", metadata: ["height": "\(block.height)", "txs": "\(block.transactions.count)"])
        return CommittedBlock(block: block, receipts: execution.receipts, commit: commit)
    }
}
