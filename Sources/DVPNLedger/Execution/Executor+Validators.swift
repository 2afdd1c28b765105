/// Validator-set changes by authority (docs/validator-updates.md): an update applies when
/// validators holding more than 2/3 of the current power approved exactly these changes for the
/// current set version. The new set signs from the next block on.
extension Executor {
    func applyValidatorUpdate(_ update: ValidatorUpdate, in pending: inout PendingState) throws(LedgerError) {
        let current = pending.validatorSet
        guard update.setVersion == current.version else {
            throw LedgerError(.ruleViolation, "validator update was approved for set version \(update.setVersion), the current version is \(current.version)")
        }
        try current.requireSupermajority(update.approvals, over: update.approvalMessage(chainID: genesis.chainID), what: "validator update")
        pending.set(.validatorSet, try current.applying(update.changes).canonicalBytes)
    }
}
