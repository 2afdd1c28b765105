/// What the verifier must know about the chain before the next block: the last block's height,
/// hash and time, and the validator set that had to sign its commit. At height 0 that is the
/// genesis hash and time.
public struct ChainPosition: Hashable, Sendable {
    public var height: UInt64
    public var blockHash: Hash256
    public var time: Timestamp
    /// The set in force at `height` (it signs that block's commit); unused at height 0.
    public var validators: ValidatorSet

    public init(height: UInt64, blockHash: Hash256, time: Timestamp, validators: ValidatorSet) {
        self.height = height
        self.blockHash = blockHash
        self.time = time
        self.validators = validators
    }

    public static func genesis(_ genesis: Genesis) -> ChainPosition {
        ChainPosition(height: 0, blockHash: genesis.hash, time: genesis.genesisTime, validators: genesis.validators)
    }
}

/// The outcome of verifying a block.
public enum BlockVerification: Sendable {
    case valid(BlockExecution)
    case invalid(ChainViolation)
}

extension Executor {
    /// Verifies `block` as the successor of `parent` on `state` (the state after `parent`):
    /// header links and limits, the previous block's commit against the set that was in force
    /// then, every transaction, and the roots and supply after re-executing them.
    public func verify(_ block: Block, after parent: ChainPosition, state: LedgerState) -> BlockVerification {
        let header = block.header
        // Violations name the height the block stands at, which a corrupted header cannot move.
        let height = parent.height + 1
        func fail(_ rule: ChainViolation.Rule, _ detail: String, tx: Int? = nil) -> BlockVerification {
            .invalid(ChainViolation(height: height, transactionIndex: tx, rule: rule, detail: detail))
        }
        guard header.chainID == genesis.chainID else { return fail(.chainID, "header names chain \"\(header.chainID)\"") }
        guard header.height == height else { return fail(.heightSequence, "expected height \(height), header says \(header.height)") }
        guard header.previousBlockHash == parent.blockHash else {
            return fail(.previousBlockHash, "header links to \(header.previousBlockHash), the previous block is \(parent.blockHash)")
        }
        guard BlockTime.isMonotonic(header.time, parent: parent.time) else {
            return fail(.timeNotIncreasing, "time \(header.time) is not after \(parent.time)")
        }
        if let violation = checkLastCommit(block, parent: parent) { return .invalid(violation) }

        let validators = state.validatorSet
        guard header.validatorSetHash == validators.hash else {
            return fail(.validatorSetHash, "header names validator set \(header.validatorSetHash), the set in force is \(validators.hash)")
        }
        guard validators.contains(header.proposer) else {
            return fail(.proposerNotValidator, "proposer \(Hex.encode(header.proposer.rawRepresentation)) is not in the set")
        }
        guard block.transactions.count <= Int(genesis.params.maxTransactionsPerBlock) else {
            return fail(.blockTooLarge, "\(block.transactions.count) transactions, the limit is \(genesis.params.maxTransactionsPerBlock)")
        }
        let size = block.canonicalBytes.count
        guard UInt64(size) <= genesis.params.maxBlockBytes else {
            return fail(.blockTooLarge, "\(size) bytes, the limit is \(genesis.params.maxBlockBytes)")
        }
        let txRoot = Block.transactionsRoot(block.transactions)
        guard header.transactionsRoot == txRoot else { return fail(.transactionsRoot, "header says \(header.transactionsRoot), transactions hash to \(txRoot)") }

        let execution = execute(block.transactions, on: state, context: BlockContext(height: height, time: header.time, proposer: header.proposer))
        if let first = execution.rejected.first {
            return fail(.transactionRejected, first.rejection.description, tx: first.index)
        }
        guard header.receiptsRoot == execution.receiptsRoot else {
            return fail(.receiptsRoot, "header says \(header.receiptsRoot), re-execution gives \(execution.receiptsRoot)")
        }
        guard header.stateRoot == execution.stateRoot else {
            return fail(.stateRoot, "header says \(header.stateRoot), re-execution gives \(execution.stateRoot)")
        }
        if let problem = SupplyTotals.conservationProblem(base: state, changes: execution.changes) {
            return fail(.supplyNotConserved, problem)
        }
        return .valid(execution)
    }

    /// Height 1 carries no commit; every later block carries a valid commit of its parent.
    private func checkLastCommit(_ block: Block, parent: ChainPosition) -> ChainViolation? {
        let height = parent.height + 1
        guard let commit = block.lastCommit else {
            guard parent.height == 0 else {
                return ChainViolation(height: height, rule: .commitInvalid, detail: "block carries no commit for block \(parent.height)")
            }
            guard block.header.lastCommitHash == .zero else {
                return ChainViolation(height: height, rule: .lastCommitHash, detail: "block 1 must carry a zero last commit hash")
            }
            return nil
        }
        guard parent.height > 0 else {
            return ChainViolation(height: height, rule: .commitInvalid, detail: "block 1 cannot carry a commit")
        }
        guard block.header.lastCommitHash == commit.hash else {
            return ChainViolation(height: height, rule: .lastCommitHash, detail: "header says \(block.header.lastCommitHash), the carried commit hashes to \(commit.hash)")
        }
        guard commit.height == parent.height, commit.blockHash == parent.blockHash else {
            return ChainViolation(height: height, rule: .commitInvalid, detail: "carried commit is for block \(commit.height) \(commit.blockHash), not the parent \(parent.height) \(parent.blockHash)")
        }
        do {
            try commit.verify(chainID: genesis.chainID, validators: parent.validators)
        } catch {
            return ChainViolation(height: height, rule: .commitInvalid, detail: error.reason)
        }
        return nil
    }
}

extension SupplyTotals {
    /// Nil when `changes` keep balances + escrow + burned fees equal to what they were in `base`;
    /// otherwise a description of the difference. Only the changed keys are visited.
    public static func conservationProblem(base: some StateReader, changes: StateChanges) -> String? {
        var before: UInt64 = 0, after: UInt64 = 0
        func money(_ key: StateKey, _ raw: [UInt8]?) -> UInt64? {
            guard let raw else { return 0 }
            switch key {
            case .account: return (try? Account(canonicalBytes: raw))?.balance.udvpn
            case .contractBalance, .burnedFees: return (try? Amount(canonicalBytes: raw))?.udvpn
            default: return 0
            }
        }
        for (rawKey, newValue) in changes.writes {
            guard let key = try? StateKey(bytes: rawKey) else { return "changes hold a malformed key \(Hex.encode(rawKey))" }
            guard let old = money(key, base.value(forKey: key)), let new = money(key, newValue) else {
                return "\(key) holds a malformed value"
            }
            let (b, o1) = before.addingReportingOverflow(old)
            let (a, o2) = after.addingReportingOverflow(new)
            guard !o1, !o2 else { return "money in the changed keys overflows" }
            before = b
            after = a
        }
        guard before == after else {
            return "the changed balances, escrow and burned fees held \(Amount(udvpn: before)) before and \(Amount(udvpn: after)) after"
        }
        return nil
    }
}
