import DVPNLedger
import Synchronization

/// This node's human explanations of the receipts it executed itself (WasmKit's trap text, the
/// host's message), by transaction id: what the API shows beside a failed receipt's code.
///
/// Receipts hash only a failure *code* (`Receipt.FailureCode`), so the explanation lives here, in
/// memory, never in the store or a hash: after a restart, or for blocks this node did not build,
/// the API derives a description from the code alone. Bounded: the oldest entries are forgotten.
///
/// Thread safety: the mutex guards the map and its insertion order.
final class FailureDetails: Sendable {
    private struct Storage {
        var details: [Hash256: String] = [:]
        var order: [Hash256] = []
        var next = 0
    }

    let capacity: Int
    private let storage = Mutex(Storage())

    init(capacity: Int = 4096) { self.capacity = max(1, capacity) }

    /// Records the details of the failed receipts among `receipts`.
    func record(_ receipts: [Receipt]) {
        let capacity = self.capacity
        storage.withLock { s in
            for receipt in receipts {
                guard !receipt.succeeded, let detail = receipt.detail, s.details[receipt.transactionID] == nil else { continue }
                if s.order.count < capacity {
                    s.order.append(receipt.transactionID)
                } else {
                    s.details[s.order[s.next]] = nil
                    s.order[s.next] = receipt.transactionID
                    s.next = (s.next + 1) % capacity
                }
                s.details[receipt.transactionID] = detail
            }
        }
    }

    func detail(for id: Hash256) -> String? { storage.withLock { $0.details[id] } }
}
