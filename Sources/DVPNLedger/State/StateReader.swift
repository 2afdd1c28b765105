import DVPNCrypto

/// Read access to ledger state, with typed accessors. The committed `LedgerState` and the
/// executor's pending views both conform.
public protocol StateReader {
    /// The raw value stored under `key`, or nil.
    func value(forKey key: StateKey) -> [UInt8]?
}

extension StateReader {
    /// The account of `key`; an account never written is empty (balance 0, nonce 0).
    public func account(_ key: Schnorr.PublicKey) -> Account {
        decoded(.account(key), as: Account.self) ?? Account()
    }

    /// The validator set in force for the next block.
    public var validatorSet: ValidatorSet {
        guard let set = decoded(.validatorSet, as: ValidatorSet.self) else {
            preconditionFailure("ledger state has no validator set (it is written at genesis)")
        }
        return set
    }

    /// The escrow a contract holds.
    public func contractBalance(_ name: String) -> Amount {
        decoded(.contractBalance(name), as: Amount.self) ?? .zero
    }

    /// Fees burned since genesis.
    public var burnedFees: Amount { decoded(.burnedFees, as: Amount.self) ?? .zero }

    /// A contract's WebAssembly code, if the contract exists.
    public func contractCode(_ name: String) -> [UInt8]? { value(forKey: .contractCode(name)) }

    /// Values are validated when they enter the state (loaded from disk or written by the
    /// executor from typed values), so a decoding failure here is a broken invariant.
    private func decoded<T: CanonicalDecodable>(_ key: StateKey, as type: T.Type) -> T? {
        guard let raw = value(forKey: key) else { return nil }
        do {
            return try T(canonicalBytes: raw)
        } catch {
            preconditionFailure("state value of \(key) does not decode: \(error)")
        }
    }
}

/// A set of state changes: key bytes → new value, nil for a deletion. What one block writes.
public struct StateChanges: Hashable, Sendable {
    public private(set) var writes: [[UInt8]: [UInt8]?] = [:]

    public init() {}

    public mutating func set(_ key: StateKey, _ value: [UInt8]?) { writes[key.bytes] = .some(value) }

    public mutating func set(rawKey: [UInt8], _ value: [UInt8]?) { writes[rawKey] = .some(value) }

    /// Later changes win.
    public mutating func merge(_ other: StateChanges) {
        for (k, v) in other.writes { writes[k] = .some(v) }
    }

    public var isEmpty: Bool { writes.isEmpty }
    public var count: Int { writes.count }

    /// The changes sorted by key bytes: the order they are stored and compared in.
    public var sorted: [(key: [UInt8], value: [UInt8]?)] {
        writes.map { (key: $0.key, value: $0.value) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }
}
