/// The result of one contract call: what happened, the fuel it cost, and, only on success, the
/// effects for the ledger to apply.
///
/// Effects are journaled during the call and released only when it returns normally, so a call
/// that runs out of fuel, traps or aborts has no writes, transfers or events at all.
public struct CallOutcome: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        /// The method returned; `returnData` is what it passed to `dvpn.return_data` (or empty).
        case success(returnData: [UInt8])
        /// The call reverted.
        case failure(ContractRuntimeError)
    }

    public var status: Status
    /// Fuel consumed: the whole budget when it ran out, otherwise what was used until the call
    /// returned or failed.
    public var fuelUsed: UInt64
    /// Final storage changes, one per key, sorted by key bytes. Empty on failure.
    public var writes: [StorageWrite]
    /// Payments out of the contract's balance, in call order. Empty on failure.
    public var transfers: [ContractTransfer]
    /// Events emitted, in call order. Empty on failure.
    public var events: [ContractEvent]

    public init(
        status: Status,
        fuelUsed: UInt64,
        writes: [StorageWrite] = [],
        transfers: [ContractTransfer] = [],
        events: [ContractEvent] = []
    ) {
        self.status = status
        self.fuelUsed = fuelUsed
        self.writes = writes
        self.transfers = transfers
        self.events = events
    }

    /// True when the call returned normally.
    public var succeeded: Bool {
        if case .success = status { return true }
        return false
    }
}

/// One storage change in the contract's namespace: a new value, or nil for a deletion.
public struct StorageWrite: Sendable, Hashable {
    public var key: [UInt8]
    public var value: [UInt8]?

    public init(key: [UInt8], value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// A payment out of the contract's balance to an account (32-byte x-only key).
public struct ContractTransfer: Sendable, Hashable {
    public var to: [UInt8]
    public var amount: UInt64

    public init(to: [UInt8], amount: UInt64) {
        self.to = to
        self.amount = amount
    }
}

/// A contract event: a short topic (e.g. `channel.redeem`) and canonical-encoded data.
public struct ContractEvent: Sendable, Hashable {
    public var topic: [UInt8]
    public var data: [UInt8]

    public init(topic: [UInt8], data: [UInt8]) {
        self.topic = topic
        self.data = data
    }
}
