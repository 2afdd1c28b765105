import DVPNCrypto

/// A change of the validator set, decided by the validators themselves (genesis authority, not
/// bonded stake; docs/validator-updates.md says why).
///
/// The update names the set version it applies to, so approvals cannot be replayed after the set
/// changed. It takes effect when validators holding more than 2/3 of the current voting power have
/// signed `SigningDomain.validatorUpdate` over (set version, changes); anyone may submit it and
/// pay the fee.
public struct ValidatorUpdate: Hashable, Sendable {
    /// The `ValidatorSet.version` this update was approved against.
    public var setVersion: UInt64
    /// New powers, sorted by key, one per key; power 0 removes a validator.
    public var changes: [Validator]
    /// Signatures of current validators, sorted by key, one per validator.
    public var approvals: [ValidatorSignature]

    public init(setVersion: UInt64, changes: [Validator], approvals: [ValidatorSignature]) {
        self.setVersion = setVersion
        self.changes = changes
        self.approvals = approvals
    }

    /// The bytes each approving validator signs (before the domain and chain id are prepended).
    public var approvalBody: [UInt8] {
        var e = CanonicalEncoder()
        e.encode(setVersion)
        e.encode(array: changes, maxCount: LedgerLimits.maxValidators)
        return e.bytes
    }

    public func approvalMessage(chainID: String) -> [UInt8] {
        SigningDomain.validatorUpdate.message(chainID: chainID, body: approvalBody)
    }

    /// Adds the approval of `validator`, keeping approvals sorted.
    public mutating func approve(chainID: String, with validator: Schnorr.PrivateKey) throws(LedgerError) {
        let signature: Schnorr.Signature
        do {
            signature = try validator.signature(for: approvalMessage(chainID: chainID))
        } catch {
            throw LedgerError(.invalidSignature, "could not sign validator update: \(error.reason)")
        }
        approvals.removeAll { $0.validator == validator.publicKey }
        approvals.append(ValidatorSignature(validator: validator.publicKey, signature: signature))
        approvals.sort { Schnorr.PublicKey.byBytes($0.validator, $1.validator) }
    }

    /// Stateless shape checks: non-empty, sorted, unique, within limits.
    func shapeProblem() -> String? {
        guard !changes.isEmpty else { return "validator update changes nothing" }
        guard isStrictlySorted(changes.map(\.publicKey)) else {
            return "validator update changes must be sorted by key with no key twice"
        }
        guard isStrictlySorted(approvals.map(\.validator)) else {
            return "validator update approvals must be sorted by key with no validator twice"
        }
        guard changes.allSatisfy({ $0.power <= LedgerLimits.maxTotalVotingPower }) else {
            return "a validator power exceeds \(LedgerLimits.maxTotalVotingPower)"
        }
        return nil
    }
}

/// True when `keys` are sorted by bytes with no duplicates.
func isStrictlySorted(_ keys: [Schnorr.PublicKey]) -> Bool {
    zip(keys, keys.dropFirst()).allSatisfy { Schnorr.PublicKey.byBytes($0, $1) }
}

extension ValidatorUpdate: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(setVersion)
        encoder.encode(array: changes, maxCount: LedgerLimits.maxValidators)
        encoder.encode(array: approvals, maxCount: LedgerLimits.maxValidators)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        setVersion = try decoder.decodeUInt64()
        changes = try decoder.decodeArray(of: Validator.self, maxCount: LedgerLimits.maxValidators)
        approvals = try decoder.decodeArray(of: ValidatorSignature.self, maxCount: LedgerLimits.maxValidators)
    }
}
