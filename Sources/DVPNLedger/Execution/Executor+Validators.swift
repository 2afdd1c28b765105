/// Validator-set changes by authority (docs/validator-updates.md): an update applies when
/// validators holding more than 2/3 of the current power approved exactly these changes for the
/// current set version. The new set signs from the next block on.
extension Executor {
    func applyValidatorUpdate(_ update: ValidatorUpdate, in pending: inout PendingState) throws(LedgerError) {
        let current = pending.validatorSet
        guard update.setVersion == current.version else {
            throw LedgerError(.ruleViolation, "validator update was approved for set version \(update.setVersion), the current version is \(current.version)")
        }
        let message = update.approvalMessage(chainID: genesis.chainID)
        var power: UInt64 = 0
        for approval in update.approvals {
            guard let p = current.power(of: approval.validator) else {
                throw LedgerError(.ruleViolation, "validator update approved by \(Hex.encode(approval.validator.rawRepresentation)), not a current validator")
            }
            guard approval.validator.isValidSignature(approval.signature, for: message) else {
                throw LedgerError(.invalidSignature, "approval of validator \(Hex.encode(approval.validator.rawRepresentation)) does not verify")
            }
            power += p
        }
        guard current.isSupermajority(power) else {
            throw LedgerError(.ruleViolation, "validator update approved by \(power) of \(current.totalPower) voting power, needs more than 2/3")
        }
        pending.set(.validatorSet, try current.applying(update.changes).canonicalBytes)
    }
}
