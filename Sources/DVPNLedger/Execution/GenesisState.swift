extension LedgerState {
    /// The state before block 1: genesis balances, the validator set, and each pinned contract's
    /// code (checked against its SHA-256 pin) with a zero balance. Returns the state and the
    /// changes that built it, which the store records as height 0.
    public static func genesis(_ genesis: Genesis, contractCode: [String: [UInt8]]) throws(LedgerError) -> (state: LedgerState, changes: StateChanges) {
        var changes = StateChanges()
        for balance in genesis.balances {
            changes.set(.account(balance.address.publicKey), Account(balance: balance.amount).canonicalBytes)
        }
        changes.set(.validatorSet, genesis.validators.canonicalBytes)
        changes.set(.burnedFees, Amount.zero.canonicalBytes)
        for contract in genesis.contracts {
            guard let code = contractCode[contract.name] else {
                throw LedgerError(.ruleViolation, "genesis pins contract \"\(contract.name)\" but no code was given for it")
            }
            let hash = Hash256.sha256(code)
            guard hash == contract.codeSHA256 else {
                throw LedgerError(.ruleViolation, "code given for contract \"\(contract.name)\" has SHA-256 \(hash), genesis pins \(contract.codeSHA256)")
            }
            changes.set(.contractCode(contract.name), code)
            changes.set(.contractBalance(contract.name), Amount.zero.canonicalBytes)
        }
        for name in contractCode.keys where genesis.codeHash(ofContract: name) == nil {
            throw LedgerError(.ruleViolation, "code was given for contract \"\(name)\", which genesis does not pin")
        }
        var state = LedgerState()
        state.apply(changes)
        return (state, changes)
    }
}
