import DVPNCrypto

/// A validator: a Schnorr key that signs votes, and its voting power. In a `ValidatorUpdate`,
/// power 0 means "remove".
public struct Validator: Hashable, Sendable {
    public var publicKey: Schnorr.PublicKey
    public var power: UInt64

    public init(publicKey: Schnorr.PublicKey, power: UInt64) {
        self.publicKey = publicKey
        self.power = power
    }
}

/// The validators in force at a height: sorted by key, each with non-zero power.
///
/// `version` counts applied validator updates (0 at genesis); updates name the version they were
/// approved for, so an approval is never valid twice. Header field `validatorSetHash` commits to
/// the whole value.
public struct ValidatorSet: Hashable, Sendable {
    public let version: UInt64
    public let validators: [Validator]
    public let totalPower: UInt64

    /// Checks the invariants: non-empty, sorted, unique, positive powers, bounded total.
    public init(version: UInt64 = 0, validators: [Validator]) throws(LedgerError) {
        guard !validators.isEmpty else { throw LedgerError(.ruleViolation, "a validator set needs at least one validator") }
        guard validators.count <= LedgerLimits.maxValidators else {
            throw LedgerError(.outOfRange, "\(validators.count) validators, at most \(LedgerLimits.maxValidators)")
        }
        let sorted = validators.sorted { Schnorr.PublicKey.byBytes($0.publicKey, $1.publicKey) }
        guard isStrictlySorted(sorted.map(\.publicKey)) else {
            throw LedgerError(.ruleViolation, "a validator appears twice in the set")
        }
        var total: UInt64 = 0
        for v in sorted {
            guard v.power > 0 else { throw LedgerError(.ruleViolation, "validator \(Hex.encode(v.publicKey.rawRepresentation)) has zero power") }
            let (sum, overflow) = total.addingReportingOverflow(v.power)
            guard !overflow, sum <= LedgerLimits.maxTotalVotingPower else {
                throw LedgerError(.outOfRange, "total voting power exceeds \(LedgerLimits.maxTotalVotingPower)")
            }
            total = sum
        }
        self.version = version
        self.validators = sorted
        self.totalPower = total
    }

    /// The power of `key`, or nil when it is not a validator.
    public func power(of key: Schnorr.PublicKey) -> UInt64? {
        validators.first { $0.publicKey == key }?.power
    }

    public func contains(_ key: Schnorr.PublicKey) -> Bool { power(of: key) != nil }

    /// True when `power` is strictly more than two thirds of the total: 3·power > 2·total.
    public func isSupermajority(_ power: UInt64) -> Bool {
        // Both sides stay below 2^62 because totalPower ≤ 2^60.
        power.multipliedFullWidth(by: 3) > totalPower.multipliedFullWidth(by: 2)
    }

    /// The set after `changes`, with the version bumped. Zero power removes a validator.
    public func applying(_ changes: [Validator]) throws(LedgerError) -> ValidatorSet {
        var byKey: [Schnorr.PublicKey: UInt64] = [:]
        for v in validators { byKey[v.publicKey] = v.power }
        for c in changes { byKey[c.publicKey] = c.power == 0 ? nil : c.power }
        return try ValidatorSet(version: version + 1, validators: byKey.map { Validator(publicKey: $0.key, power: $0.value) })
    }

    /// What block headers commit to.
    public var hash: Hash256 { Hash256.tagged("dvpn/validator-set", canonicalBytes) }
}

extension Validator: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(publicKey)
        encoder.encode(power)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        publicKey = try decoder.decode(Schnorr.PublicKey.self)
        power = try decoder.decodeUInt64()
    }
}

extension ValidatorSet: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(version)
        encoder.encode(array: validators, maxCount: LedgerLimits.maxValidators)
    }

    /// Decoding is strict: the validators must already be in canonical (sorted) order.
    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let version = try decoder.decodeUInt64()
        let list = try decoder.decodeArray(of: Validator.self, maxCount: LedgerLimits.maxValidators)
        guard isStrictlySorted(list.map(\.publicKey)) else {
            throw LedgerError(.malformedEncoding, "validator set is not sorted by key")
        }
        try self.init(version: version, validators: list)
    }
}
