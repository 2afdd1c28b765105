/// The effects of one call, buffered until it returns.
///
/// Nothing reaches the ledger while the contract runs: storage writes go to an overlay that reads
/// see first, transfers and events to lists. The runtime hands the journal's contents out only for
/// a call that returned normally, which is how a trap or out-of-fuel reverts everything at once.
struct CallJournal {
    /// Pending storage changes by key; nil marks a deletion.
    private(set) var overlay: [[UInt8]: [UInt8]?] = [:]
    private(set) var transfers: [ContractTransfer] = []
    private(set) var events: [ContractEvent] = []
    private(set) var returnData: [UInt8] = []
    /// Sum of `transfers`, checked against the contract's balance on every transfer.
    private(set) var transferred: UInt64 = 0

    /// The value under `key` as this call sees it: its own writes first, then the ledger's.
    func value(forKey key: [UInt8], base: some ContractStorageReader) -> [UInt8]? {
        if let pending = overlay[key] { return pending }
        return base.value(forKey: key)
    }

    mutating func set(_ value: [UInt8]?, forKey key: [UInt8]) {
        overlay[key] = .some(value)
    }

    /// Records a payment; the caller has checked it against the balance.
    mutating func transfer(to recipient: [UInt8], amount: UInt64) {
        transfers.append(ContractTransfer(to: recipient, amount: amount))
        transferred += amount
    }

    mutating func emit(_ event: ContractEvent) {
        events.append(event)
    }

    mutating func setReturnData(_ bytes: [UInt8]) {
        returnData = bytes
    }

    /// The final writes in canonical order: sorted by key bytes, one per key.
    var sortedWrites: [StorageWrite] {
        overlay.map { StorageWrite(key: $0.key, value: $0.value) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }
}
