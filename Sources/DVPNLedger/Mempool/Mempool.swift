import DVPNCrypto

/// Bounds of the mempool.
public struct MempoolLimits: Hashable, Sendable {
    public var maxTransactions: Int
    public var maxBytes: Int
    public var maxPerSender: Int

    public init(maxTransactions: Int = 10_000, maxBytes: Int = 64 << 20, maxPerSender: Int = 128) {
        self.maxTransactions = maxTransactions
        self.maxBytes = maxBytes
        self.maxPerSender = maxPerSender
    }
}

/// The outcome of offering a transaction to the mempool.
public enum MempoolAdmission: Hashable, Sendable {
    /// Admitted; `evicted` lists transactions pushed out to make room (or replaced by fee).
    case accepted(id: Hash256, evicted: [Hash256])
    case rejected(TransactionRejection)
}

/// Transactions waiting for a block.
///
/// Entry checks are the executor's (`validateBasic`, then nonce and funds against the committed
/// state plus this sender's pending transactions), so what waits here would execute. Per sender,
/// pending nonces are contiguous from the account's next nonce; a transaction for a pending nonce
/// replaces it only by paying a higher fee. When full, the cheapest transaction that is last in
/// its sender's queue (so no gap opens) is evicted, the oldest first among equal fees, if the
/// newcomer pays more. A value type with no clock: arrival order is a counter.
public struct Mempool: Sendable {
    struct Entry: Sendable {
        let transaction: Transaction
        let id: Hash256
        let size: Int
        let arrival: UInt64
        /// Fee plus what the payload spends, `UInt64.max` if that overflows: what the sender must
        /// afford for this transaction (computed once, at admission).
        let cost: UInt64
    }

    /// One sender's pending transactions.
    struct SenderQueue: Sendable {
        /// Nonce → transaction id, contiguous nonces.
        private(set) var ids: [UInt64: Hash256] = [:]
        /// Nonce → that transaction's `Entry.cost`, beside `ids`.
        private var costs: [UInt64: UInt64] = [:]
        /// The exact sum of `costs`, kept as transactions come and go so that admission checks
        /// affordability in O(1) instead of re-summing the queue (issue 7: re-summing made
        /// admission quadratic in a sender's queue and cost more than the signature check). 128
        /// bits cannot overflow: at most `Int.max` costs of at most 2^64 - 1 each.
        private(set) var totalCost: UInt128 = 0

        /// Puts `entry` at its nonce (replacing whatever was there).
        mutating func add(_ entry: Entry) {
            ids[entry.transaction.nonce] = entry.id
            if let old = costs.updateValue(entry.cost, forKey: entry.transaction.nonce) { totalCost -= UInt128(old) }
            totalCost += UInt128(entry.cost)
        }

        /// Empties `nonce`'s slot.
        mutating func remove(nonce: UInt64) {
            ids[nonce] = nil
            if let old = costs.removeValue(forKey: nonce) { totalCost -= UInt128(old) }
        }

        /// The cost of the transaction at `nonce`, 0 if there is none.
        func cost(at nonce: UInt64) -> UInt64 { costs[nonce] ?? 0 }
    }

    public let executor: Executor
    public let limits: MempoolLimits
    private var entries: [Hash256: Entry] = [:]
    private var senders: [Schnorr.PublicKey: SenderQueue] = [:]
    private var arrivals: UInt64 = 0
    public private(set) var byteCount = 0

    public init(executor: Executor, limits: MempoolLimits = MempoolLimits()) {
        self.executor = executor
        self.limits = limits
    }

    public var count: Int { entries.count }
    public func contains(_ id: Hash256) -> Bool { entries[id] != nil }
    public func transaction(_ id: Hash256) -> Transaction? { entries[id]?.transaction }

    /// Pending transactions of `sender`, in nonce order.
    public func pending(from sender: Schnorr.PublicKey) -> [Transaction] {
        (senders[sender]?.ids ?? [:]).sorted { $0.key < $1.key }.compactMap { entries[$0.value]?.transaction }
    }

    /// Offers `tx`, checked against `state` (the committed state the next block builds on).
    public mutating func add(_ tx: Transaction, state: some StateReader) -> MempoolAdmission {
        let id = tx.id
        guard entries[id] == nil else { return .rejected(TransactionRejection(.duplicate, "transaction \(id) is already pending")) }
        if let rejection = executor.validateBasic(tx) { return .rejected(rejection) }
        let account = state.account(tx.sender)
        let queue = senders[tx.sender] ?? SenderQueue()
        let next = account.nonce + UInt64(queue.ids.count)
        guard tx.nonce >= account.nonce else {
            return .rejected(TransactionRejection(.nonceUsed, "nonce \(tx.nonce) was already used; the next nonce of \(tx.senderAddress) is \(account.nonce)"))
        }
        guard tx.nonce <= next else {
            return .rejected(TransactionRejection(.nonceGap, "nonce \(tx.nonce) is ahead of the next nonce \(next) of \(tx.senderAddress) (pending included)"))
        }
        var replaced: Entry?
        if tx.nonce < next, let existing = queue.ids[tx.nonce].flatMap({ entries[$0] }) {
            guard tx.fee > existing.transaction.fee else {
                return .rejected(TransactionRejection(.nonceAlreadyPending, "nonce \(tx.nonce) is pending with fee \(existing.transaction.fee); a replacement must pay more"))
            }
            replaced = existing
        } else if queue.ids.count >= limits.maxPerSender {
            return .rejected(TransactionRejection(.senderLimit, "\(tx.senderAddress) already has \(queue.ids.count) pending transactions"))
        }
        // The sender must afford every pending transaction with this one in place (the one it
        // would replace left out). The exact total exceeds the balance whenever a UInt64 sum of
        // the costs would overflow, so this refuses exactly what a checked sum would.
        let cost = Self.cost(of: tx)
        let total = queue.totalCost - UInt128(queue.cost(at: tx.nonce)) + UInt128(cost)
        guard total <= UInt128(account.balance.udvpn) else {
            return .rejected(TransactionRejection(.insufficientFunds, "\(tx.senderAddress) has \(account.balance), its pending transactions with this one need more"))
        }

        let size = tx.canonicalBytes.count
        var evicted: [Hash256] = []
        if let replaced {
            remove(replaced.id)
            evicted.append(replaced.id)
        }
        while entries.count + 1 > limits.maxTransactions || byteCount + size > limits.maxBytes {
            guard let victim = evictionCandidate(excluding: tx.sender), victim.transaction.fee < tx.fee else {
                if let replaced { insert(replaced) }
                return .rejected(TransactionRejection(.mempoolFull, "the mempool is full and \(tx.fee) does not outbid the cheapest pending transaction"))
            }
            remove(victim.id)
            evicted.append(victim.id)
        }
        arrivals += 1
        insert(Entry(transaction: tx, id: id, size: size, arrival: arrivals, cost: cost))
        return .accepted(id: id, evicted: evicted)
    }

    /// Fee plus spend, or `UInt64.max` when that overflows (such a transaction is unaffordable).
    private static func cost(of tx: Transaction) -> UInt64 {
        ((try? tx.fee.adding(tx.payload.spend)) ?? Amount(udvpn: .max)).udvpn
    }

    /// The cheapest (then oldest) transaction that is the last of its sender's queue.
    private func evictionCandidate(excluding sender: Schnorr.PublicKey) -> Entry? {
        var best: Entry?
        for (key, queue) in senders where key != sender {
            guard let last = queue.ids.keys.max(), let entry = queue.ids[last].flatMap({ entries[$0] }) else { continue }
            if let b = best, (b.transaction.fee, b.arrival) <= (entry.transaction.fee, entry.arrival) { continue }
            best = entry
        }
        return best
    }

    private mutating func insert(_ entry: Entry) {
        entries[entry.id] = entry
        senders[entry.transaction.sender, default: SenderQueue()].add(entry)
        byteCount += entry.size
    }

    /// Removes one transaction (no effect if absent).
    @discardableResult
    public mutating func remove(_ id: Hash256) -> Transaction? {
        guard let entry = entries.removeValue(forKey: id) else { return nil }
        byteCount -= entry.size
        let sender = entry.transaction.sender
        senders[sender]?.remove(nonce: entry.transaction.nonce)
        if senders[sender]?.ids.isEmpty == true { senders[sender] = nil }
        return entry.transaction
    }

    /// After a block: drops what it included and whatever no longer fits the new state (used
    /// nonces, gaps, unaffordable queues). Returns the ids dropped besides the included ones.
    @discardableResult
    public mutating func update(afterCommitting included: [Transaction], state: some StateReader) -> [Hash256] {
        for tx in included { remove(tx.id) }
        var dropped: [Hash256] = []
        for (sender, queue) in senders {
            let account = state.account(sender)
            var expected = account.nonce
            var spent = Amount.zero
            for (nonce, id) in queue.ids.sorted(by: { $0.key < $1.key }) {
                guard let tx = entries[id]?.transaction else { continue }
                let cost = try? spent.adding(tx.fee).adding(tx.payload.spend)
                if nonce == expected, let cost, cost <= account.balance {
                    expected += 1
                    spent = cost
                } else {
                    remove(id)
                    dropped.append(id)
                }
            }
        }
        return dropped
    }

    /// Up to `maxTransactions` transactions totalling at most `maxBytes`, each sender's in nonce
    /// order, the highest fee (then the oldest) first among the senders' next transactions.
    public func candidates(maxTransactions: Int, maxBytes: Int) -> [Transaction] {
        var queues: [[Entry]] = senders.values.map { queue in queue.ids.sorted { $0.key < $1.key }.compactMap { entries[$0.value] } }
        var heap = Heap<(fee: UInt64, arrival: UInt64, queue: Int, position: Int)> { a, b in
            a.fee != b.fee ? a.fee > b.fee : a.arrival < b.arrival
        }
        for (q, queue) in queues.enumerated() where !queue.isEmpty {
            heap.push((queue[0].transaction.fee.udvpn, queue[0].arrival, q, 0))
        }
        var chosen: [Transaction] = []
        var bytes = 0
        while chosen.count < maxTransactions, let head = heap.pop() {
            let entry = queues[head.queue][head.position]
            guard bytes + entry.size <= maxBytes else {
                queues[head.queue] = []  // its later nonces cannot go in either
                continue
            }
            chosen.append(entry.transaction)
            bytes += entry.size
            let next = head.position + 1
            if next < queues[head.queue].count {
                let e = queues[head.queue][next]
                heap.push((e.transaction.fee.udvpn, e.arrival, head.queue, next))
            }
        }
        return chosen
    }
}
