/// Validator-set changes by authority (docs/validator-updates.md): an update applies when
/// validators holding more than 2/3 of the current power approved exactly these changes for the
/// current set version. The new set signs from the next block on.
extension Executor {
    func applyValidatorUpdate(_ update: ValidatorUpdate, in pending: inout PendingState, context: BlockContext) throws(PayloadFailure) {
        let current = pending.validatorSet
        guard update.setVersion == current.version else {
            throw PayloadFailure(.staleValidatorSetVersion(current: current.version),
                                 "validator update was approved for set version \(update.setVersion), the current version is \(current.version)")
        }
        do {
            try current.requireSupermajority(update.approvals, over: update.approvalMessage(chainID: genesis.chainID), what: "validator update")
        } catch {
            throw PayloadFailure(.insufficientApprovals, error.reason)
        }
        let next: ValidatorSet
        do {
            next = try current.applying(update.changes)
        } catch {
            throw PayloadFailure(.invalidValidatorSet, error.reason)
        }
        pending.setValidatorSet(next, inForceFrom: context.height + 1)
    }
}

extension PendingState {
    /// Writes the set in force from `height` on (the block after the one executing), and records
    /// it in the validator-set history that evidence is judged against (docs/evidence.md).
    mutating func setValidatorSet(_ set: ValidatorSet, inForceFrom height: UInt64) {
        let bytes = set.canonicalBytes
        self.set(.validatorSet, bytes)
        self.set(.validatorSetHistory(fromHeight: height), bytes)
    }
}

extension LedgerState {
    /// The validator set in force at `height` (≥ 1), from the history of changes: the last entry
    /// from a height ≤ `height`, or the genesis set when the set had not changed by then. A range
    /// scan of the ordered key index; the history has one entry per change.
    public func validatorSet(inForceAt height: UInt64, genesis: Genesis) throws(LedgerError) -> ValidatorSet {
        var found: [UInt8]?
        for entry in entries(withPrefix: StateKey.validatorSetHistoryPrefix) {
            guard case .validatorSetHistory(let from)? = try? StateKey(bytes: entry.key), from <= height else { break }
            found = entry.value
        }
        guard let found else { return genesis.validators }
        return try ValidatorSet(canonicalBytes: found)
    }
}
