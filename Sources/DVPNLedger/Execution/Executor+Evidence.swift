import DVPNCrypto

/// Equivocation evidence (docs/evidence.md): two conflicting signed votes of one validator, whose
/// stateless checks (`EquivocationEvidence.problem`) already passed in `validateBasic`. Execution
/// judges them against the state: the height must be within the evidence window, the signer a
/// validator of the set in force at that height, the evidence new, and the offender still
/// powered; then its power is zero from the next height.
extension Executor {
    /// How many blocks back evidence may reach: votes at height h are judged by blocks
    /// h + 1 … h + `evidenceWindow` (about a day and a half at one block a second).
    public static let evidenceWindow: UInt64 = 100_000

    func applyEvidence(_ evidence: EquivocationEvidence, in pending: inout PendingState, context: BlockContext) throws(PayloadFailure) {
        let height = evidence.height
        let offender = evidence.offender
        guard height < context.height else {
            throw PayloadFailure(.evidenceFromTheFuture, "votes at height \(height) cannot be judged in block \(context.height)")
        }
        guard context.height - height <= Self.evidenceWindow else {
            throw PayloadFailure(.evidenceExpired, "votes at height \(height) are more than \(Self.evidenceWindow) blocks before block \(context.height)")
        }
        // Every change recorded in the history after `height` is for a later height, so the
        // committed state (before this block) answers for the set in force at `height`.
        let then: ValidatorSet
        do {
            then = try pending.base.validatorSet(inForceAt: height, genesis: genesis)
        } catch {
            preconditionFailure("the validator-set history does not decode: \(error)")
        }
        guard then.contains(offender) else {
            throw PayloadFailure(.evidenceNotValidator, "\(Hex.encode(offender.rawRepresentation)) was not a validator at height \(height)")
        }
        let record = StateKey.evidenceRecord(validator: offender, height: height)
        guard pending.value(forKey: record) == nil else {
            throw PayloadFailure(.evidenceAlreadyApplied, "evidence against \(Hex.encode(offender.rawRepresentation)) at height \(height) was already applied")
        }
        let current = pending.validatorSet
        guard current.contains(offender) else {
            throw PayloadFailure(.evidenceOffenderHasNoPower, "\(Hex.encode(offender.rawRepresentation)) is no longer in the validator set")
        }
        guard current.validators.count > 1 else {
            throw PayloadFailure(.evidenceWouldEmptySet, "\(Hex.encode(offender.rawRepresentation)) is the only validator")
        }
        let next: ValidatorSet
        do {
            next = try current.applying([Validator(publicKey: offender, power: 0)])
        } catch {
            throw PayloadFailure(.invalidValidatorSet, error.reason)
        }
        pending.set(record, context.height.canonicalBytes)
        pending.setValidatorSet(next, inForceFrom: context.height + 1)
    }
}
