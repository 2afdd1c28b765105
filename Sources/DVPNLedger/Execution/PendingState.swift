import DVPNCrypto

/// The executor's working view: committed state, then the block's writes so far, then the
/// current transaction's writes. A transaction's payload runs in its own layer so that a failure
/// (contract trap, out of fuel) drops exactly its effects while the fee and nonce it already paid
/// stay.
struct PendingState: StateReader {
    let base: LedgerState
    private(set) var block = StateChanges()
    private var transaction: [[UInt8]: [UInt8]?] = [:]

    init(base: LedgerState) { self.base = base }

    func value(forKey key: StateKey) -> [UInt8]? {
        let raw = key.bytes
        if let pending = transaction[raw] { return pending }
        if let pending = block.writes[raw] { return pending }
        return base.value(forRawKey: raw)
    }

    mutating func set(_ key: StateKey, _ value: [UInt8]?) { transaction[key.bytes] = .some(value) }

    mutating func setAccount(_ key: Schnorr.PublicKey, _ account: Account) {
        set(.account(key), account.canonicalBytes)
    }

    mutating func setAmount(_ key: StateKey, _ amount: Amount) { set(key, amount.canonicalBytes) }

    /// Moves `amount` from one account to another (they may be the same).
    mutating func move(_ amount: Amount, from: Schnorr.PublicKey, to: Schnorr.PublicKey) throws(LedgerError) {
        var payer = account(from)
        payer.balance = try payer.balance.subtracting(amount)
        setAccount(from, payer)
        var payee = account(to)
        payee.balance = try payee.balance.adding(amount)
        setAccount(to, payee)
    }

    /// Keeps the current transaction layer's writes.
    mutating func commitTransaction() {
        for (key, value) in transaction { block.set(rawKey: key, value) }
        transaction.removeAll(keepingCapacity: true)
    }

    /// Drops the current transaction layer's writes.
    mutating func discardTransaction() { transaction.removeAll(keepingCapacity: true) }
}
