import DVPNContractRuntime

/// The audit's working state: the replayed ledger, where each key last changed, the report.
struct AuditReplay {
    let store: LedgerStore
    let genesis: Genesis
    let executor: Executor
    var state: LedgerState
    var position: ChainPosition
    var report: AuditReport
    /// State key → height of its last change, to check the stored state's height column.
    var lastChange: [[UInt8]: UInt64] = [:]
    /// Transaction id → where the replay saw it.
    var locations: [[UInt8]: TransactionLocation] = [:]

    init(store: LedgerStore, expectedGenesis: Genesis?, contractLimits: ContractLimits) throws {
        self.store = store
        let stored = try Self.storedGenesis(store)
        guard let stored else { throw AuditFailure(0, .genesisMismatch, "the database holds no genesis") }
        if let expectedGenesis, expectedGenesis != stored {
            throw AuditFailure(0, .genesisMismatch, "stored genesis \(stored.hash) differs from the expected genesis \(expectedGenesis.hash)")
        }
        genesis = stored
        executor = Executor(genesis: stored, contractLimits: contractLimits)
        report = AuditReport(chainID: stored.chainID)
        report.genesisSupply = stored.totalSupply

        // Genesis state: rebuild it from the genesis and the stored contract code, which must
        // hash to the pins, and compare with what is stored as height 0.
        let storedChanges = try store.genesisStateChanges()
        var code: [String: [UInt8]] = [:]
        for (key, value) in storedChanges {
            if case .contractCode(let name)? = try? StateKey(bytes: key), let value { code[name] = value }
        }
        let built: (state: LedgerState, changes: StateChanges)
        do {
            built = try LedgerState.genesis(stored, contractCode: code)
        } catch {
            throw AuditFailure(0, .contractCodeMismatch, error.reason)
        }
        if let problem = Self.difference(expected: built.changes, stored: storedChanges) {
            throw AuditFailure(0, .stateChangesMismatch, problem)
        }
        // Every pinned module must load (validation: no floats, only the host ABI).
        for contract in stored.contracts {
            do {
                _ = try executor.loadModule(contract.name, from: built.state)
            } catch {
                throw AuditFailure(0, .contractCodeMismatch, error.reason)
            }
        }
        state = built.state
        position = .genesis(stored)
        for key in built.changes.writes.keys { lastChange[key] = 0 }
    }

    /// The stored genesis; one that does not decode is a violation at height 0, an unreadable
    /// database an error.
    private static func storedGenesis(_ store: LedgerStore) throws -> Genesis? {
        let result: Result<Genesis?, LedgerError>
        do {
            result = .success(try store.genesis())
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let genesis): return genesis
        case .failure(let error) where error.code == .storage: throw error
        case .failure(let error): throw AuditFailure(0, .genesisMismatch, "stored genesis does not decode: \(error.reason)")
        }
    }

    mutating func run(progress: (AuditProgress) -> Void) throws {
        let heights = try store.blockHeights()
        for (offset, height) in heights.enumerated() where height != UInt64(offset) + 1 {
            throw AuditFailure(UInt64(offset) + 1, .missingBlock, "no block is stored at height \(offset + 1) (the next stored one is \(height))")
        }
        let tip = UInt64(heights.count)
        for height in stride(from: UInt64(1), through: tip, by: 1) {
            try replayBlock(height)
            progress(AuditProgress(height: height, tipHeight: tip, transactions: report.transactions))
        }
        // Rows left at heights without a block (a deleted last block, a moved row).
        let orphans = try store.orphans()
        if let (table, height) = orphans.firstOrphanHeight.min(by: { $0.value < $1.value }) {
            throw AuditFailure(height, .missingBlock, "table \(table) has rows at height \(height), where no block is stored")
        }
        try checkStoredState(tip: tip)
        try checkIndex()
        let supply = try state.supply()
        guard try supply.total() == genesis.totalSupply else {
            throw AuditFailure(tip, .supplyNotConserved, "balances \(supply.balances) + escrow \(supply.escrow) + burned \(supply.burned) ≠ genesis supply \(genesis.totalSupply)")
        }
        report.finalSupply = supply
        report.feesBurned = supply.burned
        report.stateRoot = state.rootHash
    }

    private mutating func replayBlock(_ height: UInt64) throws {
        guard let record = try store.record(at: height) else { throw AuditFailure(height, .missingBlock, "block \(height) vanished during the audit") }
        let decoded: DecodedBlockRecord
        do {
            decoded = try record.decoded()
        } catch {
            throw AuditFailure(height, .malformedRecord, error.reason)
        }
        let block = decoded.block
        let validators = state.validatorSet
        let execution: BlockExecution
        switch executor.verify(block, after: position, state: state) {
        case .invalid(let violation): throw AuditFailure(violation: violation)
        case .valid(let e): execution = e
        }
        let commit = decoded.commit
        guard commit.height == height, commit.blockHash == block.hash else {
            throw AuditFailure(height, .commitInvalid, "the stored commit is for block \(commit.height) \(commit.blockHash), not \(block.hash)")
        }
        do {
            try commit.verify(chainID: genesis.chainID, validators: validators)
        } catch {
            throw AuditFailure(height, .commitInvalid, error.reason)
        }
        if decoded.receipts.count != execution.receipts.count {
            throw AuditFailure(height, .receiptMismatch, "\(decoded.receipts.count) receipts are stored for \(execution.receipts.count) transactions")
        }
        for (index, (stored, replayed)) in zip(decoded.receipts, execution.receipts).enumerated() where stored != replayed {
            throw AuditFailure(height, tx: index, .receiptMismatch, "stored receipt differs from the re-executed one")
        }
        if let problem = Self.difference(expected: execution.changes, stored: record.stateChanges) {
            throw AuditFailure(height, .stateChangesMismatch, problem)
        }
        count(block, execution.receipts)
        for key in execution.changes.writes.keys { lastChange[key] = height }
        for (index, tx) in block.transactions.enumerated() { locations[tx.id.bytes] = TransactionLocation(height: height, index: index) }
        state.commit(execution)
        position = ChainPosition(height: height, blockHash: block.hash, time: block.header.time, validators: validators)
        report.lastVerifiedHeight = height
        report.lastVerifiedHash = block.hash
    }

    private mutating func count(_ block: Block, _ receipts: [Receipt]) {
        report.blocks += 1
        report.transactions += UInt64(block.transactions.count)
        for (tx, receipt) in zip(block.transactions, receipts) {
            guard case .contractCall(let call) = tx.payload else {
                if !receipt.succeeded { report.failedTransactions += 1 }
                continue
            }
            report.contractCalls += 1
            guard receipt.succeeded else {
                report.failedTransactions += 1
                continue
            }
            guard call.contract == "channels" else { continue }
            switch call.method {
            case "open":
                report.channelsOpened += 1
            case "redeem":
                report.channelsRedeemed += 1
                addPaidToOperators(receipt.payouts)
            case "closeCooperative":
                report.channelsClosedCooperatively += 1
                // The sender is the payer; what goes to anyone else goes to the payee.
                addPaidToOperators(receipt.payouts.filter { $0.to.publicKey != tx.sender })
            case "reclaim":
                report.channelsReclaimed += 1
            default:
                break
            }
        }
    }

    private mutating func addPaidToOperators(_ payouts: [Payout]) {
        for payout in payouts {
            // Payouts come out of escrow, which the supply check bounds; the sum cannot overflow.
            report.paidToOperators = (try? report.paidToOperators.adding(payout.amount)) ?? report.paidToOperators
        }
    }

    /// The stored current state must be exactly the replayed state, each row carrying the
    /// height of its key's last change.
    private func checkStoredState(tip: UInt64) throws {
        let rows = try store.stateRows()
        let expected = state.entries
        var i = 0, j = 0
        while i < rows.count || j < expected.count {
            let row = i < rows.count ? rows[i] : nil
            let want = j < expected.count ? expected[j] : nil
            if let row, let want, row.key == want.key {
                let changed = lastChange[want.key] ?? 0
                guard row.value == want.value else {
                    throw AuditFailure(changed, .storedStateMismatch, "stored value of \(Self.describe(row.key)) differs from the replay")
                }
                guard row.height == changed else {
                    throw AuditFailure(changed, .storedStateMismatch, "stored state row of \(Self.describe(row.key)) says it changed at \(row.height), the replay at \(changed)")
                }
                i += 1
                j += 1
            } else if let row, want == nil || row.key.lexicographicallyPrecedes(want!.key) {
                throw AuditFailure(min(row.height, tip), .storedStateMismatch, "stored state has a row for \(Self.describe(row.key)) that the replay does not")
            } else if let want {
                throw AuditFailure(lastChange[want.key] ?? tip, .storedStateMismatch, "stored state lacks \(Self.describe(want.key))")
            }
        }
    }

    private func checkIndex() throws {
        let rows = try store.transactionIndexRows()
        for row in rows {
            guard let location = locations[row.id], location == TransactionLocation(height: row.height, index: row.index) else {
                throw AuditFailure(row.height, tx: row.index, .indexMismatch, "transaction index entry \(Hex.encode(row.id)) does not match the blocks")
            }
        }
        guard rows.count == locations.count else {
            let indexed = Set(rows.map(\.id))
            let missing = locations.filter { !indexed.contains($0.key) }.min { ($0.value.height, $0.value.index) < ($1.value.height, $1.value.index) }
            throw AuditFailure(missing?.value.height ?? 0, tx: missing?.value.index, .indexMismatch, "a transaction is missing from the transaction index")
        }
    }

    /// Nil when the stored changes are exactly the expected ones.
    static func difference(expected: StateChanges, stored: [(key: [UInt8], value: [UInt8]?)]) -> String? {
        let want = expected.sorted
        guard want.count == stored.count else {
            return "\(stored.count) state changes are stored, re-execution makes \(want.count)"
        }
        for (w, s) in zip(want, stored) where w.key != s.key || w.value != s.value {
            return "stored change of \(describe(s.key)) differs from re-execution"
        }
        return nil
    }

    static func describe(_ rawKey: [UInt8]) -> String {
        (try? StateKey(bytes: rawKey))?.description ?? "malformed key \(Hex.encode(rawKey.prefix(40)))"
    }
}

extension AuditFailure {
    init(violation: ChainViolation) { self.violation = violation }
}
